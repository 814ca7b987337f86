"""Bulk import of accounts from CSV: every row checked first, then all rows or none."""

from __future__ import annotations

import io

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from werkzeug.datastructures import FileStorage

from .. import account_helpers as h

HEADER = "email,fullname,job_title,department,phone,intended_use\n"


def _users() -> int:
    return model.Session.query(model.User).count()


@pytest.fixture()
def relay():
    staff = h.super_referent()
    org = h.entity("relay", email_domains=["example.fr"])
    return staff, org


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestImport:
    def test_imports_every_row(self, relay):
        staff, org = relay
        text = HEADER + (
            "anne@example.fr,Anne Éluard,Géomaticienne,SIG,05 56 00 00 00,Occupation du sol\n"
            "\n"
            "bruno@example.fr,Bruno Lefèvre,Technicien,,,Suivi des forêts\n"
        )
        result = h.call("dinamis_relay_account_import", staff, organization_id=org["id"], csv=text)

        assert result["created"] == 2
        anne = model.User.by_email("anne@example.fr")
        assert anne.fullname == "Anne Éluard" and anne.state == "pending"
        for account_id in result["accounts"]:
            row = h.account_row(account_id)
            assert row.state == "active" and row.membership_created
            assert [e.action for e in h.events(account_id)] == ["create"]
        assert h.capacity(org, {"id": anne.id}) == "member"

    def test_upload_with_bom_and_semicolons(self, relay):
        staff, org = relay
        data = "\ufeff" + HEADER.replace(",", ";") + "chloe@example.fr;Chloé;Chargée;;;Risques\n"
        upload = FileStorage(stream=io.BytesIO(data.encode("utf-8")), filename="comptes.csv")
        result = h.call(
            "dinamis_relay_account_import", staff, organization_id=org["name"], upload=upload
        )
        assert result["created"] == 1
        assert model.User.by_email("chloe@example.fr").fullname == "Chloé"

    def test_one_bad_row_imports_nothing(self, relay):
        staff, org = relay
        existing = factories.User(email="taken@example.fr")
        text = HEADER + (
            "ok@example.fr,Ok Person,Technicien,,,Usage\n"
            "not-an-email,Bad Email,Technicien,,,Usage\n"
            "taken@example.fr,Taken,Technicien,,,Usage\n"
            "ok@example.fr,Twice,Technicien,,,Usage\n"
            "nojob@example.fr,No Job,,,,Usage\n"
        )
        users, accounts = _users(), h.account_count()
        with pytest.raises(tk.ValidationError) as error:
            h.call("dinamis_relay_account_import", staff, organization_id=org["id"], csv=text)
        messages = error.value.error_dict["rows"]
        assert any(m.startswith("Row 3: email") for m in messages)
        assert any(m.startswith("Row 4: email") and existing["name"] in m for m in messages)
        assert any(m.startswith("Row 5: email") and "twice" in m for m in messages)
        assert any(m.startswith("Row 6: job_title") for m in messages)
        assert not any(m.startswith("Row 2") for m in messages)
        assert (_users(), h.account_count()) == (users, accounts)

    def test_latin1_is_refused_clearly(self, relay):
        staff, org = relay
        data = (HEADER + "eve@example.fr,Ève Fermé,Chargée,,,Usage\n").encode("latin-1")
        upload = FileStorage(stream=io.BytesIO(data), filename="comptes.csv")
        with pytest.raises(tk.ValidationError) as error:
            h.call("dinamis_relay_account_import", staff, organization_id=org["id"], upload=upload)
        assert "UTF-8" in error.value.error_dict["csv"][0]
        assert h.account_count() == 0

    def test_wrong_header_names_expected_columns(self, relay):
        staff, org = relay
        with pytest.raises(tk.ValidationError) as error:
            h.call(
                "dinamis_relay_account_import",
                staff,
                organization_id=org["id"],
                csv="mail,name\nx@example.fr,X\n",
            )
        message = error.value.error_dict["csv"][0]
        assert "mail" in message
        for column in ("email", "fullname", "job_title", "intended_use"):
            assert column in message
        assert h.account_count() == 0

    @pytest.mark.parametrize(
        "text",
        ["", HEADER, HEADER + "a@example.fr,A,Job\n"],
        ids=["empty", "header-only", "short-row"],
    )
    def test_unusable_files(self, relay, text):
        staff, org = relay
        with pytest.raises(tk.ValidationError) as error:
            h.call("dinamis_relay_account_import", staff, organization_id=org["id"], csv=text)
        assert error.value.error_dict["csv"]

    def test_organization_column_across_entities(self, relay):
        staff, org = relay
        other = h.entity("relay")
        classic = h.entity("classic")
        header = HEADER.strip() + ",organization\n"
        good = f"a@example.fr,A,Job,,,Use,{org['name']}\nb@example.fr,B,Job,,,Use,{other['name']}\n"
        result = h.call("dinamis_relay_account_import", staff, csv=header + good)
        assert result["created"] == 2
        # A classic-mode entity is not the super-referent's to manage.
        with pytest.raises(tk.ValidationError) as error:
            h.call(
                "dinamis_relay_account_import",
                staff,
                csv=header + f"c@example.fr,C,Job,,,Use,{classic['name']}\n",
            )
        assert error.value.error_dict["rows"][0].startswith("Row 2: organization")
        # Without organization_id, the column is required per row.
        with pytest.raises(tk.ValidationError) as error:
            h.call("dinamis_relay_account_import", staff, csv=HEADER + "d@example.fr,D,J,,,U\n")
        assert error.value.error_dict["rows"][0].startswith("Row 2: organization")

    def test_dry_run_creates_nothing(self, relay):
        staff, org = relay
        result = h.call(
            "dinamis_relay_account_import",
            staff,
            organization_id=org["id"],
            csv=HEADER + "a@example.fr,A,Job,,,Use\n",
            dry_run=True,
        )
        assert result == {"created": 0, "rows": 1, "dry_run": True, "accounts": []}
        assert h.account_count() == 0

    def test_domain_blocking_per_row(self, relay, ckan_config, monkeypatch):
        monkeypatch.setitem(
            ckan_config, "ckanext.dinamis_relay.account_email_domain_blocking", True
        )
        staff, org = relay
        with pytest.raises(tk.ValidationError) as error:
            h.call(
                "dinamis_relay_account_import",
                staff,
                organization_id=org["id"],
                csv=HEADER + "a@example.fr,A,Job,,,Use\nb@gmail.com,B,Job,,,Use\n",
            )
        assert error.value.error_dict["rows"][0].startswith("Row 3: email")
        assert h.account_count() == 0

    def test_not_allowed_for_plain_user_or_classic_entity(self, relay):
        _staff, org = relay
        with pytest.raises(tk.NotAuthorized):
            h.call(
                "dinamis_relay_account_import",
                factories.User(),
                organization_id=org["id"],
                csv=HEADER + "a@example.fr,A,Job,,,Use\n",
            )
