"""Waves of partners: many relay-mode drafts from one CSV, then eligibility and submission of
a selection in one action; all rows or none, each submission with its own signed link."""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories

from ckanext.dinamis_relay.model import Adhesion, EligibilityCheck

from .. import factories as f
from .. import procedure_helpers as h

COLUMNS = (
    "organization,legal_name,siret,entity_type,eligibility_category,address,postcode,city,"
    "department,legal_rep_name,legal_rep_title,legal_rep_email,referent,convention_number,"
    "phone,email_domains,referent_title,referent_phone\n"
)


def row(org, referent, siret=None, postcode="33600", n=1):
    return (
        f"{org['name']},Commune {n},{siret or f.valid_siret()},commune,public_body,"
        f"Place de la mairie,{postcode},Pessac,33,Maire {n},Maire,maire{n}@commune{n}.fr,"
        f"{referent['name']},CONV-PIGMA-2024-{n:03d},05 56 00 00 0{n % 10},commune{n}.fr,"
        f"Responsable SIG,05 56 00 01 0{n % 10}\n"
    )


@pytest.fixture()
def staff():
    return f.staff()


def _wave(staff, size=3):
    referent = factories.User()
    orgs = [factories.Organization() for _ in range(size)]
    text = COLUMNS + "".join(row(org, referent, n=n) for n, org in enumerate(orgs, 1))
    result = h.call("adhesion_wave_import", staff.super_referent, csv=text)
    return orgs, result


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestWaveImport:
    def test_drafts_every_row_in_relay_mode(self, staff):
        orgs, result = _wave(staff)
        assert result["created"] == 3
        rows = model.Session.query(Adhesion).filter(Adhesion.id.in_(result["adhesions"])).all()
        assert {(a.mode, a.state) for a in rows} == {("relay", "draft")}
        assert {a.organization_id for a in rows} == {o["id"] for o in orgs}

    def test_one_bad_row_drafts_nothing(self, staff):
        referent = factories.User()
        siret = f.valid_siret()
        good, twin, bad = (factories.Organization() for _ in range(3))
        text = COLUMNS + (
            row(good, referent, siret=siret, n=1)
            + row(twin, referent, siret=siret, n=2)
            + row({"name": "no-such-org"}, referent, n=3)
            + row(bad, referent, postcode="3360", n=4)
        )
        before = h.snapshot()
        with pytest.raises(tk.ValidationError) as error:
            h.call("adhesion_wave_import", staff.super_referent, csv=text)
        messages = error.value.error_dict["rows"]
        assert any(m.startswith("Row 3: siret") for m in messages)
        assert any(m.startswith("Row 4: organization") for m in messages)
        assert any(m.startswith("Row 5: postcode") for m in messages)
        assert not any(m.startswith("Row 2") for m in messages)
        assert h.snapshot() == before

    def test_dry_run_writes_nothing(self, staff):
        referent = factories.User()
        text = COLUMNS + row(factories.Organization(), referent)
        before = h.snapshot()
        result = h.call("adhesion_wave_import", staff.super_referent, csv=text, dry_run=True)
        assert result["dry_run"] is True and result["rows"] == 1
        assert h.snapshot() == before

    @pytest.mark.parametrize("who", ["instructor", "plain", "anonymous"])
    def test_only_super_referents(self, staff, who):
        user = {"instructor": staff.instructor, "plain": factories.User(), "anonymous": None}[who]
        with pytest.raises(tk.NotAuthorized):
            h.call("adhesion_wave_import", user, csv=COLUMNS)


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestBulk:
    def test_check_then_submit_each_with_its_own_link(self, staff, mail_server, run_jobs):
        _orgs, wave = _wave(staff)
        ids = wave["adhesions"]
        checked = h.call(
            "adhesion_bulk",
            staff.super_referent,
            ids=ids,
            operation="check_eligibility",
            eligible=True,
            note="Communes",
        )
        assert checked["count"] == 3
        assert (
            model.Session.query(EligibilityCheck)
            .filter(EligibilityCheck.adhesion_id.in_(ids))
            .count()
            == 3
        )
        submitted = h.call(
            "adhesion_bulk", staff.super_referent, ids=",".join(ids), operation="submit"
        )
        assert {r["state"] for r in submitted["results"]} == {"pending_legal_validation"}
        assert all(r["amendment_number"] for r in submitted["results"])
        run_jobs()
        legal = [
            m for m in f.sent_emails(mail_server) if "your validation is requested" in m["subject"]
        ]
        assert sorted(m["to"][0] for m in legal) == [
            "maire1@commune1.fr",
            "maire2@commune2.fr",
            "maire3@commune3.fr",
        ]
        assert len({m["body"] for m in legal}) == 3  # three different signed links

    def test_one_refusal_submits_nothing(self, staff, mail_server, run_jobs):
        _orgs, wave = _wave(staff)
        ids = wave["adhesions"]
        h.call(
            "adhesion_bulk",
            staff.super_referent,
            ids=ids[:2],
            operation="check_eligibility",
            eligible=True,
        )
        before = h.snapshot()
        with pytest.raises(tk.ValidationError) as error:
            h.call(
                "adhesion_bulk", staff.super_referent, ids=[*ids, "no-such-id"], operation="submit"
            )
        messages = error.value.error_dict["rows"]
        assert any(m.startswith(f"{ids[2]}: eligibility") for m in messages)
        assert any(m.startswith("no-such-id") for m in messages)
        assert not any(m.startswith(ids[0]) for m in messages)
        assert h.snapshot() == before
        run_jobs()
        assert f.sent_emails(mail_server) == []

    def test_classic_drafts_are_refused_per_row(self, staff):
        classic = f.adhesion("draft")
        with pytest.raises(tk.ValidationError) as error:
            h.call("adhesion_bulk", staff.super_referent, ids=[classic["id"]], operation="submit")
        assert error.value.error_dict["rows"][0].startswith(classic["id"] + ": auth")

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"ids": [], "operation": "submit"}, "ids"),
            ({"ids": ["x"], "operation": "accept"}, "operation"),
            ({"ids": ["x"] * 2 + [str(n) for n in range(600)], "operation": "submit"}, "ids"),
        ],
    )
    def test_bad_input(self, staff, data, field):
        with pytest.raises(tk.ValidationError) as error:
            h.call("adhesion_bulk", staff.super_referent, **data)
        assert field in error.value.error_dict

    @pytest.mark.parametrize("who", ["instructor", "plain", "anonymous"])
    def test_only_super_referents(self, staff, who):
        user = {"instructor": staff.instructor, "plain": factories.User(), "anonymous": None}[who]
        with pytest.raises(tk.NotAuthorized):
            h.call("adhesion_bulk", user, ids=["x"], operation="submit")
