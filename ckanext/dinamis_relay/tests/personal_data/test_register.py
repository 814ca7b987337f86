"""The register of personal data: declared once, covering every column, shown to sysadmins."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import ckan.plugins.toolkit as tk
import pytest
from ckan.model.base import BaseModel

import ckanext.dinamis_relay.model  # noqa: F401  (registers the plugin's tables)
from ckanext.dinamis_relay.personal_data import export, register

from .. import personal_data_helpers as h

ROOT = pathlib.Path(__file__).resolve().parents[4]


def test_every_column_of_every_plugin_table_is_declared():
    declared = register.declared_columns()
    tables = {
        name: table
        for name, table in BaseModel.metadata.tables.items()
        if name.startswith("dinamis_relay_")
    }
    undeclared = set(tables) - set(declared) - set(register.NOT_PERSONAL)
    assert not undeclared, f"tables missing from the register: {sorted(undeclared)}"
    for name, (personal, other) in declared.items():
        columns = {column.name for column in tables[name].columns}
        assert personal | other == columns, (name, columns ^ (personal | other))
        assert not personal & other, (name, personal & other)


def test_each_kind_has_its_export_query():
    assert set(export.QUERIES) == {kind.key for kind in register.KINDS}


def test_every_retention_option_is_declared_in_the_configuration():
    options = {option for kind in register.KINDS for option in kind.options}
    text = (ROOT / "ckanext/dinamis_relay/config_declaration.yaml").read_text()
    assert options and all(f"key: {option}\n" in text for option in options)


def test_readme_section_is_generated_from_the_declaration():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts/personal_data_register.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestRegisterAction:
    @pytest.mark.ckan_config("ckanext.dinamis_relay.retention.thread_days", "90")
    def test_sysadmins_read_it_with_the_configured_periods(self):
        staff = h.f.staff()
        result = h.call("personal_data_register", staff.sysadmin)
        kinds = {row["key"]: row for row in result["kinds"]}
        assert set(kinds) == {kind.key for kind in register.KINDS}
        assert "90 days" in kinds["comments"]["kept"]
        assert "365 days" in kinds["downloads"]["kept"]
        assert "Kept" in kinds["documents"]["on_erasure"]
        assert {item["table"] for item in result["not_personal"]} == set(register.NOT_PERSONAL)

    def test_every_other_role_is_refused(self):
        population = h.populate(downloads=0)
        for role, user in population.roles().items():
            if role == "sysadmin":
                continue
            with pytest.raises(tk.NotAuthorized):
                h.call("personal_data_register", user)

    def test_page_for_sysadmins_only_in_french(self, app):
        staff = h.f.staff()
        page = app.get(
            "/fr/dinamis/personal-data",
            headers={"Authorization": h.factories.APIToken(user=staff.sysadmin["name"])["token"]},
        )
        assert "Registre des données personnelles" in page.body
        assert 'id="dinamis-register-downloads"' in page.body
        other = h.person()
        app.get(
            "/dinamis/personal-data",
            headers={"Authorization": h.factories.APIToken(user=other["name"])["token"]},
            status=403,
        )
        # Visitors are asked to log in (the plugin's pages send them to the login page).
        response = app.get("/dinamis/personal-data", follow_redirects=False)
        assert response.status_code == 302
        assert "/user/login" in response.headers["Location"]
