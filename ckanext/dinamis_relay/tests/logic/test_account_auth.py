"""Auth matrix: every account action against every role, on a classic-mode and a relay-mode
entity, including cross-entity attempts."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories

from .. import account_helpers as h

ROLES = (
    "anonymous",
    "plain_user",
    "the_person",
    "referent",  # referent of the entity (classic mode for A, relay mode for R)
    "other_referent",  # referent of another classic entity
    "org_admin",  # CKAN admin of the entity, no DINAMIS role
    "super_referent",
    "instructor",
    "sysadmin",
)
ENTITY_ACTIONS = ("create", "import", "list")
ACCOUNT_ACTIONS = ("validate", "refuse", "suspend", "reactivate", "close", "show")
MANAGE = {"create", "import", "validate", "refuse", "suspend", "reactivate", "close"}


def expected(role: str, action: str, mode: str) -> bool:
    """The rules of DOMAIN.md, written independently of the auth module."""
    if role == "sysadmin":
        return True
    if action == "expire" or role == "anonymous":
        return False
    if action == "request":
        return True
    manager = (role == "referent" and mode == "classic") or (
        role == "super_referent" and mode == "relay"
    )
    if action in MANAGE:
        return manager or (action == "close" and role == "the_person")
    # show / list
    readers = {"instructor", "referent"} | ({"the_person"} if action == "show" else set())
    return manager or role in readers


@pytest.fixture()
def world(account_factory):
    people = {role: factories.User() for role in ROLES if role not in ("anonymous", "sysadmin")}
    people["anonymous"] = None
    people["sysadmin"] = factories.Sysadmin()
    staff = h.super_referent()
    people["super_referent"] = staff
    people["instructor"] = h.instructor()
    h.entity("classic", referent=people["other_referent"])

    entities = {}
    for mode in ("classic", "relay"):
        # The same users hold the same roles in both entities.
        org = h.entity(mode, referent=people["referent"])
        h.add_member(org, people["org_admin"], "admin")
        account = account_factory(user=people["the_person"], organization_id=org["id"])
        entities[mode] = (org, account)
    return people, entities


def _allowed(user, action: str, data: dict) -> bool:
    context = {"user": user["name"] if user else ""}
    try:
        tk.check_access(f"dinamis_relay_account_{action}", context, data)
    except tk.NotAuthorized:
        return False
    return True


def _table(world, action: str) -> tuple[dict, dict]:
    people, entities = world
    got, want = {}, {}
    for mode, (org, account) in entities.items():
        if action in ACCOUNT_ACTIONS:
            data = {"id": account["id"]}
        elif action == "expire":
            data = {}
        else:
            data = {"organization_id": org["id"]}
        for role in ROLES:
            got[(role, mode)] = _allowed(people[role], action, dict(data))
            want[(role, mode)] = expected(role, action, mode)
    return got, want


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize("action", ("request", *ENTITY_ACTIONS, *ACCOUNT_ACTIONS, "expire"))
def test_auth_matrix(world, action):
    got, want = _table(world, action)
    wrong = {key: got[key] for key in got if got[key] != want[key]}
    assert not wrong, f"{action}: unexpected decisions {wrong}"


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestCrossEntityThroughActions:
    """The same refusals seen from the actions themselves, with nothing changed."""

    def test_referent_of_a_cannot_validate_in_b(self, account_factory):
        referent_a = factories.User()
        h.entity("classic", referent=referent_a)
        org_b = h.entity("classic", referent=factories.User())
        account = account_factory(user=factories.User(), organization_id=org_b["id"])
        with pytest.raises(tk.NotAuthorized):
            h.call("dinamis_relay_account_validate", referent_a, id=account["id"])
        with pytest.raises(tk.NotAuthorized):
            h.call(
                "dinamis_relay_account_create",
                referent_a,
                organization_id=org_b["id"],
                user=factories.User()["name"],
                job_title="x",
                intended_use="y",
            )
        assert h.account_row(account["id"]).state == "requested"
        assert h.account_count() == 1

    def test_super_referent_cannot_act_on_classic_entity(self, account_factory):
        staff = h.super_referent()
        org = h.entity("classic", referent=factories.User())
        account = account_factory(user=factories.User(), organization_id=org["id"])
        for action in ("validate", "suspend", "close"):
            with pytest.raises(tk.NotAuthorized):
                h.call(f"dinamis_relay_account_{action}", staff, id=account["id"])
        with pytest.raises(tk.NotAuthorized):
            h.call("dinamis_relay_account_refuse", staff, id=account["id"], reason="x")
        assert h.account_row(account["id"]).state == "requested"
        assert [e.action for e in h.events(account["id"])] == ["request"]

    def test_show_unknown_account_is_not_found(self):
        with pytest.raises(tk.ObjectNotFound):
            h.call("dinamis_relay_account_show", factories.User(), id="missing")
