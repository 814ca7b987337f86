from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories

from .compat import login_as


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestPluginLoads:
    def test_config_declared_defaults(self):
        # Options test.ini leaves out, so the values come from config_declaration.yaml, typed.
        assert tk.config["ckanext.dinamis_relay.adhesion_validity_years"] == 3
        assert tk.config["ckanext.dinamis_relay.reminder_days"] == 30
        assert tk.config["ckanext.dinamis_relay.email.notify_relay"] is True

    def test_landing_page_in_french(self, app):
        response = app.get("/fr/dinamis/")
        assert response.status_code == 200
        assert "imagerie satellite DINAMIS" in response.body

    def test_roles_show_anonymous(self):
        roles = tk.get_action("dinamis_relay_roles_show")({"user": ""}, {})
        assert roles["super_referent"] is False
        assert roles["user_id"] is None

    def test_roles_show_super_referent(self):
        user = factories.User()
        factories.Organization(name="relay", users=[{"name": user["name"], "capacity": "editor"}])
        roles = tk.get_action("dinamis_relay_roles_show")({"user": user["name"]}, {})
        assert roles["super_referent"] is True
        assert roles["instructor"] is False


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckan.site_url", "http://localhost")
class TestLandingLinks:
    def test_anonymous_sees_public_pages_only(self, app):
        body = app.get("/dinamis/").body
        assert "/dinamis/stats" in body
        assert "/dinamis/verify" in body
        assert "/dinamis/dashboard" not in body

    def test_super_referent_reaches_every_duty(self, app):
        user = factories.User()
        factories.Organization(name="relay", users=[{"name": user["name"], "capacity": "editor"}])
        login_as(app, user)
        body = app.get("/dinamis/").body
        for path in (
            "/dinamis/relay",
            "/dinamis/account/queue",
            "/dinamis/imagery/triage",
            "/dinamis/dashboard",
        ):
            assert path in body, path
