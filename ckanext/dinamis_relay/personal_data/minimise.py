"""Minimisation where it costs nothing: a person's name only for the roles that need it.

DINAMIS instructors decide on entities, not on the agents' accounts: the accounts export of
the dashboard, which they may read for every entity, reaches them without the people's names,
emails, jobs and departments. Super-referents (who manage the partners' accounts), referents
(their entity's people) and sysadmins get them.
"""

from __future__ import annotations

from typing import Any

from ..access.roles import Roles

PERSONAL_EXPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "accounts": ("user_name", "user_fullname", "user_email", "job_title", "department"),
}


def needs_names(roles: Roles, organization_id: str | None = None) -> bool:
    if roles.sysadmin or roles.super_referent or not roles.instructor:
        return True
    return bool(organization_id) and organization_id in roles.referent_of


def export_rows(
    roles: Roles,
    kind: str,
    columns: list[str],
    rows: list[list[Any]],
    organization_id: str | None = None,
) -> list[list[Any]]:
    """The export page's rows, the personal cells emptied for callers who need no names."""
    hidden = PERSONAL_EXPORT_COLUMNS.get(kind)
    if not hidden or needs_names(roles, organization_id):
        return rows
    indexes = [columns.index(name) for name in hidden if name in columns]
    return [["" if i in indexes else cell for i, cell in enumerate(row)] for row in rows]
