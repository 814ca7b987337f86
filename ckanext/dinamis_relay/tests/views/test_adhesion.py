"""Adhesion web pages: who sees what, field errors, and a whole application through the forms.

Forms are posted with the CSRF token read from the page, as a browser would: CSRF protection
stays on.
"""

from __future__ import annotations

import datetime
import email
import re
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories

from ckanext.dinamis_relay.model import Adhesion
from ckanext.dinamis_relay.views import adhesion as adhesion_views

from .. import factories as dr_factories
from ..compat import login_as

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    # The test client's session cookie (login_as) is for "localhost": requests must
    # go there for the logged-in session to be sent.
    pytest.mark.ckan_config("ckan.site_url", "http://localhost"),
]

_CSRF = re.compile(r'<meta name="_csrf_token" content="([^"]+)"')


def login(app: Any, user: dict[str, Any] | None) -> None:
    login_as(app, user)


def csrf(app: Any, url: str = "/dinamis/") -> str:
    """The CSRF token of the session, read from a page like a browser would."""
    response = app.get(url)
    match = _CSRF.search(response.body)
    assert match, "no CSRF token on " + url
    return match.group(1)


def post(app: Any, url: str, data: dict[str, Any], status: int | None = None, **kw: Any) -> Any:
    data = {**data, "_csrf_token": csrf(app)}
    response = app.post(url, data=data, follow_redirects=False, **kw)
    if status is not None:
        assert response.status_code == status, response.body[:2000]
    return response


def stored(adhesion_id: str) -> Adhesion:
    """The adhesion as the database has it now (the web request used another session)."""
    model.Session.expire_all()
    adhesion = model.Session.get(Adhesion, adhesion_id)
    assert adhesion is not None
    return adhesion


def adhesion_count() -> int:
    model.Session.expire_all()
    return model.Session.query(Adhesion).count()


def org_admin_with_org() -> tuple[dict[str, Any], dict[str, Any]]:
    admin = factories.User(fullname="Alice Admin")
    org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}])
    return admin, org


def location(response: Any) -> str:
    return response.headers["Location"]


def assert_login_redirect(app: Any, url: str) -> None:
    """A visitor asking for a page that needs an account goes to the login page, and back."""
    response = app.get(url, follow_redirects=False)
    assert response.status_code == 302, response.status_code
    assert "/user/login" in location(response) and "next=" in location(response)


def legal_link(mail_server: Any, recipient: str) -> str:
    """Path of the validation link in the last email sent to `recipient`."""
    for _none, _sender, to, raw in reversed(mail_server.get_smtp_messages()):
        if recipient not in to:
            continue
        message = email.message_from_string(raw)
        for part in message.walk():
            payload = part.get_payload(decode=True)
            if not isinstance(payload, bytes):
                continue
            found = re.search(
                r"/dinamis/legal/[\w.\-]+", payload.decode(part.get_content_charset() or "utf-8")
            )
            if found:
                return found.group(0)
    raise AssertionError(f"no validation link emailed to {recipient}")


class TestOrganizationTab:
    def test_tab_on_the_organization_page(self, app):
        admin, org = org_admin_with_org()
        login(app, admin)
        body = app.get(f"/organization/{org['name']}").body
        assert f'href="/dinamis/organization/{org["name"]}"' in body

    def test_tab_hidden_from_visitors(self, app):
        _admin, org = org_admin_with_org()
        body = app.get(f"/organization/{org['name']}").body
        assert "/dinamis/organization/" not in body

    def test_org_admin_without_adhesion_may_apply(self, app):
        admin, org = org_admin_with_org()
        login(app, admin)
        response = app.get(f"/dinamis/organization/{org['name']}")
        assert response.status_code == 200
        assert "has not applied to DINAMIS yet" in response.body
        assert f"/dinamis/organization/{org['name']}/apply" in response.body
        # The French pages render too (labels come from the catalogue).
        assert app.get(f"/fr/dinamis/organization/{org['name']}").status_code == 200
        assert app.get(f"/fr/dinamis/organization/{org['name']}/apply").status_code == 200

    def test_stranger_and_visitor_are_refused(self, app):
        _admin, org = org_admin_with_org()
        login(app, factories.User())
        assert app.get(f"/dinamis/organization/{org['name']}").status_code == 403
        login(app, None)
        assert_login_redirect(app, f"/dinamis/organization/{org['name']}")

    def test_unknown_organization(self, app):
        login(app, factories.Sysadmin())
        assert app.get("/dinamis/organization/no-such-org").status_code == 404

    def test_accepted_adhesion_shows_status_number_and_history(self, app):
        staff = dr_factories.staff()
        adhesion = dr_factories.adhesion("accepted", mode="relay")
        login(app, staff.super_referent)
        body = app.get(f"/dinamis/organization/{adhesion['organization_dict']['name']}").body
        assert 'class="dinamis-state dinamis-state-accepted"' in body
        assert adhesion["number"] in body
        assert "Accepted by DINAMIS" in body
        assert "Validated by the legal representative" in body
        # A super-referent does not decide, suspend or edit an accepted adhesion.
        assert "dinamis-decide-form" not in body
        assert "dinamis-suspend-form" not in body
        assert "Edit the application" not in body


class TestButtons:
    """Buttons follow check_access on each action, and the state."""

    @pytest.mark.parametrize(
        ("state", "role", "present", "absent"),
        [
            (
                "draft",
                "referent",
                ["Edit the application", "Review and submit"],
                ["dinamis-decide-form"],
            ),
            ("draft", "stranger_admin", [], ["Edit the application"]),
            (
                "pending_instruction",
                "instructor",
                ["dinamis-decide-form"],
                ["Edit the application"],
            ),
            (
                "pending_instruction",
                "referent",
                [],
                ["dinamis-decide-form", "Edit the application"],
            ),
            (
                "accepted",
                "instructor",
                ["dinamis-suspend-form", "dinamis-terminate-form"],
                ["dinamis-reinstate-form"],
            ),
            ("suspended", "instructor", ["dinamis-reinstate-form"], ["dinamis-suspend-form"]),
            ("accepted", "referent", [], ["dinamis-suspend-form", "Renew the adhesion"]),
            ("expired", "referent", ["Renew the adhesion"], ["dinamis-suspend-form"]),
            ("returned", "referent", ["Edit the application", "Review and submit"], []),
        ],
    )
    def test_detail_page_buttons(self, app, state, role, present, absent):
        staff = dr_factories.staff()
        adhesion = dr_factories.adhesion(state)
        users = {
            "referent": adhesion["referent_dict"],
            "instructor": staff.instructor,
            "stranger_admin": org_admin_with_org()[0],
        }
        login(app, users[role])
        response = app.get(f"/dinamis/adhesion/{adhesion['id']}")
        if role == "stranger_admin":
            assert response.status_code == 403
            return
        assert response.status_code == 200
        for marker in present:
            assert marker in response.body, marker
        for marker in absent:
            assert marker not in response.body, marker

    def test_relay_draft_offers_the_eligibility_check_to_super_referents(self, app):
        staff = dr_factories.staff()
        adhesion = dr_factories.adhesion("draft", mode="relay")
        login(app, staff.super_referent)
        body = app.get(f"/dinamis/adhesion/{adhesion['id']}").body
        assert "Record the eligibility check" in body
        login(app, adhesion["referent_dict"])
        # In relay mode the entity referent does not run the application.
        body = app.get(f"/dinamis/adhesion/{adhesion['id']}").body
        assert "Record the eligibility check" not in body
        assert "Edit the application" not in body


class TestDetailPage:
    def test_unknown_adhesion(self, app):
        login(app, factories.Sysadmin())
        assert app.get("/dinamis/adhesion/nope").status_code == 404

    def test_instructor_does_not_see_drafts(self, app):
        staff = dr_factories.staff()
        adhesion = dr_factories.adhesion("draft")
        login(app, staff.instructor)
        assert app.get(f"/dinamis/adhesion/{adhesion['id']}").status_code == 403

    def test_visitor_refused(self, app):
        adhesion = dr_factories.adhesion("accepted")
        assert_login_redirect(app, f"/dinamis/adhesion/{adhesion['id']}")


class TestApplicationForm:
    def test_org_admin_gets_the_classic_form(self, app):
        admin, org = org_admin_with_org()
        login(app, admin)
        response = app.get(f"/dinamis/organization/{org['name']}/apply")
        assert response.status_code == 200
        assert 'id="field-siret"' in response.body
        assert 'name="mode" value="classic"' in response.body
        assert 'id="field-convention_number"' not in response.body
        assert "dinamis-step-active" in response.body

    def test_super_referent_gets_the_relay_form(self, app):
        staff = dr_factories.staff()
        org = factories.Organization()
        login(app, staff.super_referent)
        response = app.get(f"/dinamis/organization/{org['name']}/apply")
        assert response.status_code == 200
        assert 'name="mode" value="relay"' in response.body
        assert 'id="field-convention_number"' in response.body

    def test_stranger_may_not_apply(self, app):
        _admin, org = org_admin_with_org()
        login(app, factories.User())
        assert app.get(f"/dinamis/organization/{org['name']}/apply").status_code == 403
        post(app, f"/dinamis/organization/{org['name']}/apply", {"legal_name": "X"}, 403)
        assert adhesion_count() == 0

    def test_field_errors_are_shown_and_nothing_is_created(self, app):
        admin, org = org_admin_with_org()
        login(app, admin)
        response = post(
            app,
            f"/dinamis/organization/{org['name']}/apply",
            {
                "legal_name": "Commune",
                "siret": "12345678901234",
                "postcode": "3360",
                "save": "draft",
            },
            400,
        )
        assert "This SIRET number is not valid (wrong check digit)" in response.body
        assert "A postcode has 5 digits" in response.body
        # The refused values stay in the form.
        assert 'value="12345678901234"' in response.body
        assert adhesion_count() == 0

    def test_save_draft_keeps_partial_data(self, app):
        admin, org = org_admin_with_org()
        login(app, admin)
        siret = dr_factories.valid_siret()
        response = post(
            app,
            f"/dinamis/organization/{org['name']}/apply",
            {
                "mode": "classic",
                "legal_name": "Commune de Talence",
                "siret": siret,
                "save": "draft",
            },
            302,
        )
        created = tk.get_action("dinamis_relay_adhesion_show")(
            {"user": admin["name"]}, {"organization_id": org["id"]}
        )
        assert location(response).endswith(f"/dinamis/adhesion/{created['id']}/edit/entity")
        assert created["state"] == "draft"
        assert created["siret"] == siret
        assert created["city"] is None
        # Classic mode: the applicant is the referent until they name another one.
        assert created["referent_user_id"] == admin["id"]

        # The next step keeps the entity step's data.
        response = post(
            app,
            f"/dinamis/adhesion/{created['id']}/edit/people",
            {"legal_rep_name": "Jean Maire", "save": "next"},
            302,
        )
        assert location(response).endswith("/edit/summary")
        adhesion = stored(created["id"])
        assert (adhesion.legal_name, adhesion.siret) == ("Commune de Talence", siret)
        assert adhesion.legal_rep_name == "Jean Maire"

    def test_errors_on_a_step_change_nothing(self, app):
        adhesion = dr_factories.adhesion("draft")
        login(app, adhesion["referent_dict"])
        response = post(
            app,
            f"/dinamis/adhesion/{adhesion['id']}/edit/people",
            {"legal_rep_name": "Autre", "legal_rep_email": "not-an-email", "save": "next"},
            400,
        )
        assert "This email address is not valid" in response.body
        assert stored(adhesion["id"]).legal_rep_name == adhesion["legal_rep_name"]

    def test_referent_is_entered_by_user_name(self, app):
        adhesion = dr_factories.adhesion("draft")
        other = factories.User()
        login(app, adhesion["referent_dict"])
        page = app.get(f"/dinamis/adhesion/{adhesion['id']}/edit/people").body
        assert f'value="{adhesion["referent_dict"]["name"]}"' in page
        post(
            app,
            f"/dinamis/adhesion/{adhesion['id']}/edit/people",
            {"referent_user_id": other["name"], "save": "draft"},
            302,
        )
        assert stored(adhesion["id"]).referent_user_id == other["id"]

    def test_stranger_may_not_edit(self, app):
        adhesion = dr_factories.adhesion("draft")
        login(app, factories.User())
        assert app.get(f"/dinamis/adhesion/{adhesion['id']}/edit/entity").status_code == 403
        post(app, f"/dinamis/adhesion/{adhesion['id']}/edit/entity", {"legal_name": "X"}, 403)
        assert stored(adhesion["id"]).legal_name == adhesion["legal_name"]

    def test_submitted_application_is_no_longer_editable(self, app):
        adhesion = dr_factories.adhesion("pending_legal_validation")
        login(app, adhesion["referent_dict"])
        response = app.get(
            f"/dinamis/adhesion/{adhesion['id']}/edit/entity", follow_redirects=False
        )
        assert response.status_code == 302
        assert location(response).endswith(f"/dinamis/adhesion/{adhesion['id']}")

    def test_incomplete_submission_lists_missing_fields_with_links(self, app):
        admin, org = org_admin_with_org()
        created = tk.get_action("dinamis_relay_adhesion_create")(
            {"user": admin["name"]},
            {"organization_id": org["id"], "mode": "classic", "legal_name": "Commune"},
        )
        login(app, admin)
        summary = app.get(f"/dinamis/adhesion/{created['id']}/edit/summary").body
        assert 'id="dinamis-submit-form"' in summary
        assert "DINAMIS membership charter" in summary  # the English text, on the English page
        response = post(app, f"/dinamis/adhesion/{created['id']}/submit", {}, 400)
        assert "Missing value" in response.body
        assert f"/dinamis/adhesion/{created['id']}/edit/entity" in response.body
        assert f"/dinamis/adhesion/{created['id']}/edit/people" in response.body
        assert stored(created["id"]).state == "draft"

    def test_unknown_step(self, app):
        adhesion = dr_factories.adhesion("draft")
        login(app, adhesion["referent_dict"])
        assert app.get(f"/dinamis/adhesion/{adhesion['id']}/edit/nope").status_code == 404

    def test_post_without_csrf_token_is_refused(self, app):
        adhesion = dr_factories.adhesion("draft")
        login(app, adhesion["referent_dict"])
        response = app.post(
            f"/dinamis/adhesion/{adhesion['id']}/edit/entity",
            data={"legal_name": "Pirate"},
            follow_redirects=False,
        )
        assert response.status_code == 400
        assert stored(adhesion["id"]).legal_name == adhesion["legal_name"]


class TestEligibility:
    def test_super_referent_records_a_check(self, app):
        staff = dr_factories.staff()
        adhesion = dr_factories.adhesion("draft", mode="relay")
        login(app, staff.super_referent)
        url = f"/dinamis/adhesion/{adhesion['id']}/eligibility"
        assert app.get(url).status_code == 200
        response = post(app, url, {"note": "Sans réponse"}, 400)
        assert "Say whether the entity is eligible" in response.body
        response = post(app, url, {"eligible": "true", "note": "Confirmé par DINAMIS"}, 302)
        assert location(response).endswith("/edit/summary")
        shown = tk.get_action("dinamis_relay_adhesion_show")(
            {"user": staff.super_referent["name"]}, {"id": adhesion["id"]}
        )
        assert shown["eligibility_checks"][0]["eligible"] is True
        assert shown["eligibility_checks"][0]["note"] == "Confirmé par DINAMIS"

    def test_refused_to_others_and_in_classic_mode(self, app):
        staff = dr_factories.staff()
        relay = dr_factories.adhesion("draft", mode="relay")
        login(app, relay["referent_dict"])
        post(app, f"/dinamis/adhesion/{relay['id']}/eligibility", {"eligible": "true"}, 403)
        classic = dr_factories.adhesion("draft")
        login(app, staff.super_referent)
        assert app.get(f"/dinamis/adhesion/{classic['id']}/eligibility").status_code == 403
        shown = tk.get_action("dinamis_relay_adhesion_show")(
            {"user": staff.super_referent["name"]}, {"id": relay["id"]}
        )
        assert shown["eligibility_checks"] == []


class TestLegalPage:
    def test_page_shows_application_and_texts(self, app):
        adhesion = dr_factories.adhesion("pending_legal_validation", mode="relay")
        token = dr_factories.legal_token(adhesion["id"])
        response = app.get(f"/dinamis/legal/{token}")
        assert response.status_code == 200
        assert adhesion["siret"] in response.body
        assert 'id="text-charte-dinamis"' in response.body
        assert 'id="text-avenant-relais"' in response.body
        assert "version of October 15, 2024" in response.body

    def test_accept_needs_the_box_ticked(self, app):
        adhesion = dr_factories.adhesion("pending_legal_validation")
        token = dr_factories.legal_token(adhesion["id"])
        url = f"/dinamis/legal/{token}"
        response = post(app, url, {"decision": "accept"}, 400)
        assert "Tick the box" in response.body
        assert stored(adhesion["id"]).state == "pending_legal_validation"
        response = post(app, url, {"decision": "accept", "read_texts": "on"}, 200)
        assert "the application is validated" in response.body
        assert stored(adhesion["id"]).state == "pending_instruction"
        # The link is single-use.
        used = app.get(url)
        assert used.status_code == 400
        assert "already been used" in used.body

    def test_decline_with_a_comment(self, app):
        adhesion = dr_factories.adhesion("pending_legal_validation")
        token = dr_factories.legal_token(adhesion["id"])
        response = post(
            app, f"/dinamis/legal/{token}", {"decision": "decline", "comment": "SIRET faux"}, 200
        )
        assert "declined" in response.body
        row = stored(adhesion["id"])
        assert row.state == "returned"
        assert row.decision_reason == "SIRET faux"

    def test_tampered_link(self, app):
        adhesion = dr_factories.adhesion("pending_legal_validation")
        token = dr_factories.legal_token(adhesion["id"])
        response = app.get(f"/dinamis/legal/{token[:-3]}abc")
        assert response.status_code == 400
        assert "This validation link is invalid." in response.body
        response = post(app, f"/dinamis/legal/{token}x", {"decision": "accept", "read_texts": "on"})
        assert response.status_code == 400
        assert stored(adhesion["id"]).state == "pending_legal_validation"

    def test_expired_link(self, app):
        adhesion = dr_factories.adhesion("pending_legal_validation")
        token = dr_factories.legal_token(adhesion["id"])
        row = stored(adhesion["id"])
        row.legal_token_expires = datetime.datetime(2020, 1, 1)
        model.Session.commit()
        response = app.get(f"/dinamis/legal/{token}")
        assert response.status_code == 400
        assert "expired" in response.body


class TestInstructionQueue:
    def test_instructor_sees_pending_applications(self, app):
        staff = dr_factories.staff()
        pending = dr_factories.adhesion("pending_instruction", legal_name="Commune de Mérignac")
        dr_factories.adhesion("accepted", legal_name="Commune de Bègles")
        login(app, staff.instructor)
        response = app.get("/dinamis/instruction")
        assert response.status_code == 200
        assert "Commune de Mérignac" in response.body
        assert "Commune de Bègles" not in response.body
        assert f"/dinamis/adhesion/{pending['id']}/decide" in response.body

    @pytest.mark.parametrize("role", ["super_referent", "referent", "visitor"])
    def test_others_are_refused(self, app, role):
        staff = dr_factories.staff()
        pending = dr_factories.adhesion("pending_instruction")
        user = {
            "super_referent": staff.super_referent,
            "referent": pending["referent_dict"],
            "visitor": None,
        }[role]
        login(app, user)
        refused = 302 if user is None else 403  # a visitor goes to the login page
        assert app.get("/dinamis/instruction", follow_redirects=False).status_code == refused
        post(app, f"/dinamis/adhesion/{pending['id']}/decide", {"decision": "accept"}, refused)
        assert stored(pending["id"]).state == "pending_instruction"

    def test_reject_needs_a_reason(self, app):
        staff = dr_factories.staff()
        pending = dr_factories.adhesion("pending_instruction")
        login(app, staff.instructor)
        response = post(
            app, f"/dinamis/adhesion/{pending['id']}/decide", {"decision": "reject"}, 400
        )
        assert "Give the reason for this decision" in response.body
        assert stored(pending["id"]).state == "pending_instruction"

    def test_decision_from_the_queue_returns_to_it(self, app):
        staff = dr_factories.staff()
        pending = dr_factories.adhesion("pending_instruction")
        login(app, staff.instructor)
        response = post(
            app,
            f"/dinamis/adhesion/{pending['id']}/decide",
            {"decision": "return", "reason": "Pièce manquante", "came_from": "instruction"},
            302,
        )
        assert location(response).endswith("/dinamis/instruction")
        assert stored(pending["id"]).state == "returned"


class TestLifecycleForms:
    def test_suspend_reinstate_terminate(self, app):
        staff = dr_factories.staff()
        adhesion = dr_factories.adhesion("accepted")
        url = f"/dinamis/adhesion/{adhesion['id']}"
        login(app, staff.instructor)
        response = post(app, f"{url}/suspend", {"reason": ""}, 400)
        assert "Missing value" in response.body
        assert stored(adhesion["id"]).state == "accepted"
        post(app, f"{url}/suspend", {"reason": "Usage hors licence"}, 302)
        assert stored(adhesion["id"]).state == "suspended"
        post(app, f"{url}/reinstate", {}, 302)
        assert stored(adhesion["id"]).state == "accepted"
        post(app, f"{url}/terminate", {"reason": "Dissolution"}, 302)
        assert stored(adhesion["id"]).state == "terminated"

    def test_referent_may_not_suspend(self, app):
        adhesion = dr_factories.adhesion("accepted")
        login(app, adhesion["referent_dict"])
        post(app, f"/dinamis/adhesion/{adhesion['id']}/suspend", {"reason": "x"}, 403)
        assert stored(adhesion["id"]).state == "accepted"

    def test_renew_opens_a_new_draft(self, app):
        adhesion = dr_factories.adhesion("expired")
        login(app, adhesion["referent_dict"])
        response = post(app, f"/dinamis/adhesion/{adhesion['id']}/renew", {}, 302)
        current = tk.get_action("dinamis_relay_adhesion_show")(
            {"user": adhesion["referent_dict"]["name"]},
            {"organization_id": adhesion["organization_id"]},
        )
        assert current["id"] != adhesion["id"]
        assert current["previous_id"] == adhesion["id"]
        assert location(response).endswith(f"/dinamis/adhesion/{current['id']}/edit/entity")

    def test_unknown_transition(self, app):
        adhesion = dr_factories.adhesion("accepted")
        login(app, factories.Sysadmin())
        post(app, f"/dinamis/adhesion/{adhesion['id']}/delete", {}, 404)


class TestRelayList:
    def test_super_referent_filters_and_pages(self, app, monkeypatch):
        staff = dr_factories.staff()
        dr_factories.adhesion("accepted", mode="relay", legal_name="Commune A")
        dr_factories.adhesion("draft", mode="relay", legal_name="Commune B")
        # Super-referents list relay-mode applications only.
        dr_factories.adhesion("accepted", mode="relay", legal_name="Commune C")
        dr_factories.adhesion("draft", legal_name="Commune D (classic)")
        login(app, staff.super_referent)

        body = app.get("/dinamis/relay").body
        assert all(name in body for name in ("Commune A", "Commune B", "Commune C"))
        assert "Commune D" not in body
        body = app.get("/dinamis/relay?state=draft&mode=relay").body
        assert "Commune B" in body
        assert "Commune A" not in body and "Commune C" not in body
        body = app.get("/dinamis/relay?q=commune+c").body
        assert "Commune C" in body and "Commune B" not in body

        monkeypatch.setattr(adhesion_views, "PAGE_SIZE", 2)
        first = app.get("/dinamis/relay").body
        assert "Page 1 of 2" in first
        second = app.get("/dinamis/relay?page=2").body
        assert "Page 2 of 2" in second
        names = [n for n in ("Commune A", "Commune B", "Commune C") if n in second]
        assert len(names) == 1 and names[0] not in first

    def test_bad_filters_are_ignored(self, app):
        staff = dr_factories.staff()
        login(app, staff.super_referent)
        assert app.get("/dinamis/relay?state=bogus&mode=x&page=-3").status_code == 200

    @pytest.mark.parametrize("role", ["instructor", "org_admin", "visitor"])
    def test_others_are_refused(self, app, role):
        staff = dr_factories.staff()
        user = {"instructor": staff.instructor, "org_admin": org_admin_with_org()[0]}.get(role)
        login(app, user)
        refused = 302 if user is None else 403  # a visitor goes to the login page
        assert app.get("/dinamis/relay", follow_redirects=False).status_code == refused


class TestLandingPage:
    def test_links_by_role(self, app):
        staff = dr_factories.staff()
        login(app, staff.super_referent)
        body = app.get("/dinamis/").body
        assert "/dinamis/relay" in body and "/dinamis/instruction" not in body
        login(app, staff.instructor)
        body = app.get("/dinamis/").body
        assert "/dinamis/instruction" in body and "/dinamis/relay" not in body
        admin, org = org_admin_with_org()
        login(app, admin)
        body = app.get("/dinamis/").body
        assert f"/dinamis/organization/{org['name']}" in body


@pytest.mark.usefixtures("mail_server")
class TestWholeApplicationThroughTheForms:
    def test_classic_application_from_draft_to_accepted(self, app, mail_server, run_jobs):
        staff = dr_factories.staff()
        admin, org = org_admin_with_org()
        data = dr_factories.adhesion_data()
        entity = {k: v for k, v in data.items() if k in adhesion_views.STEP_FIELDS["entity"]}
        people = {k: v for k, v in data.items() if k in adhesion_views.STEP_FIELDS["people"]}

        login(app, admin)
        response = post(
            app,
            f"/dinamis/organization/{org['name']}/apply",
            {**entity, "mode": "classic", "save": "next"},
            302,
        )
        assert location(response).endswith("/edit/people")
        edit_people = location(response)
        response = post(
            app, edit_people, {**people, "referent_user_id": admin["name"], "save": "next"}, 302
        )
        summary_url = location(response)
        assert summary_url.endswith("/edit/summary")
        summary = app.get(summary_url).body
        assert data["siret"] in summary
        adhesion_id = summary_url.split("/")[-3]
        post(app, f"/dinamis/adhesion/{adhesion_id}/submit", {}, 302)
        assert stored(adhesion_id).state == "pending_legal_validation"

        run_jobs()
        path = legal_link(mail_server, data["legal_rep_email"])

        login(app, None)
        assert app.get(path).status_code == 200
        post(app, path, {"decision": "accept", "read_texts": "on"}, 200)
        assert stored(adhesion_id).state == "pending_instruction"

        login(app, staff.instructor)
        assert adhesion_id in app.get("/dinamis/instruction").body
        post(
            app,
            f"/dinamis/adhesion/{adhesion_id}/decide",
            {"decision": "accept", "dinamis_reference": "DN-2026-77", "came_from": "instruction"},
            302,
        )
        row = stored(adhesion_id)
        assert row.state == "accepted"
        assert row.number and row.dinamis_reference == "DN-2026-77"

        login(app, admin)
        tab = app.get(f"/dinamis/organization/{org['name']}").body
        assert "dinamis-state-accepted" in tab
        assert row.number in tab
