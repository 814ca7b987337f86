"""The adhesion lifecycle of DOMAIN.md, in classic and relay mode, through the actions."""

from __future__ import annotations

import datetime

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories

from ckanext.dinamis_relay import signals
from ckanext.dinamis_relay.model import Adhesion

from .. import factories as f


def _actions(history: dict) -> list[str]:
    return [event["action"] for event in reversed(history["results"])]


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestClassicMode:
    def test_referent_drafts_and_submits_instructor_accepts(self):
        staff = f.staff()
        admin = factories.User()
        referent = factories.User()
        org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}])

        # The organization's admin starts the draft and designates the referent.
        draft = f.call(
            "create",
            admin,
            organization_id=org["name"],
            mode="classic",
            legal_name="Commune de Pessac",
            referent_user_id=referent["name"],
        )
        assert draft["state"] == "draft"
        assert draft["mode"] == "classic"
        assert draft["organization_id"] == org["id"]
        assert draft["referent_user_id"] == referent["id"]
        assert "legal_token_nonce" not in draft

        # The referent completes and submits it.
        data = f.adhesion_data()
        f.call("patch", referent, id=draft["id"], **data)
        submitted = f.call("submit", referent, id=draft["id"])
        assert submitted["state"] == "pending_legal_validation"
        assert submitted["submitted_by"] == referent["id"]

        # The legal representative accepts through the link, without an account.
        legal = tk.get_action("dinamis_relay_adhesion_legal_show")(
            {"user": ""}, {"token": f.legal_token(draft["id"])}
        )
        assert legal["adhesion"]["legal_name"] == "Commune de Pessac"
        assert [t["code"] for t in legal["texts"]] == [
            "charte-dinamis",
            "dinamis-spot67",
            "dinamis-pleiades",
        ]
        assert all(t["available"] and "<" in t["html"] for t in legal["texts"])
        result = f.call("legal_validate", None, token=f.legal_token(draft["id"]), decision="accept")
        assert result["state"] == "pending_instruction"

        accepted = f.call(
            "decide",
            staff.instructor,
            id=draft["id"],
            decision="accept",
            dinamis_reference="DIN-2026-77",
        )
        year = datetime.date.today().year
        assert accepted["state"] == "accepted"
        assert accepted["number"] == f"DINAMIS-{year}-0001"
        assert accepted["decided_by"] == staff.instructor["id"]
        assert accepted["dinamis_reference"] == "DIN-2026-77"
        assert accepted["valid_from"] == datetime.date.today().isoformat()
        assert accepted["valid_until"].startswith(str(year + 3))
        assert accepted["legal_accepted_at"]
        assert {
            (a["text_kind"], a["text_code"], a["text_version"]) for a in accepted["acceptances"]
        } == {
            ("charter", "charte-dinamis", "2024-10-15"),
            ("licence", "dinamis-spot67", "2024-10-15"),
            ("licence", "dinamis-pleiades", "2024-10-15"),
        }
        assert {a["accepted_by_email"] for a in accepted["acceptances"]} == {"maire@pessac.fr"}

        history = f.call("history", referent, id=draft["id"])
        assert _actions(history) == ["create", "update", "submit", "legal_accept", "accept"]
        legal_event = history["results"][1]
        assert legal_event["user_id"] is None
        assert legal_event["actor_label"] == "Jeanne Maire <maire@pessac.fr>"
        assert legal_event["from_state"] == "pending_legal_validation"
        assert legal_event["to_state"] == "pending_instruction"

    def test_referent_defaults_to_the_creator(self):
        admin = factories.User()
        org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}])
        draft = f.call("create", admin, organization_id=org["id"], mode="classic")
        assert draft["referent_user_id"] == admin["id"]
        assert draft["legal_name"] == org["title"]

    def test_return_then_submit_again(self):
        staff = f.staff()
        adhesion = f.adhesion("pending_instruction")
        referent = adhesion["referent_dict"]
        returned = f.call(
            "decide", staff.instructor, id=adhesion["id"], decision="return", reason="SIRET?"
        )
        assert returned["state"] == "returned"
        assert returned["decision_reason"] == "SIRET?"
        f.call("patch", referent, id=adhesion["id"], acronym="VDP")
        assert f.call("submit", referent, id=adhesion["id"])["state"] == (
            "pending_legal_validation"
        )

    def test_reject_then_new_application_copies_fields(self):
        staff = f.staff()
        adhesion = f.adhesion("pending_instruction")
        f.call("decide", staff.instructor, id=adhesion["id"], decision="reject", reason="Non")
        referent = adhesion["referent_dict"]

        again = f.call(
            "create", referent, organization_id=adhesion["organization_id"], mode="classic"
        )

        assert again["id"] != adhesion["id"]
        assert again["previous_id"] == adhesion["id"]
        assert again["siret"] == adhesion["siret"]
        assert again["state"] == "draft"
        shown = f.call("show", referent, organization_id=adhesion["organization_id"])
        assert shown["id"] == again["id"]
        old = model.Session.get(Adhesion, adhesion["id"])
        assert old is not None and old.is_current is False and old.state == "rejected"

    def test_suspend_reinstate_terminate(self):
        staff = f.staff()
        adhesion = f.adhesion("accepted")
        instructor = staff.instructor
        assert f.call("suspend", instructor, id=adhesion["id"], reason="Abus")["state"] == (
            "suspended"
        )
        assert f.call("reinstate", instructor, id=adhesion["id"])["state"] == "accepted"
        assert f.call("terminate", instructor, id=adhesion["id"], reason="Fin")["state"] == (
            "terminated"
        )
        events = f.call("history", instructor, id=adhesion["id"])["results"]
        assert events[0]["action"] == "terminate"
        assert events[0]["comment"] == "Fin"
        assert events[2]["comment"] == "Abus"

    def test_renew_from_expired(self):
        f.staff()
        adhesion = f.adhesion("expired")
        referent = adhesion["referent_dict"]
        assert adhesion["actions"] == ["renew"]

        renewed = f.call("renew", referent, organization_id=adhesion["organization_id"])

        assert renewed["state"] == "draft"
        assert renewed["previous_id"] == adhesion["id"]
        assert renewed["legal_rep_email"] == adhesion["legal_rep_email"]
        assert renewed["number"] is None
        by_org = f.call("history", referent, organization_id=adhesion["organization_dict"]["name"])
        assert by_org["results"][0]["action"] == "renew"
        assert by_org["results"][1]["action"] == "expire"

    def test_signal_after_each_transition(self):
        staff = f.staff()
        adhesion = f.adhesion("pending_instruction")
        received = []

        def receiver(sender, **kwargs):
            state = model.Session.get(Adhesion, sender).state
            received.append((sender, kwargs, state))

        signals.adhesion_transition.connect(receiver)
        try:
            f.call("decide", staff.instructor, id=adhesion["id"], decision="accept")
        finally:
            signals.adhesion_transition.disconnect(receiver)
        assert received == [
            (
                adhesion["id"],
                {
                    "action": "accept",
                    "from_state": "pending_instruction",
                    "to_state": "accepted",
                    "user_id": staff.instructor["id"],
                },
                "accepted",
            )
        ]


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestRelayMode:
    def test_super_referent_checks_eligibility_and_submits(self, adhesion_factory):
        staff = f.staff()
        sr = staff.super_referent
        draft = adhesion_factory(user=sr, relay=True)
        with pytest.raises(tk.ValidationError) as error:
            f.call("submit", sr, id=draft["id"])
        assert "eligibility" in error.value.error_dict

        f.call("check_eligibility", sr, id=draft["id"], eligible=False, note="À vérifier")
        with pytest.raises(tk.ValidationError):
            f.call("submit", sr, id=draft["id"])
        checked = f.call("check_eligibility", sr, id=draft["id"], eligible=True, note="OK")
        assert [c["eligible"] for c in checked["eligibility_checks"]] == [True, False]

        submitted = f.call("submit", sr, id=draft["id"])
        year = datetime.date.today().year
        assert submitted["amendment_number"] == f"AVENANT-{year}-0001"

        legal = tk.get_action("dinamis_relay_adhesion_legal_show")(
            {}, {"token": f.legal_token(draft["id"])}
        )
        assert legal["texts"][-1]["code"] == "avenant-relais"
        assert legal["relay_label"] == "PIGMA"
        f.call("legal_validate", None, token=f.legal_token(draft["id"]), decision="accept")
        shown = f.call("show", sr, id=draft["id"])
        assert ("amendment", "avenant-relais") in {
            (a["text_kind"], a["text_code"]) for a in shown["acceptances"]
        }

    def test_referent_cannot_submit_relay_mode(self):
        f.staff()
        adhesion = f.adhesion("draft", mode="relay")
        with pytest.raises(tk.NotAuthorized):
            f.call("submit", adhesion["referent_dict"], id=adhesion["id"])

    def test_eligibility_check_only_for_relay_mode(self, adhesion_draft):
        staff = f.staff()
        with pytest.raises(tk.NotAuthorized):
            f.call(
                "check_eligibility", staff.super_referent, id=adhesion_draft["id"], eligible=True
            )


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestLegalLink:
    def test_decline_returns_the_application(self):
        adhesion = f.adhesion("pending_legal_validation")
        token = f.legal_token(adhesion["id"])
        result = f.call("legal_validate", None, token=token, decision="decline", comment="Non")
        assert result["state"] == "returned"
        shown = f.call("show", adhesion["referent_dict"], id=adhesion["id"])
        assert shown["decision_reason"] == "Non"
        assert shown["acceptances"] == []

    def test_resubmit_replaces_the_link(self):
        adhesion = f.adhesion("pending_legal_validation")
        old_token = f.legal_token(adhesion["id"])
        f.call("legal_validate", None, token=old_token, decision="decline")
        f.call("submit", adhesion["referent_dict"], id=adhesion["id"])
        assert f.legal_token(adhesion["id"]) != old_token
        before = f.db_snapshot()
        with pytest.raises(tk.ValidationError):
            f.call("legal_validate", None, token=old_token, decision="accept")
        assert f.db_snapshot() == before


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestExpireAction:
    def test_expiry_reminders_and_expired_links(self):
        f.staff()
        ending = f.adhesion("accepted")
        later = f.adhesion("accepted")
        pending = f.adhesion("pending_legal_validation")
        today = datetime.date.today()
        rows = {a.id: a for a in model.Session.query(Adhesion)}
        rows[ending["id"]].valid_until = today - datetime.timedelta(days=1)
        rows[later["id"]].valid_until = today + datetime.timedelta(days=10)
        rows[pending["id"]].legal_token_expires = datetime.datetime.now(
            datetime.timezone.utc
        ).replace(tzinfo=None) - datetime.timedelta(minutes=1)
        model.Session.commit()
        sysadmin = factories.Sysadmin()
        expire = tk.get_action("dinamis_relay_adhesion_expire")

        dry = expire({"user": sysadmin["name"]}, {"dry_run": True})
        assert dry == {
            "expired": [ending["id"]],
            "reminded": [later["id"]],
            "links_expired": [pending["id"]],
        }
        assert f.call("show", sysadmin, id=ending["id"])["state"] == "accepted"

        assert expire({"user": sysadmin["name"]}, {}) == dry
        assert f.call("show", sysadmin, id=ending["id"])["state"] == "expired"
        assert f.call("show", sysadmin, id=later["id"])["reminder_sent_at"]
        assert f.call("show", sysadmin, id=pending["id"])["state"] == "returned"
        # Reminders go out once.
        assert expire({"user": sysadmin["name"]}, {}) == {
            "expired": [],
            "reminded": [],
            "links_expired": [],
        }
