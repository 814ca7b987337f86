"""One policy: each defect found when the landed code was tried as an attacker, reproduced
through the action API, and what the lifecycle tables now answer instead."""

from __future__ import annotations

import datetime
import threading

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan.tests import factories

from ckanext.dinamis_relay import lifecycle, signals
from ckanext.dinamis_relay.access import active_account_org_ids
from ckanext.dinamis_relay.access.permission_labels import DinamisPermissionLabels
from ckanext.dinamis_relay.lifecycle.account import ACCOUNT
from ckanext.dinamis_relay.lifecycle.adhesion import ADHESION
from ckanext.dinamis_relay.lifecycle.imagery import IMAGERY
from ckanext.dinamis_relay.model import Account, Adhesion, AuditEvent

from .. import factories as f

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _ctx(user: dict | None) -> dict:
    return {"user": user["name"] if user else "", "ignore_auth": False}


def _act(action: str, user: dict | None, **data):
    return tk.get_action(action)(_ctx(user), data)


def _capacity(user_id: str, organization_id: str) -> str | None:
    model.Session.expire_all()
    return model.Session.execute(
        sa.select(model.Member.capacity).where(
            model.Member.table_name == "user",
            model.Member.table_id == user_id,
            model.Member.group_id == organization_id,
            model.Member.state == "active",
        )
    ).scalar()


def _user_labels(user: dict) -> list[str]:
    model.Session.expire_all()
    return DinamisPermissionLabels().get_user_dataset_labels(model.User.get(user["id"]))


# --- A super-referent's power on CKAN membership ----------------------------------------


def test_a_relay_draft_gives_no_power_on_membership():
    """Reproduction: a relay-mode draft on any organization, then member_create → success."""
    staff = f.staff()
    target = factories.Organization()
    stranger = factories.User()
    _act(
        "dinamis_relay_adhesion_create",
        staff.super_referent,
        organization_id=target["id"],
        mode="relay",
    )
    with pytest.raises(tk.NotAuthorized):
        _act(
            "organization_member_create",
            staff.super_referent,
            id=target["id"],
            username=stranger["name"],
            role="member",
        )
    assert _capacity(stranger["id"], target["id"]) is None


@pytest.mark.parametrize("capacity", ["", None, "editor", "admin"])
def test_on_an_accepted_partner_only_the_member_capacity(capacity):
    staff = f.staff()
    partner = f.adhesion("accepted", mode="relay")
    org_id = partner["organization_id"]
    person = factories.User()
    data = {"id": org_id, "object": person["id"], "object_type": "user"}
    if capacity is not None:
        data["capacity"] = capacity
    with pytest.raises((tk.NotAuthorized, tk.ValidationError)):
        _act("member_create", staff.super_referent, **data)
    assert _capacity(person["id"], org_id) is None


def test_on_an_accepted_partner_the_member_capacity_is_granted_and_removed():
    staff = f.staff()
    partner = f.adhesion("accepted", mode="relay")
    org_id = partner["organization_id"]
    person = factories.User()
    _act(
        "organization_member_create",
        staff.super_referent,
        id=org_id,
        username=person["name"],
        role="member",
    )
    assert _capacity(person["id"], org_id) == "member"
    _act("organization_member_delete", staff.super_referent, id=org_id, username=person["name"])
    assert _capacity(person["id"], org_id) is None


@pytest.mark.parametrize("state", ["draft", "pending_instruction", "suspended", "terminated"])
def test_no_power_unless_the_relay_adhesion_is_accepted(state):
    staff = f.staff()
    partner = f.adhesion(state, mode="relay")
    person = factories.User()
    with pytest.raises(tk.NotAuthorized):
        _act(
            "organization_member_create",
            staff.super_referent,
            id=partner["organization_id"],
            username=person["name"],
            role="member",
        )


def test_no_power_once_the_validity_has_passed_even_before_the_cron():
    staff = f.staff()
    partner = f.adhesion("accepted", mode="relay")
    row = model.Session.get(Adhesion, partner["id"])
    assert row is not None
    row.valid_until = datetime.date.today() - datetime.timedelta(days=1)
    model.Session.commit()
    with pytest.raises(tk.NotAuthorized):
        _act(
            "organization_member_create",
            staff.super_referent,
            id=partner["organization_id"],
            username=factories.User()["name"],
            role="member",
        )


def test_never_on_the_relay_or_dinamis_organizations():
    staff = f.staff()
    person = factories.User()
    for org in (staff.relay, staff.dinamis):
        with pytest.raises((tk.NotAuthorized, tk.ValidationError)):
            _act(
                "dinamis_relay_adhesion_create",
                staff.super_referent,
                organization_id=org["id"],
                mode="relay",
            )
        with pytest.raises(tk.NotAuthorized):
            _act(
                "organization_member_create",
                staff.super_referent,
                id=org["id"],
                username=person["name"],
                role="member",
            )


# --- Super-referents act on relay-mode entities only -----------------------------------


def test_super_referents_do_not_see_classic_applications():
    staff = f.staff()
    classic = f.adhesion("draft", mode="classic")
    relay = f.adhesion("draft", mode="relay")
    with pytest.raises(tk.NotAuthorized):
        _act("dinamis_relay_adhesion_show", staff.super_referent, id=classic["id"])
    listed = _act("dinamis_relay_adhesion_list", staff.super_referent)
    assert [a["id"] for a in listed["results"]] == [relay["id"]]
    with pytest.raises(tk.NotAuthorized):
        _act("dinamis_relay_adhesion_history", staff.super_referent, id=classic["id"])
    with pytest.raises(tk.NotAuthorized):
        _act(
            "dinamis_relay_adhesion_history",
            staff.super_referent,
            organization_id=classic["organization_id"],
        )


def test_super_referents_cannot_supersede_a_classic_acte(run_jobs):
    staff = f.staff()
    classic = f.adhesion("accepted", mode="classic")
    run_jobs()
    before = _act("dinamis_relay_document_list", staff.sysadmin, adhesion_id=classic["id"])
    with pytest.raises(tk.NotAuthorized):
        _act(
            "dinamis_relay_document_generate",
            staff.super_referent,
            adhesion_id=classic["id"],
            kind="acte_adhesion",
        )
    after = _act("dinamis_relay_document_list", staff.sysadmin, adhesion_id=classic["id"])
    assert after == before


# --- Instructors see an application from its submission on -----------------------------


def test_instructors_do_not_read_drafts_through_the_organization_history():
    staff = f.staff()
    draft = f.adhesion("draft")
    history = _act(
        "dinamis_relay_adhesion_history",
        staff.instructor,
        organization_id=draft["organization_id"],
    )
    assert history == {"count": 0, "results": []}
    _act("dinamis_relay_adhesion_submit", draft["referent_dict"], id=draft["id"])
    history = _act(
        "dinamis_relay_adhesion_history",
        staff.instructor,
        organization_id=draft["organization_id"],
    )
    assert [e["action"] for e in history["results"]] == ["submit", "create"]


# --- Access computed from the facts ----------------------------------------------------


def _granted(account: dict) -> bool:
    """Whether the account's person may use the services of its entity right now."""
    model.Session.expire_all()
    return account["organization_id"] in active_account_org_ids(account["user_id"])


def test_access_stops_when_the_organization_is_deleted():
    account = f.account("active")
    assert _granted(account)
    _act("organization_delete", factories.Sysadmin(), id=account["organization_id"])
    assert not _granted(account)
    model.Session.expire_all()
    assert model.Session.get(Account, account["id"]).state == "closed"


def test_access_stops_when_group_update_empties_the_users():
    account = f.account("active")
    assert _granted(account)
    org = _act("organization_show", factories.Sysadmin(), id=account["organization_id"])
    _act("group_update", factories.Sysadmin(), **{**org, "users": []})
    assert not _granted(account)
    model.Session.expire_all()
    assert model.Session.get(Account, account["id"]).state == "closed"


def test_access_stops_at_the_end_of_validity_before_the_cron_runs():
    account = f.account("active")
    assert _granted(account)
    row = Adhesion.current_for(account["organization_id"])
    assert row is not None
    row.valid_until = datetime.date.today() - datetime.timedelta(days=1)
    model.Session.commit()
    assert not _granted(account)


def test_a_suspended_account_loses_the_membership_activation_gave():
    account = f.account("active")
    person = account["person_dict"]
    org_id = account["organization_id"]
    assert _capacity(person["id"], org_id) == "member"
    sysadmin = factories.Sysadmin()
    _act("dinamis_relay_account_suspend", sysadmin, id=account["id"])
    assert _capacity(person["id"], org_id) is None
    assert f"member-{org_id}" not in _user_labels(person)
    _act("dinamis_relay_account_reactivate", sysadmin, id=account["id"])
    assert _capacity(person["id"], org_id) == "member"


# --- Account transitions under concurrency ---------------------------------------------


@pytest.mark.parametrize(
    "second", ["dinamis_relay_account_validate", "dinamis_relay_account_refuse"]
)
def test_two_concurrent_decisions_on_one_request_make_one_change(second):
    requested = f.account("requested")
    sysadmin = factories.Sysadmin()
    model.Session.commit()
    model.Session.remove()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(action: str) -> None:
        try:
            barrier.wait(timeout=30)
            data = {"id": requested["id"], "reason": "Doublon"}
            tk.get_action(action)({"user": sysadmin["name"]}, data)
            outcomes.append("ok")
        except tk.ValidationError:
            outcomes.append("refused")
        finally:
            model.Session.remove()

    threads = [
        threading.Thread(target=decide, args=(action,))
        for action in ("dinamis_relay_account_validate", second)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["ok", "refused"]
    events = (
        model.Session.execute(
            sa.select(AuditEvent.action).where(
                AuditEvent.object_id == requested["id"], AuditEvent.action != "request"
            )
        )
        .scalars()
        .all()
    )
    assert len(events) == 1
    state = model.Session.get(Account, requested["id"]).state
    member = _capacity(requested["user_id"], requested["organization_id"])
    assert (state, member) in (("active", "member"), ("refused", None))


# --- The lifecycle tables are the rules -------------------------------------------------


def test_an_expired_adhesion_is_renewed_not_replaced():
    expired = f.adhesion("expired")
    with pytest.raises(tk.ValidationError) as error:
        _act(
            "dinamis_relay_adhesion_create",
            factories.Sysadmin(),
            organization_id=expired["organization_id"],
            mode="classic",
        )
    assert error.value.error_dict == {
        "organization_id": ["This organization's adhesion has expired: renew it instead."]
    }
    renewed = _act("dinamis_relay_adhesion_renew", factories.Sysadmin(), id=expired["id"])
    assert renewed["previous_id"] == expired["id"]


def test_show_actions_are_the_table_for_the_caller():
    staff = f.staff()
    pending = f.adhesion("pending_instruction", mode="relay")
    shown = _act("dinamis_relay_adhesion_show", staff.instructor, id=pending["id"])
    assert shown["actions"] == ["accept", "reject", "return"]
    shown = _act("dinamis_relay_adhesion_show", staff.super_referent, id=pending["id"])
    assert shown["actions"] == []
    draft = f.adhesion("draft", mode="relay")
    shown = _act("dinamis_relay_adhesion_show", staff.super_referent, id=draft["id"])
    assert shown["actions"] == ["update", "check_eligibility", "submit"]


def test_no_button_for_automatic_transitions():
    account = f.account("active")
    shown = _act("dinamis_relay_account_show", factories.Sysadmin(), id=account["id"])
    assert shown["actions"] == ["suspend", "close"]


@pytest.mark.parametrize("table", [ADHESION, ACCOUNT, IMAGERY])
def test_every_transition_leads_to_a_declared_state(table):
    for transition in table.transitions:
        assert transition.to_state is None or transition.to_state in table.states
        assert all(s is None or s in table.states for s in transition.from_states)
        assert transition.parties


# --- defer_commit means one thing everywhere --------------------------------------------


def test_under_defer_commit_nothing_is_sent_before_the_commit_and_nothing_after_a_rollback():
    draft = f.adhesion("draft")
    received: list[str] = []

    def receiver(sender, **kwargs):
        received.append(kwargs["action"])

    signals.adhesion_transition.connect(receiver)
    try:
        context = {**_ctx(draft["referent_dict"]), "defer_commit": True}
        tk.get_action("dinamis_relay_adhesion_submit")(context, {"id": draft["id"]})
        assert received == []
        model.Session.rollback()
        assert received == []
        model.Session.expire_all()
        assert model.Session.get(Adhesion, draft["id"]).state == "draft"
        tk.get_action("dinamis_relay_adhesion_submit")(context, {"id": draft["id"]})
        model.Session.commit()
        assert received == ["submit"]
    finally:
        signals.adhesion_transition.disconnect(receiver)


def test_a_refused_transition_changes_nothing():
    pending = f.adhesion("pending_instruction")
    before = f.db_snapshot()
    with pytest.raises(tk.ValidationError) as error:
        _act(
            "dinamis_relay_adhesion_decide",
            factories.Sysadmin(),
            id=pending["id"],
            decision="reject",
        )
    assert "reason" in error.value.error_dict
    assert f.db_snapshot() == before
    assert lifecycle.session_of({}).info.get("dinamis_relay_after_commit") in (None, [])
