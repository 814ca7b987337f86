"""Who the caller is for DINAMIS, derived from CKAN organization membership.

Super-referents are the admins and editors of the relay organization, instructors those of
the DINAMIS organization (DOMAIN.md, "Mapping onto CKAN"); platform administrators manage both
with CKAN's own member pages.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ..model import Adhesion

STAFF_CAPACITIES = ("admin", "editor")


@dataclasses.dataclass(frozen=True)
class Roles:
    user_id: str | None = None
    sysadmin: bool = False
    super_referent: bool = False
    instructor: bool = False
    # Organizations whose current adhesion names this user as entity referent.
    referent_of: frozenset[str] = frozenset()
    # Active organizations where this user has CKAN's `admin` capacity.
    admin_of: frozenset[str] = frozenset()

    @property
    def is_instructor(self) -> bool:
        return self.sysadmin or self.instructor

    @property
    def is_super_referent(self) -> bool:
        return self.sysadmin or self.super_referent

    def as_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "sysadmin": self.sysadmin,
            "super_referent": self.super_referent,
            "instructor": self.instructor,
            "referent_of": sorted(self.referent_of),
            "admin_of": sorted(self.admin_of),
        }


ANONYMOUS = Roles()


def relay_organization() -> str:
    return tk.config.get("ckanext.dinamis_relay.relay_organization") or ""


def dinamis_organization() -> str:
    return tk.config.get("ckanext.dinamis_relay.dinamis_organization") or ""


def staff_organization_ids() -> set[str]:
    """Ids of the relay's and DINAMIS's own organizations, which are never entities."""
    wanted = [n for n in (relay_organization(), dinamis_organization()) if n]
    if not wanted:
        return set()
    return set(
        model.Session.execute(
            sa.select(model.Group.id).where(
                sa.or_(model.Group.name.in_(wanted), model.Group.id.in_(wanted))
            )
        ).scalars()
    )


def _admin_org_ids(user_id: str) -> frozenset[str]:
    return frozenset(
        model.Session.execute(
            sa.select(model.Member.group_id)
            .join(model.Group, model.Group.id == model.Member.group_id)
            .where(
                model.Member.table_name == "user",
                model.Member.table_id == user_id,
                model.Member.capacity == "admin",
                model.Member.state == "active",
                model.Group.state == "active",
                model.Group.is_organization.is_(True),
            )
        ).scalars()
    )


def _staff_org_names(user_id: str) -> set[str]:
    """Names and ids of the relay/DINAMIS organizations where the user is admin or editor."""
    wanted = {n for n in (relay_organization(), dinamis_organization()) if n}
    if not wanted:
        return set()
    rows = model.Session.execute(
        sa.select(model.Group.name, model.Group.id)
        .join(model.Member, model.Member.group_id == model.Group.id)
        .where(
            model.Member.table_name == "user",
            model.Member.table_id == user_id,
            model.Member.state == "active",
            model.Member.capacity.in_(STAFF_CAPACITIES),
            model.Group.state == "active",
            model.Group.is_organization.is_(True),
            sa.or_(model.Group.name.in_(wanted), model.Group.id.in_(wanted)),
        )
    ).all()
    return {value for row in rows for value in row}


def roles_for(user: str | None) -> Roles:
    """Roles of a user given by name or id (None or unknown: anonymous)."""
    if not user:
        return ANONYMOUS
    user_obj = model.User.get(user)
    if user_obj is None or user_obj.state != "active":
        return ANONYMOUS
    staff = _staff_org_names(user_obj.id)
    referent_of = (
        model.Session.execute(
            sa.select(Adhesion.organization_id).where(
                Adhesion.referent_user_id == user_obj.id, Adhesion.is_current.is_(True)
            )
        )
        .scalars()
        .all()
    )
    return Roles(
        user_id=user_obj.id,
        sysadmin=bool(user_obj.sysadmin),
        super_referent=bool(relay_organization()) and relay_organization() in staff,
        instructor=bool(dinamis_organization()) and dinamis_organization() in staff,
        referent_of=frozenset(referent_of),
        admin_of=_admin_org_ids(user_obj.id),
    )


def context_roles(context: dict[str, Any]) -> Roles:
    """Roles of the context's user, computed once per context (auth runs many checks)."""
    user = context.get("user")
    cached = context.get("_dinamis_relay_roles")
    if cached is None or cached[0] != user:
        cached = (user, roles_for(user))
        context["_dinamis_relay_roles"] = cached
    return cached[1]
