"""The staff's email page (/dinamis/notifications): who reaches it, what it says of the
default, and that a choice made there is the one the notices follow."""

from __future__ import annotations

import pytest
from ckan.tests import factories

from ckanext.dinamis_relay.tests import factories as f

from .test_pages import get, post, text

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.site_url", "http://localhost"),
    pytest.mark.ckan_config("ckanext.dinamis_relay.email.staff_default", "auto"),
    pytest.mark.ckan_config("ckanext.dinamis_relay.email.digest_above_entities", "1"),
]
URL = "/dinamis/notifications"


def _shown(user: dict) -> dict:
    return f.call_action("dinamis_relay_mail_preference_show", user)


class TestWhoReachesIt:
    def test_a_visitor_is_sent_to_log_in(self, app):
        response = get(app, URL, status=302)
        assert "/user/login" in response.headers["Location"]

    def test_someone_who_receives_no_staff_notice_is_told_why(self, app):
        page = text(get(app, URL, factories.User(), status=403).body)
        assert "Only the relay's super-referents, DINAMIS instructors and sysadmins" in page


class TestChoosing:
    def test_the_default_is_explained_then_the_choice_is_saved(self, app):
        staff = f.staff()
        f.adhesion("draft", mode="relay")
        f.adhesion("draft", mode="relay")
        page = text(get(app, URL, staff.super_referent).body)
        assert (
            "You have not chosen yet: you receive the daily digest, because you follow 2 "
            "entities (more than 1)." in page
        )
        response = post(app, URL, {"staff_emails": "immediate"}, status=302)
        assert response.headers["Location"].endswith(URL)
        shown = _shown(staff.super_referent)
        assert (shown["staff_emails"], shown["default"]) == ("immediate", False)
        page = text(app.get(URL).body)  # the redirect, in the same session
        assert "You have not chosen yet" not in page
        assert "Your choice is saved." in page

    def test_an_unknown_choice_is_named_and_changes_nothing(self, app):
        staff = f.staff()
        get(app, URL, staff.super_referent)
        response = post(app, URL, {"staff_emails": "weekly"}, status=200)
        assert "Unknown value; use one of: immediate, digest" in text(response.body)
        assert 'id="staff_emails-error"' in response.body
        assert _shown(staff.super_referent)["default"] is True

    def test_a_sysadmin_ticks_and_unticks_the_copies(self, app):
        sysadmin = factories.Sysadmin()
        get(app, URL, sysadmin)
        post(app, URL, {"staff_emails": "digest", "sysadmin_copies": "true"}, status=302)
        assert _shown(sysadmin)["sysadmin_copies"] is True
        post(app, URL, {"staff_emails": "digest"}, status=302)
        assert (_shown(sysadmin)["sysadmin_copies"], _shown(sysadmin)["staff_emails"]) == (
            False,
            "digest",
        )

    def test_a_super_referent_gets_no_copies_box(self, app):
        staff = f.staff()
        body = get(app, URL, staff.super_referent).body
        assert 'name="staff_emails"' in body
        assert 'name="sysadmin_copies"' not in body

    def test_the_page_is_in_french(self, app):
        staff = f.staff()
        page = text(get(app, "/fr" + URL, staff.instructor).body)
        assert "Mes notifications par courriel" in page
        assert "Un récapitulatif quotidien" in page
