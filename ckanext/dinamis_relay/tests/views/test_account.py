"""Account web pages: request, my accounts, queue, lists, account page, creation, import."""

from __future__ import annotations

import io
from urllib.parse import unquote

import ckan.model as model
import pytest
from ckan.tests import factories

from .. import account_helpers as h


def _auth(user) -> dict[str, str]:
    # API tokens authenticate like a login and are exempt from CSRF checks in CKAN.
    return {"Authorization": factories.APIToken(user=user["name"])["token"]}


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestPersonPages:
    def test_anonymous_is_sent_to_the_login_page(self, app):
        for path in ("request", "mine", "queue", "list", "new", "import"):
            response = app.get(f"/dinamis/account/{path}", follow_redirects=False)
            assert response.status_code == 302
            assert "/user/login" in response.headers["Location"]
            assert f"/dinamis/account/{path}" in unquote(response.headers["Location"])

    @pytest.mark.parametrize("lang", ["", "/fr"])
    def test_request_form(self, app, lang):
        org = h.entity("classic", referent=factories.User())
        person = factories.User()
        h.add_member(org, person)
        response = app.get(f"{lang}/dinamis/account/request", headers=_auth(person))
        assert response.status_code == 200
        # The entity is picked by the name the site shows (CKAN's autocomplete).
        assert 'name="organization_id"' in response.body
        assert "/api/2/util/organization/autocomplete" in response.body
        assert 'name="_csrf_token"' in response.body

    def test_request_then_my_accounts(self, app):
        org = h.entity("classic", referent=factories.User(), title="Commune de Talence")
        person = factories.User()
        headers = _auth(person)
        response = app.post(
            "/dinamis/account/request",
            data={
                "organization_id": org["name"],
                "job_title": "Géomaticien",
                "intended_use": "Suivi du trait de côte",
                "accept_terms": "on",
            },
            headers=headers,
            follow_redirects=False,
        )
        assert response.status_code == 302
        assert h.account_count() == 1
        mine = app.get("/dinamis/account/mine", headers=headers)
        assert "Commune de Talence" in mine.body
        assert "dinamis-state-requested" in mine.body

    def test_request_errors_are_shown_and_nothing_saved(self, app):
        org = h.entity("classic", referent=factories.User())
        response = app.post(
            "/dinamis/account/request",
            data={"organization_id": org["name"], "job_title": "", "intended_use": "x"},
            headers=_auth(factories.User()),
        )
        assert response.status_code == 200
        assert "error-block" in response.body
        assert h.account_count() == 0

    def test_account_page_shows_history_and_person_may_close(self, app, account_factory):
        referent = factories.User()
        org = h.entity("classic", referent=referent)
        person = factories.User()
        account = account_factory(user=person, organization_id=org["id"])
        h.call("dinamis_relay_account_validate", referent, id=account["id"])
        page = app.get(f"/dinamis/account/{account['id']}", headers=_auth(person))
        assert page.status_code == 200
        assert "validate" in page.body  # history
        assert f"/dinamis/account/{account['id']}/close" in page.body
        assert f"/dinamis/account/{account['id']}/suspend" not in page.body
        stranger = app.get(f"/dinamis/account/{account['id']}", headers=_auth(factories.User()))
        assert stranger.status_code == 403
        assert app.get("/dinamis/account/nope", headers=_auth(person)).status_code == 404


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestValidatorPages:
    def test_queue_validate_and_refuse_in_one_step(self, app, account_factory):
        referent = factories.User()
        org = h.entity("classic", referent=referent, email_domains=["example.fr"])
        good = account_factory(
            user=factories.User(email="good@example.fr"), organization_id=org["id"]
        )
        odd = account_factory(user=factories.User(email="odd@gmail.com"), organization_id=org["id"])
        headers = _auth(referent)

        queue = app.get("/dinamis/account/queue", headers=headers)
        assert "good@example.fr" in queue.body and "odd@gmail.com" in queue.body
        assert queue.body.count("Email domain mismatch") == 1

        response = app.post(
            f"/dinamis/account/{good['id']}/validate",
            data={"came_from": "queue"},
            headers=headers,
            follow_redirects=False,
        )
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/dinamis/account/queue")
        assert h.account_row(good["id"]).state == "active"

        # Refusing without a reason changes nothing; with one, it refuses.
        app.post(f"/dinamis/account/{odd['id']}/refuse", data={}, headers=headers)
        assert h.account_row(odd["id"]).state == "requested"
        app.post(
            f"/dinamis/account/{odd['id']}/refuse",
            data={"reason": "Adresse personnelle", "came_from": "queue"},
            headers=headers,
        )
        row = h.account_row(odd["id"])
        assert (row.state, row.refusal_reason) == ("refused", "Adresse personnelle")

    def test_transition_by_stranger_is_forbidden(self, app, account_factory):
        org = h.entity("classic", referent=factories.User())
        account = account_factory(user=factories.User(), organization_id=org["id"])
        response = app.post(
            f"/dinamis/account/{account['id']}/validate", headers=_auth(factories.User())
        )
        assert response.status_code == 403
        assert h.account_row(account["id"]).state == "requested"

    def test_entity_list_with_filters_and_paging(self, app, monkeypatch, account_factory):
        from ckanext.dinamis_relay.views import account as views

        monkeypatch.setattr(views, "PAGE_SIZE", 2)
        referent = factories.User()
        org = h.entity("classic", referent=referent)
        for i in range(3):
            account_factory(
                user=factories.User(fullname=f"Personne {i}"), organization_id=org["id"]
            )
        headers = _auth(referent)
        page1 = app.get(f"/dinamis/account/list?organization_id={org['name']}", headers=headers)
        assert page1.status_code == 200
        assert "page=2" in page1.body
        filtered = app.get(
            f"/dinamis/account/list?organization_id={org['name']}&q=Personne+1", headers=headers
        )
        assert "Personne 1" in filtered.body and "Personne 0" not in filtered.body
        denied = app.get(
            f"/dinamis/account/list?organization_id={org['name']}", headers=_auth(factories.User())
        )
        assert denied.status_code == 403

    def test_super_referent_view_across_partners(self, app, account_factory):
        staff = h.super_referent()
        a = h.entity("relay", title="Partenaire A")
        b = h.entity("relay", title="Partenaire B")
        c = h.entity("classic", title="Entité classique")
        for org in (a, b, c):
            account_factory(user=factories.User(), organization_id=org["id"])
        page = app.get("/dinamis/account/list", headers=_auth(staff))
        assert "Partenaire A" in page.body and "Partenaire B" in page.body
        assert "Entité classique" not in page.body

    def test_create_on_behalf_form(self, app):
        staff = h.super_referent()
        org = h.entity("relay")
        headers = _auth(staff)
        assert app.get("/dinamis/account/new", headers=headers).status_code == 200
        response = app.post(
            "/dinamis/account/new",
            data={
                "organization_id": org["name"],
                "email": "invitee@example.fr",
                "fullname": "Invitée",
                "job_title": "Technicienne",
                "intended_use": "Cartographie",
            },
            headers=headers,
            follow_redirects=False,
        )
        assert response.status_code == 302
        assert model.User.by_email("invitee@example.fr").state == "pending"
        assert app.get("/dinamis/account/new", headers=_auth(factories.User())).status_code == 403

    def test_import_page(self, app):
        staff = h.super_referent()
        org = h.entity("relay")
        headers = _auth(staff)
        csv_text = "email,fullname,job_title,intended_use\nx@example.fr,X,Job,Use\n"
        bad = app.post(
            "/dinamis/account/import",
            data={
                "organization_id": org["name"],
                "upload": (io.BytesIO(b"mail\nx\n"), "accounts.csv"),
            },
            headers=headers,
        )
        assert "intended_use" in bad.body and "alert-danger" in bad.body
        checked = app.post(
            "/dinamis/account/import",
            data={
                "organization_id": org["name"],
                "dry_run": "on",
                "upload": (io.BytesIO(csv_text.encode()), "accounts.csv"),
            },
            headers=headers,
        )
        assert "alert-success" in checked.body and h.account_count() == 0
        app.post(
            "/dinamis/account/import",
            data={
                "organization_id": org["name"],
                "upload": (io.BytesIO(csv_text.encode()), "accounts.csv"),
            },
            headers=headers,
        )
        assert h.account_count() == 1
