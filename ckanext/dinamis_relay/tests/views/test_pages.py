"""Pages a French public servant uses without help (issue 13): finding DINAMIS, the next step
of each role, pickers by display name, guided refusals, dates, documents and labels, field
names in error summaries, French CSV exports.

Each test reads the page as CKAN's test app serves it, in French (`/fr/...`).
"""

from __future__ import annotations

import csv
import datetime
import html
import io
import pathlib
import re
from typing import Any

import ckan.model as model
import pytest
from babel import dates as babel_dates
from ckan.tests import factories

from ckanext.dinamis_relay import l10n
from ckanext.dinamis_relay.model import Account, Adhesion

from .. import account_helpers
from .. import factories as dr_factories
from ..compat import login_as

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.site_url", "http://localhost"),
]

_CSRF = re.compile(r'<meta name="_csrf_token" content="([^"]+)"')
_TAGS = re.compile(r"<[^>]+>")


def text(body: str) -> str:
    """The words of a page, without tags, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(_TAGS.sub(" ", body)).split())


def get(app: Any, url: str, user: dict[str, Any] | None = None, status: int = 200) -> Any:
    login_as(app, user)
    response = app.get(url, follow_redirects=False)
    assert response.status_code == status, (url, response.status_code, response.body[:500])
    return response


def post(app: Any, url: str, data: dict[str, Any], status: int | None = None) -> Any:
    token = _CSRF.search(app.get("/dinamis/").body)
    assert token
    response = app.post(url, data={**data, "_csrf_token": token.group(1)}, follow_redirects=False)
    if status is not None:
        assert response.status_code == status, response.body[:3000]
    return response


# 1. DINAMIS can be found, and the landing page leads each role to its next step -------------


class TestFindingDinamis:
    def test_the_site_menu_and_the_home_page_lead_to_dinamis(self, app):
        body = get(app, "/fr/").body
        menu = re.search(r'id="main-navigation-toggle".*?</ul>', body, re.S)
        assert menu, "no main navigation"
        # After CKAN's own entries (a theme calling super() keeps them).
        entry = r'href="/fr/dataset/".*href="/fr/dinamis/"[^>]*>DINAMIS<'
        assert re.search(entry, menu.group(0), re.S)
        # The home page block, inside the page's main landmark.
        main = body[body.index('role="main"') :]
        assert "Accéder à DINAMIS" in text(main)
        assert "L'imagerie satellite DINAMIS" in text(main)

    def test_a_visitor_is_told_to_log_in_and_how_it_works(self, app):
        page = text(get(app, "/fr/dinamis/").body)
        assert "Votre prochaine étape" in page
        assert "Se connecter" in page
        assert "Comment ça marche" in page
        assert "Nouvelle demande d'imagerie" not in page

    def test_a_super_referent_is_offered_entities_without_application_not_the_relay(self, app):
        staff = dr_factories.staff()
        free = factories.Organization(title="Commune de Talence")
        applied = dr_factories.adhesion("draft", mode="relay")
        body = get(app, "/fr/dinamis/", staff.super_referent).body
        page = text(body)
        assert "1 organisation n'a pas encore de demande d'adhésion" in page
        assert f"/dinamis/organization/{free['name']}/apply" in body
        assert f"/dinamis/organization/{staff.relay['name']}/apply" not in body
        assert f"/dinamis/organization/{staff.dinamis['name']}/apply" not in body
        assert f"/dinamis/organization/{applied['organization_dict']['name']}/apply" not in body
        # The partner picker uses CKAN's own autocomplete module and API.
        assert 'data-module-source="/api/2/util/organization/autocomplete?q=?"' in body

    def test_an_organization_admin_is_offered_to_apply_for_it(self, app):
        admin = factories.User()
        org = factories.Organization(
            title="Commune de Bègles", users=[{"name": admin["name"], "capacity": "admin"}]
        )
        body = get(app, "/fr/dinamis/", admin).body
        assert "Commune de Bègles n'adhère pas encore à DINAMIS." in text(body)
        assert f"/dinamis/organization/{org['name']}/apply" in body

    def test_the_imagery_request_link_is_only_for_those_who_can(self, app):
        nobody = factories.User()
        page = text(get(app, "/fr/dinamis/", nobody).body)
        assert "Nouvelle demande d'imagerie" not in page
        assert "Demander un compte DINAMIS" in page
        holder = dr_factories.account("active")
        page = text(get(app, "/fr/dinamis/", holder["person_dict"]).body)
        assert "Nouvelle demande d'imagerie" in page

    def test_the_partner_picker_opens_the_tab_of_the_title_typed(self, app):
        staff = dr_factories.staff()
        org = factories.Organization(title="Commune de Pessac")
        url = "/dinamis/organization/go?organization=commune de pessac"
        response = get(app, url, staff.super_referent, 302)
        assert response.headers["Location"].endswith(f"/dinamis/organization/{org['name']}")


# 2. Pickers: the name the site shows is accepted ----------------------------------------------


class TestPickers:
    def test_an_account_request_accepts_the_title_of_the_entity(self, app):
        adhesion = dr_factories.adhesion("accepted")
        org = adhesion["organization_dict"]
        model.Session.execute(
            model.group_table.update()
            .where(model.group_table.c.id == org["id"])
            .values(title="Commune de Pessac")
        )
        model.Session.commit()
        person = factories.User()
        login_as(app, person)
        form = get(app, "/fr/dinamis/account/request", person).body
        assert 'data-module="autocomplete"' in form
        assert "/api/2/util/organization/autocomplete" in form
        response = post(
            app,
            "/fr/dinamis/account/request",
            {
                "organization_id": "Commune de Pessac",
                "job_title": "Géomaticienne",
                "intended_use": "Suivi du trait de côte",
                "accept_terms": "on",
            },
            302,
        )
        assert "/dinamis/account/" in response.headers["Location"]
        model.Session.expire_all()
        account = model.Session.query(Account).filter_by(user_id=person["id"]).one()
        assert account.organization_id == org["id"]

    def test_the_referent_is_found_by_full_name(self, app):
        admin = factories.User()
        org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}])
        referent = factories.User(fullname="Bruno Référent")
        created = dr_factories.call(
            "create", admin, organization_id=org["id"], mode="classic", legal_name="Ville"
        )
        login_as(app, admin)
        form = get(app, f"/fr/dinamis/adhesion/{created['id']}/edit/people", admin).body
        assert "/api/2/util/user/autocomplete" in form
        post(
            app,
            f"/fr/dinamis/adhesion/{created['id']}/edit/people",
            {
                "legal_rep_name": "Jeanne Maire",
                "legal_rep_title": "Maire",
                "legal_rep_email": "maire@ville.fr",
                "referent_user_id": "bruno référent",
                "referent_title": "SIG",
                "referent_phone": "05 56 00 00 00",
            },
            302,
        )
        model.Session.expire_all()
        assert model.Session.get(Adhesion, created["id"]).referent_user_id == referent["id"]

    def test_an_unknown_name_is_refused_on_its_field(self, app):
        person = factories.User()
        login_as(app, person)
        response = post(
            app,
            "/fr/dinamis/account/request",
            {
                "organization_id": "Commune inconnue",
                "job_title": "SIG",
                "intended_use": "Cartes",
                "accept_terms": "on",
            },
            200,
        )
        summary = re.search(r'dinamis-error-summary".*?</div>', response.body, re.S)
        assert summary
        assert text(summary.group(0)).count("Entité :") == 1
        assert 'href="#field-organization_id"' in summary.group(0)

    def test_every_message_of_the_summary_names_its_field(self, app):
        person = factories.User()
        login_as(app, person)
        response = post(
            app,
            "/fr/dinamis/account/request",
            {"organization_id": "x", "job_title": "", "intended_use": ""},
            200,
        )
        summary = re.search(r'dinamis-error-summary".*?</div>', response.body, re.S)
        assert summary
        items = [text(li) for li in re.findall(r"<li>.*?</li>", summary.group(0), re.S)]
        assert "Fonction : Valeur manquante" in items
        assert "Usage prévu des images : Valeur manquante" in items
        assert all(" : " in item for item in items)


# 3. Guided refusals ---------------------------------------------------------------------------


class TestRefusals:
    @pytest.mark.parametrize(
        "path", ["/dinamis/imagery/new", "/dinamis/account/mine", "/dinamis/account/request"]
    )
    def test_a_visitor_is_sent_to_the_login_page_and_back(self, app, path):
        response = get(app, "/fr" + path, None, 302)
        location = response.headers["Location"]
        assert "/user/login" in location
        assert ("next=" in location and path.replace("/", "%2F") in location) or path in location

    def test_no_english_developer_message_for_a_visitor(self, app):
        response = app.get("/fr/dinamis/imagery/new", follow_redirects=True)
        page = text(response.body)
        assert "requires an authenticated user" not in page
        assert "Connectez-vous pour accéder à cette page DINAMIS." in page

    def test_someone_without_account_gets_the_way_on_in_french(self, app):
        nobody = factories.User()
        body = get(app, "/fr/dinamis/imagery/new", nobody, 403).body
        page = text(body)
        assert "Vous ne pouvez pas encore utiliser cette page" in page
        assert "Demander un compte DINAMIS" in page
        assert "/dinamis/account/request" in body
        # The reason is said once (CKAN's abort also flashed it).
        assert page.count("Pour demander des images") == 1


# 4. Dates the French way, everywhere ----------------------------------------------------------


class TestDates:
    def test_one_helper_writes_moments_the_french_way(self, test_request_context, ckan_config):
        ckan_config["ckan.display_timezone"] = "Europe/Paris"
        with test_request_context(environ_overrides={"CKAN_LANG": "fr"}):
            moment = datetime.datetime(2026, 12, 1, 16, 56, 3, 123456)
            assert l10n.format_datetime(moment) == "1 décembre 2026 à 17 h 56"
            assert l10n.format_datetime("2026-12-01T16:56:03.123456") == (
                "1 décembre 2026 à 17 h 56"
            )
            assert l10n.format_date(datetime.date(2029, 12, 1)) == "1 décembre 2029"
        with test_request_context(environ_overrides={"CKAN_LANG": "en"}):
            assert l10n.format_datetime(moment) == "December 1, 2026 at 17:56"

    def test_the_adhesion_page_writes_no_english_month_order(self, app):
        adhesion = dr_factories.adhesion("pending_instruction")
        staff_user = factories.Sysadmin()
        page = text(get(app, f"/fr/dinamis/adhesion/{adhesion['id']}", staff_user).body)
        # "décembre 1, 2026, 17:56 (TU)" was CKAN's render_datetime in French.
        assert not re.search(r"[a-zéû]+ \d{1,2}, \d{4}", page)
        assert "(TU)" not in page and "(UTC)" not in page
        assert re.search(r"\d{1,2} [a-zéû]+ \d{4} à \d{1,2} h \d{2}", page)

    def test_no_template_formats_a_date_another_way(self):
        # CKAN's render_datetime writes "décembre 1, 2026" in French: every date of the pages
        # and emails goes through h.dinamis_relay_date (l10n.py). The PDF documents are not
        # pages: they print the record's own format (Paris time to the second and the UTC
        # value) through documents/pdf.py's filters.
        templates = pathlib.Path(l10n.__file__).parent / "templates"
        found = [
            f"{path.relative_to(templates)}: {line.strip()}"
            for path in sorted(templates.rglob("*"))
            if path.suffix in (".html", ".txt") and "pdf" not in path.relative_to(templates).parts
            for line in path.read_text(encoding="utf-8").splitlines()
            if re.search(r"render_datetime|strftime|\|date\b|automatic-local-datetime", line)
        ]
        assert found == []

    def test_the_adherent_check_writes_its_end_date_the_french_way(self, app):
        dr_factories.adhesion("accepted", legal_name="Commune de Saint-Médard-la-Jalle")
        page = text(get(app, "/fr/dinamis/adherent-check?q=Saint-Médard-la-Jalle").body)
        assert "Commune de Saint-Médard-la-Jalle" in page
        assert re.search(r"jusqu'au \d{1,2} [a-zéû]+ \d{4}\.", page), page
        assert not re.search(r"[a-zéû]+ \d{1,2}, \d{4}", page)


# 5. Documents, titles and labels instead of codes ---------------------------------------------


class TestDocumentsAndLabels:
    def test_issued_documents_are_listed_on_the_adhesion_page_and_tab(self, app, run_jobs):
        adhesion = dr_factories.adhesion("accepted")
        run_jobs()
        referent = adhesion["referent_dict"]
        for url in (
            f"/fr/dinamis/adhesion/{adhesion['id']}",
            f"/fr/dinamis/organization/{adhesion['organization_dict']['name']}",
        ):
            body = get(app, url, referent).body
            page = text(body)
            assert "Documents émis" in page
            assert "Acte d'adhésion" in page
            assert "/dinamis/document/" in body and "/download" in body
            assert re.search(r"<code[^>]*>[0-9a-f]{64}</code>", body)

    def test_documents_are_not_listed_to_those_who_may_not_see_them(self, app, run_jobs):
        adhesion = dr_factories.adhesion("accepted")
        run_jobs()
        stranger = factories.User()
        response = app.get(
            f"/fr/dinamis/organization/{adhesion['organization_dict']['name']}",
            follow_redirects=False,
        )
        login_as(app, stranger)
        response = app.get(
            f"/fr/dinamis/organization/{adhesion['organization_dict']['name']}",
            follow_redirects=False,
        )
        assert "Documents émis" not in response.body

    def test_acceptances_show_the_titles_of_the_texts(self, app):
        adhesion = dr_factories.adhesion("accepted")
        page = text(get(app, f"/fr/dinamis/adhesion/{adhesion['id']}", factories.Sysadmin()).body)
        assert "Charte d'adhésion DINAMIS" in page
        assert "Licence DINAMIS SPOT 6/7" in page
        assert "15 octobre 2024" in page
        assert "charte-dinamis" not in page and "dinamis-spot67" not in page

    def test_account_history_says_what_happened(self, app):
        account = dr_factories.account("active")
        page = text(get(app, f"/fr/dinamis/account/{account['id']}", factories.Sysadmin()).body)
        assert "Compte demandé" in page and "Compte validé" in page
        assert "— request" not in page and "— validate" not in page

    def test_the_dataset_page_names_the_dinamis_licence(self, app):
        sysadmin = factories.Sysadmin()
        dataset = factories.Dataset(
            owner_org=factories.Organization()["id"],
            extras=[{"key": "dinamis_licence", "value": "dinamis-spot67"}],
            user=sysadmin,
        )
        page = text(get(app, f"/fr/dataset/{dataset['name']}", sysadmin).body)
        assert "Licence DINAMIS Licence DINAMIS SPOT 6/7" in page
        assert "dinamis-spot67" not in page


# 8. The submit button says what it waits for --------------------------------------------------


class TestSubmitNeedsEligibility:
    def test_relay_submit_is_disabled_until_the_eligibility_check(self, app):
        staff = dr_factories.staff()
        adhesion = dr_factories.adhesion("draft", mode="relay")
        summary = f"/fr/dinamis/adhesion/{adhesion['id']}/edit/summary"
        body = get(app, summary, staff.super_referent).body
        button = re.search(r"<button[^>]*>\s*Soumettre la demande\s*</button>", body)
        assert button and "disabled" in button.group(0)
        assert "dès qu'un super-référent aura enregistré que l'entité est éligible" in text(body)
        dr_factories.call(
            "check_eligibility", staff.super_referent, id=adhesion["id"], eligible=True, note="ok"
        )
        body = get(app, summary, staff.super_referent).body
        button = re.search(r"<button[^>]*>\s*Soumettre la demande\s*</button>", body)
        assert button and "disabled" not in button.group(0)


# 9 and 12. Dashboard words and CSV exports ---------------------------------------------------


class TestDashboardAndExports:
    def test_counts_are_headed_nombre(self, app):
        page = text(get(app, "/fr/dinamis/dashboard", factories.Sysadmin()).body)
        assert "État Nombre" in page
        assert "Numéro" not in page

    def test_charts_name_the_months_and_have_a_scale(self, app):
        dr_factories.account("active")  # validated this month
        body = get(app, "/fr/dinamis/dashboard", factories.Sysadmin()).body
        figure = r'<figure class="dinamis-chart" id="chart-accounts">(.*?)</figure>'
        found = re.search(figure, body, re.S)
        assert found
        chart = found.group(1)
        # Month names at the size of the text (an SVG stretched to its box shrank them).
        assert 'preserveAspectRatio="none"' not in chart
        labels = re.findall(r'class="dinamis-chart-label">([^<]*)', chart)
        month = babel_dates.format_date(datetime.date.today(), "MMM", locale="fr")
        assert month in labels and len(labels) == 12
        ticks = re.findall(r'class="dinamis-chart-tick"[^>]*>([^<]*)<', chart)
        assert ticks[0] == "0" and ticks[-1] == "1", ticks
        # The table of the figures names the months in full.
        assert babel_dates.format_date(datetime.date.today(), "LLLL y", locale="fr") in chart

    def test_the_filter_row_names_each_filter_and_its_errors(self, app):
        body = get(app, "/fr/dinamis/dashboard?months=abc", factories.Sysadmin()).body
        form = re.search(r'<form[^>]*class="dinamis-filters".*?</form>', body, re.S)
        assert form
        for name in ("filter-organization", "filter-months", "filter-validated"):
            assert f'for="{name}"' in form.group(0)
        # Every entity of the platform: found by the name the site shows.
        assert 'data-module="autocomplete"' in form.group(0)
        summary = text(body.split('class="dinamis-filters"')[0])
        assert "Période :" in summary and "months" not in summary

    def test_csv_exports_speak_french_and_keep_the_codes(self, app):
        account_helpers.super_referent()
        account = dr_factories.account("active")
        response = get(app, "/fr/dinamis/dashboard/export/accounts.csv", factories.Sysadmin())
        rows = list(csv.reader(io.StringIO(response.body[1:]), delimiter=";"))
        header, row = rows[0], rows[1]
        assert header[:3] == ["Identifiant du compte", "Identifiant", "Nom complet"]
        assert "Statut" in header and "Statut (code)" in header
        assert row[header.index("Statut")] == "Actif"
        assert row[header.index("Statut (code)")] == "active"
        created = row[header.index("Date")]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", created), created
        assert row[0] == account["id"]

    def test_the_activity_export_names_events_and_states(self, app):
        dr_factories.account("active")
        response = get(app, "/fr/dinamis/dashboard/export/activity.csv", factories.Sysadmin())
        rows = list(csv.reader(io.StringIO(response.body[1:]), delimiter=";"))
        header = rows[0]
        events = {row[header.index("Événement")] for row in rows[1:]}
        assert "Compte validé" in events
        assert "validate" in {row[header.index("Événement (code)")] for row in rows[1:]}
