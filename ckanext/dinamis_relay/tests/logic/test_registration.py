"""Registering adhesions accepted outside the platform: one by one and from a CSV file."""

from __future__ import annotations

import datetime

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories

from ckanext.dinamis_relay import signals
from ckanext.dinamis_relay.documents import issue
from ckanext.dinamis_relay.model import Adhesion, AuditEvent, Document, Registration

from .. import account_helpers as ah
from .. import procedure_helpers as h
from ..factories import valid_siret

TODAY = datetime.date.today()
LAST_YEAR = TODAY.replace(year=TODAY.year - 1)
IN_TWO_YEARS = TODAY.replace(year=TODAY.year + 2)


@pytest.fixture()
def people():
    return {
        "sysadmin": factories.Sysadmin(),
        "instructor": ah.instructor(),
        "super_referent": ah.super_referent(),
        "user": factories.User(),
        "anonymous": None,
    }


def _data(org, referent, **overrides):
    data = {
        "organization_id": org["name"],
        "number": "DIN-2023-117",
        "accepted_on": LAST_YEAR.isoformat(),
        "valid_until": IN_TWO_YEARS.isoformat(),
        "referent_user_id": referent["name"],
        "siret": valid_siret(),
        "referent_title": "Chef du service SIG",
    }
    data.update(overrides)
    return data


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestRegister:
    def test_lands_accepted_with_its_number_dates_and_journal(self, people):
        org, referent = factories.Organization(title="Ville de Libourne"), factories.User()
        result = h.call("adhesion_register", people["instructor"], **_data(org, referent))

        row = model.Session.get(Adhesion, result["id"])
        assert row.state == "accepted" and row.is_current
        assert row.number == "DIN-2023-117"
        assert (row.valid_from, row.valid_until) == (LAST_YEAR, IN_TWO_YEARS)
        assert row.referent_user_id == referent["id"]
        assert row.legal_name == "Ville de Libourne"
        assert row.legal_token_nonce is None and row.submitted_at is None
        assert result["registration"]["number_external"] is True
        (event,) = model.Session.query(AuditEvent).filter_by(object_id=row.id).all()
        assert (event.action, event.from_state, event.to_state) == ("register", None, "accepted")
        assert event.user_id == people["instructor"]["id"]
        assert event.data["number"] == "DIN-2023-117"

    def test_its_people_may_request_accounts_at_once(self, people, account_factory):
        org, referent = factories.Organization(), factories.User()
        h.call("adhesion_register", people["sysadmin"], **_data(org, referent))
        account = account_factory(user=factories.User(), organization_id=org["id"])
        assert account["state"] == "requested"
        history = h.call("adhesion_history", referent, organization_id=org["id"])
        assert [e["action"] for e in history["results"]] == ["register"]

    def test_counted_by_the_public_statistics(self, people, reset_redis):
        before = h.call("stats", None)["entities"]["adherent"]
        reset_redis()
        h.call(
            "adhesion_register",
            people["sysadmin"],
            **_data(factories.Organization(), factories.User()),
        )
        assert h.call("stats", None)["entities"]["adherent"] == before + 1

    def test_a_number_of_the_platform_pattern_is_not_external(self, people):
        number = f"DINAMIS-{TODAY.year - 2}-0042"
        result = h.call(
            "adhesion_register",
            people["sysadmin"],
            **_data(factories.Organization(), factories.User(), number=number),
        )
        assert result["registration"]["number_external"] is False

    def test_replaces_a_draft_which_stays_in_the_history(self, people):
        org, draft = h.adherent(state="draft")
        result = h.call("adhesion_register", people["sysadmin"], **_data(org, factories.User()))
        model.Session.expire_all()
        assert model.Session.get(Adhesion, draft.id).is_current is False
        assert result["previous_id"] == draft.id

    @pytest.mark.parametrize(
        ("who", "mode", "allowed"),
        [
            ("sysadmin", "classic", True),
            ("instructor", "classic", True),
            ("instructor", "relay", True),
            ("super_referent", "relay", True),
            ("super_referent", "classic", False),
            ("user", "classic", False),
            ("user", "relay", False),
            ("anonymous", "relay", False),
        ],
    )
    def test_who_may_register(self, people, who, mode, allowed):
        data = _data(factories.Organization(), factories.User(), mode=mode)
        before = h.snapshot()
        if allowed:
            assert h.call("adhesion_register", people[who], **data)["state"] == "accepted"
        else:
            with pytest.raises(tk.NotAuthorized):
                h.call("adhesion_register", people[who], **data)
            assert h.snapshot() == before


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestRegisterThroughTheLifecycle:
    """`register` is a row of the lifecycle table: applied by lifecycle.apply like the
    others (signal after commit), and it issues no Acte (the acte was issued outside)."""

    def test_signal_after_commit_like_every_transition(self, people):
        received = []

        def receiver(sender, **kwargs):
            received.append((model.Session.get(Adhesion, sender).state, kwargs))

        signals.adhesion_transition.connect(receiver)
        try:
            result = h.call(
                "adhesion_register",
                people["instructor"],
                **_data(factories.Organization(), factories.User()),
            )
        finally:
            signals.adhesion_transition.disconnect(receiver)
        assert received == [
            (
                "accepted",
                {
                    "action": "register",
                    "from_state": None,
                    "to_state": "accepted",
                    "user_id": people["instructor"]["id"],
                },
            )
        ]
        assert model.Session.get(Adhesion, result["id"]).modified is not None

    def test_each_imported_row_is_signalled(self, people):
        orgs = [factories.Organization() for _ in range(2)]
        referent = factories.User()
        text = HEADER + "".join(
            f"{org['name']},EXT-{n},{LAST_YEAR},{IN_TWO_YEARS},{referent['name']},classic,\n"
            for n, org in enumerate(orgs)
        )
        received = []

        def receiver(sender, **kwargs):
            received.append(kwargs["action"])

        signals.adhesion_transition.connect(receiver)
        try:
            h.call("adhesion_register_import", people["sysadmin"], csv=text)
        finally:
            signals.adhesion_transition.disconnect(receiver)
        assert received == ["register", "register"]

    def test_no_acte_is_issued_for_a_registered_adhesion(self, people):
        result = h.call(
            "adhesion_register",
            people["sysadmin"],
            **_data(factories.Organization(), factories.User()),
        )
        adhesion = model.Session.get(Adhesion, result["id"])
        assert issue.can_issue(adhesion, "acte_adhesion") == "registered"
        assert issue.issue_due(adhesion.id) == []
        with pytest.raises(tk.ValidationError) as error:
            h.call(
                "document_generate",
                people["sysadmin"],
                adhesion_id=adhesion.id,
                kind="acte_adhesion",
            )
        assert "kind" in error.value.error_dict
        assert model.Session.query(Document).count() == 0

    def test_an_adhesion_accepted_here_still_gets_its_acte_reason_none(self, people):
        _org, adhesion = h.adherent(number="DINAMIS-2025-0001")
        adhesion.decided_at = adhesion.modified
        model.Session.commit()
        assert issue.can_issue(adhesion, "acte_adhesion") is None


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestRegisterBadInput:
    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"accepted_on": (TODAY + datetime.timedelta(days=3)).isoformat()}, "accepted_on"),
            ({"valid_until": LAST_YEAR.isoformat()}, "valid_until"),
            ({"valid_until": (TODAY - datetime.timedelta(days=1)).isoformat()}, "valid_until"),
            ({"accepted_on": "le 3 mars"}, "accepted_on"),
            ({"number": ""}, "number"),
            ({"number": f"DINAMIS-{TODAY.year}-9999"}, "number"),
            ({"referent_user_id": "nobody-here"}, "referent_user_id"),
            ({"organization_id": "no-such-org"}, "organization_id"),
            ({"siret": "12345678901234"}, "siret"),
            ({"mode": "other"}, "mode"),
        ],
    )
    def test_refused_with_the_field_and_nothing_written(self, people, overrides, field):
        data = _data(factories.Organization(), factories.User(), **overrides)
        before = h.snapshot()
        with pytest.raises(tk.ValidationError) as error:
            h.call("adhesion_register", people["sysadmin"], **data)
        assert field in error.value.error_dict
        assert h.snapshot() == before

    def test_an_accepted_organization_or_a_used_number_or_siret(self, people):
        org, existing = h.adherent(number="DIN-2022-001")
        before = h.snapshot()
        with pytest.raises(tk.ValidationError) as error:
            h.call("adhesion_register", people["sysadmin"], **_data(org, factories.User()))
        assert "organization_id" in error.value.error_dict
        other = factories.Organization()
        with pytest.raises(tk.ValidationError) as error:
            h.call(
                "adhesion_register",
                people["sysadmin"],
                **_data(other, factories.User(), number="DIN-2022-001", siret=existing.siret),
            )
        assert {"number", "siret"} <= set(error.value.error_dict)
        assert h.snapshot() == before


HEADER = "organization,number,accepted_on,valid_until,referent,mode,siret\n"


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestRegisterImport:
    def test_registers_every_row(self, people):
        orgs = [factories.Organization() for _ in range(2)]
        referent = factories.User(email="sig@pessac.fr")
        text = HEADER + "".join(
            f"{org['name']},EXT-{n},{LAST_YEAR},{IN_TWO_YEARS},{ref},relay,{valid_siret()}\n"
            for n, (org, ref) in enumerate(
                zip(orgs, [referent["name"], "sig@pessac.fr"], strict=True)
            )
        )
        result = h.call("adhesion_register_import", people["super_referent"], csv=text)
        assert result["registered"] == 2
        assert model.Session.query(Registration).count() == 2
        states = {
            a.state
            for a in model.Session.query(Adhesion).filter(Adhesion.id.in_(result["adhesions"]))
        }
        assert states == {"accepted"}

    def test_one_bad_file_registers_nothing_and_names_each_row(self, people):
        known = factories.Organization()
        twin = factories.Organization()
        other = factories.Organization()
        late = factories.Organization()
        referent = factories.User()
        siret = valid_siret()
        future = TODAY + datetime.timedelta(days=10)
        text = HEADER + (
            f"{known['name']},EXT-1,{LAST_YEAR},{IN_TWO_YEARS},{referent['name']},classic,{siret}\n"
            f"{twin['name']},EXT-2,{LAST_YEAR},{IN_TWO_YEARS},{referent['name']},classic,{siret}\n"
            f"no-such-org,EXT-3,{LAST_YEAR},{IN_TWO_YEARS},{referent['name']},classic,\n"
            f"{other['name']},EXT-4,{future},{IN_TWO_YEARS},{referent['name']},classic,\n"
            f"{late['name']},EXT-5,{IN_TWO_YEARS},{LAST_YEAR},{referent['name']},classic,\n"
        )
        before = h.snapshot()
        with pytest.raises(tk.ValidationError) as error:
            h.call("adhesion_register_import", people["instructor"], csv=text)
        messages = error.value.error_dict["rows"]
        assert any(m.startswith("Row 3: siret") for m in messages)
        assert any(m.startswith("Row 4: organization") for m in messages)
        assert any(m.startswith("Row 5: accepted_on") for m in messages)
        assert any(m.startswith("Row 6: valid_until") for m in messages)
        assert not any(m.startswith("Row 2") for m in messages)
        assert h.snapshot() == before

    def test_super_referents_register_relay_partners_only(self, people):
        org = factories.Organization()
        text = (
            HEADER
            + f"{org['name']},EXT-9,{LAST_YEAR},{IN_TWO_YEARS},{people['user']['name']},classic,\n"
        )
        with pytest.raises(tk.ValidationError) as error:
            h.call("adhesion_register_import", people["super_referent"], csv=text)
        assert error.value.error_dict["rows"][0].startswith("Row 2: mode")

    @pytest.mark.parametrize("who", ["user", "anonymous"])
    def test_others_may_not_import(self, people, who):
        with pytest.raises(tk.NotAuthorized):
            h.call("adhesion_register_import", people[who], csv=HEADER)

    def test_unusable_file(self, people):
        with pytest.raises(tk.ValidationError) as error:
            h.call("adhesion_register_import", people["sysadmin"], csv="number\nX\n")
        assert "organization" in error.value.error_dict["csv"][0]
