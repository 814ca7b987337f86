"""Auth matrix: every role against every adhesion action, on an adhesion in the state the
action applies to (the state itself is checked by the action, not by auth)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories

from .. import factories as f

ROLES = (
    "anonymous",
    "plain_user",
    "entity_referent",
    "entity_admin",
    "other_entity_admin",
    "super_referent",
    "instructor",
    "sysadmin",
)
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
INSTRUCTORS = {"instructor", "sysadmin"}
CLASSIC_EDITORS = {"entity_referent", "entity_admin", "sysadmin"}
RELAY_EDITORS = {"super_referent", "sysadmin"}
# Super-referents see relay-mode applications only; instructors from the submission on.
CLASSIC_VIEWERS = {"entity_referent", "entity_admin", "sysadmin"}
VIEWERS = CLASSIC_VIEWERS | {"super_referent"}

# (action, mode, state of the fixture adhesion, extra data, roles allowed)
MATRIX: list[tuple[str, str, str | None, dict[str, Any], set[str]]] = [
    # create: on an organization whose previous application was rejected.
    ("create", "classic", "rejected", {}, CLASSIC_EDITORS),
    ("create", "relay", "rejected", {}, RELAY_EDITORS),
    ("update", "classic", "draft", {}, CLASSIC_EDITORS),
    ("update", "relay", "draft", {}, RELAY_EDITORS),
    ("patch", "classic", "returned", {}, CLASSIC_EDITORS),
    ("patch", "relay", "returned", {}, RELAY_EDITORS),
    ("show", "classic", "draft", {}, CLASSIC_VIEWERS),
    ("show", "relay", "draft", {}, VIEWERS),
    ("show", "classic", "pending_instruction", {}, CLASSIC_VIEWERS | INSTRUCTORS),
    ("show", "relay", "accepted", {}, VIEWERS | INSTRUCTORS),
    ("history", "classic", "draft", {}, CLASSIC_VIEWERS),
    ("history", "classic", "accepted", {}, CLASSIC_VIEWERS | INSTRUCTORS),
    ("history_org", "classic", "accepted", {}, CLASSIC_VIEWERS | INSTRUCTORS),
    ("history_org", "relay", "accepted", {}, VIEWERS | INSTRUCTORS),
    ("list", "classic", "draft", {}, SIGNED_IN),
    ("check_eligibility", "relay", "draft", {"eligible": True}, RELAY_EDITORS),
    ("check_eligibility", "classic", "draft", {"eligible": True}, {"sysadmin"}),
    ("submit", "classic", "draft", {}, {"entity_referent", "sysadmin"}),
    ("submit", "relay", "returned", {}, RELAY_EDITORS),
    ("legal_show", "classic", "pending_legal_validation", {}, EVERYONE),
    ("legal_validate", "classic", "pending_legal_validation", {}, EVERYONE),
    ("decide", "classic", "pending_instruction", {"decision": "accept"}, INSTRUCTORS),
    ("decide", "relay", "pending_instruction", {"decision": "accept"}, INSTRUCTORS),
    ("suspend", "classic", "accepted", {"reason": "x"}, INSTRUCTORS),
    ("reinstate", "relay", "suspended", {}, INSTRUCTORS),
    ("terminate", "classic", "accepted", {"reason": "x"}, INSTRUCTORS),
    ("renew", "classic", "expired", {}, CLASSIC_EDITORS),
    ("renew", "relay", "expired", {}, RELAY_EDITORS),
    ("expire", "classic", None, {}, {"sysadmin"}),
    ("roles_show", "classic", None, {}, EVERYONE),
]


def _users(adhesion: dict[str, Any], staff: f.Staff) -> dict[str, str]:
    entity_admin = factories.User()
    tk.get_action("organization_member_create")(
        {"ignore_auth": True},
        {
            "id": adhesion["organization_id"],
            "username": entity_admin["name"],
            "role": "admin",
        },
    )
    other_admin = factories.User()
    factories.Organization(users=[{"name": other_admin["name"], "capacity": "admin"}])
    return {
        "anonymous": "",
        "plain_user": factories.User()["name"],
        "entity_referent": adhesion["referent_dict"]["name"],
        "entity_admin": entity_admin["name"],
        "other_entity_admin": other_admin["name"],
        "super_referent": staff.super_referent["name"],
        "instructor": staff.instructor["name"],
        "sysadmin": staff.sysadmin["name"],
    }


def _name(action: str) -> str:
    """The action a row of the matrix calls."""
    return {
        "roles_show": "dinamis_relay_roles_show",
        "history_org": "dinamis_relay_adhesion_history",
    }.get(action, f"dinamis_relay_adhesion_{action}")


def _data(action: str, adhesion: dict[str, Any], extra: dict[str, Any]) -> tuple[str, dict]:
    name = _name(action)
    if action == "roles_show":
        return name, {}
    if action == "create":
        return name, {"organization_id": adhesion["organization_id"], "mode": adhesion["mode"]}
    if action == "history_org":
        return name, {"organization_id": adhesion["organization_id"]}
    if action in ("legal_show", "legal_validate"):
        return name, {"token": f.legal_token(adhesion["id"]), "decision": "accept"}
    if action in ("list", "expire"):
        return name, {}
    return name, {"id": adhesion["id"], **extra}


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize(
    ("action", "mode", "state", "extra", "allowed"),
    MATRIX,
    ids=[f"{row[0]}-{row[1]}-{row[2]}" for row in MATRIX],
)
def test_auth_matrix(action, mode, state, extra, allowed):
    staff = f.staff()
    adhesion = f.adhesion(state or "draft", mode=mode)
    users = _users(adhesion, staff)
    auth_name, data = _data(action, adhesion, extra)

    outcome = {}
    for role, user in users.items():
        context = {"user": user}
        try:
            tk.check_access(auth_name, context, dict(data))
            outcome[role] = True
        except tk.NotAuthorized:
            outcome[role] = False

    assert outcome == {role: role in allowed for role in ROLES}


def test_every_adhesion_action_is_in_the_matrix():
    from ckanext.dinamis_relay.logic import action

    names = {n for n in action.__all__ if n.startswith("dinamis_relay_adhesion_")}
    covered = {_name(row[0]) for row in MATRIX}
    # Their role matrices are in test_registration.py and test_waves.py.
    covered |= {
        "dinamis_relay_adhesion_register",
        "dinamis_relay_adhesion_register_import",
        "dinamis_relay_adhesion_wave_import",
        "dinamis_relay_adhesion_bulk",
    }
    assert names <= covered
