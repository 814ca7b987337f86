"""Pages of the procedure actions that had only an API: registering existing adherents
(form and CSV), waves of relay applications (CSV drafts, bulk eligibility and submission) and
instructors' quota overrides; errors per field or row, in French; reachable from /dinamis/."""

from __future__ import annotations

import datetime
import html
import io
import re
from typing import Any

import ckan.model as model
import pytest
from ckan.tests import factories

from ckanext.dinamis_relay.model import Adhesion, EligibilityCheck, QuotaOverride

from .. import factories as f
from ..compat import login_as
from ..logic.test_waves import COLUMNS, row

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.site_url", "http://localhost"),
]

TODAY = datetime.date.today()
LAST_YEAR = TODAY.replace(year=TODAY.year - 1)
IN_TWO_YEARS = TODAY.replace(year=TODAY.year + 2)
_CSRF = re.compile(r'<meta name="_csrf_token" content="([^"]+)"')


def post(app: Any, url: str, data: dict[str, Any]) -> Any:
    match = _CSRF.search(app.get("/dinamis/").body)
    assert match is not None
    return app.post(url, data={**data, "_csrf_token": match.group(1)}, follow_redirects=False)


def text(response: Any) -> str:
    return html.unescape(response.body)


class TestRegister:
    def test_an_instructor_registers_through_the_form(self, app):
        staff = f.staff()
        org = factories.Organization(title="Ville de Libourne")
        referent = factories.User(fullname="Jeanne Référente")
        login_as(app, staff.instructor)
        response = post(
            app,
            "/dinamis/register",
            {
                # What a person types: the title shown and the full name.
                "organization_id": "Ville de Libourne",
                "mode": "classic",
                "number": "DIN-2023-117",
                "accepted_on": LAST_YEAR.isoformat(),
                "valid_until": IN_TWO_YEARS.isoformat(),
                "referent_user_id": "Jeanne Référente",
            },
        )
        assert response.status_code == 302, response.body[:3000]
        model.Session.expire_all()
        adhesion = model.Session.query(Adhesion).filter_by(organization_id=org["id"]).one()
        assert (adhesion.state, adhesion.referent_user_id) == ("accepted", referent["id"])

    def test_errors_name_each_field_in_french(self, app):
        staff = f.staff()
        org = factories.Organization()
        login_as(app, staff.instructor)
        response = post(
            app,
            "/fr/dinamis/register",
            {
                "organization_id": org["name"],
                "number": "",
                "accepted_on": (TODAY + datetime.timedelta(days=5)).isoformat(),
                "valid_until": IN_TWO_YEARS.isoformat(),
                "referent_user_id": "personne-inconnue",
            },
        )
        assert response.status_code == 400
        page = text(response)
        assert "<strong>Numéro d'adhésion DINAMIS</strong> : Valeur manquante" in page
        assert "<strong>Référent de l'entité</strong> : Utilisateur introuvable" in page
        assert 'id="field-number-error"' in page and 'aria-invalid="true"' in page
        response = post(
            app,
            "/fr/dinamis/register",
            {
                "organization_id": org["name"],
                "number": "DIN-1",
                "accepted_on": (TODAY + datetime.timedelta(days=5)).isoformat(),
                "valid_until": IN_TWO_YEARS.isoformat(),
                "referent_user_id": factories.User()["name"],
            },
        )
        assert response.status_code == 400
        assert "<strong>Acceptée par DINAMIS le</strong>" in text(response)
        assert 'id="field-accepted_on-error"' in text(response)
        assert model.Session.query(Adhesion).count() == 0

    def test_the_csv_import_lists_each_wrong_row_in_french(self, app):
        staff = f.staff()
        referent = factories.User()
        login_as(app, staff.super_referent)
        csv = (
            "organization,number,accepted_on,valid_until,referent,mode\n"
            f"{factories.Organization()['name']},EXT-1,{LAST_YEAR},{IN_TWO_YEARS},"
            f"{referent['name']},relay\n"
            f"no-such-org,EXT-2,{LAST_YEAR},{IN_TWO_YEARS},{referent['name']},relay\n"
        )
        response = post(
            app,
            "/fr/dinamis/register/import",
            {"upload": (io.BytesIO(csv.encode()), "adherents.csv"), "dry_run": "on"},
        )
        assert response.status_code == 400
        assert "Ligne 3" in text(response) and "Ligne 2" not in text(response)
        good = csv.splitlines()[0] + "\n" + csv.splitlines()[1] + "\n"
        response = post(
            app, "/fr/dinamis/register/import", {"upload": (io.BytesIO(good.encode()), "a.csv")}
        )
        assert response.status_code == 200
        assert "1 adhésion enregistrée" in text(response)

    def test_reachable_from_the_landing_page_for_staff_only(self, app):
        staff = f.staff()
        login_as(app, staff.instructor)
        assert "/dinamis/register" in app.get("/dinamis/").body
        user = factories.User()
        login_as(app, user)
        assert "/dinamis/register" not in app.get("/dinamis/").body
        assert app.get("/dinamis/register").status_code == 403
        assert app.get("/dinamis/waves").status_code == 403


class TestWaves:
    def test_drafts_from_a_csv_then_eligibility_and_submission_of_a_selection(self, app):
        staff = f.staff()
        login_as(app, staff.super_referent)
        assert "/dinamis/waves" in app.get("/dinamis/").body
        referent = factories.User()
        orgs = [factories.Organization() for _ in range(2)]
        csv = COLUMNS + "".join(row(org, referent, n=n) for n, org in enumerate(orgs, 1))
        response = post(app, "/fr/dinamis/waves", {"upload": (io.BytesIO(csv.encode()), "w.csv")})
        assert response.status_code == 200, text(response)[:3000]
        assert "2 demandes créées en brouillon" in text(response)
        model.Session.expire_all()
        ids = [a.id for a in model.Session.query(Adhesion).filter_by(mode="relay", state="draft")]
        assert len(ids) == 2
        page = app.get("/dinamis/waves").body
        assert all(f'value="{i}"' in page for i in ids)

        response = post(
            app,
            "/dinamis/waves/bulk",
            {"ids": ids, "operation": "check_eligibility", "eligible": "true", "note": "OK"},
        )
        assert response.status_code == 302
        assert model.Session.query(EligibilityCheck).count() == 2
        response = post(app, "/dinamis/waves/bulk", {"ids": ids, "operation": "submit"})
        assert response.status_code == 302
        model.Session.expire_all()
        states = {a.state for a in model.Session.query(Adhesion).filter(Adhesion.id.in_(ids))}
        assert states == {"pending_legal_validation"}

    def test_a_refused_selection_says_why_in_french(self, app):
        staff = f.staff()
        login_as(app, staff.super_referent)
        draft = f.adhesion("draft", mode="relay")
        response = post(
            app, "/fr/dinamis/waves/bulk", {"ids": [draft["id"]], "operation": "submit"}
        )
        assert response.status_code == 400
        assert "Rien n'a été fait" in text(response)
        response = post(app, "/fr/dinamis/waves/bulk", {"operation": "submit"})
        assert response.status_code == 400
        assert "Demandes" in text(response)
        model.Session.expire_all()
        assert model.Session.get(Adhesion, draft["id"]).state == "draft"


class TestQuotaOverrides:
    def test_an_instructor_overrides_and_resets_an_entity_quota(self, app):
        staff = f.staff()
        adhesion = f.adhesion("accepted")
        org = adhesion["organization_dict"]
        login_as(app, staff.instructor)
        assert f"/dinamis/quotas/{org['name']}" in app.get("/dinamis/quotas").body
        page = app.get(f"/fr/dinamis/quotas/{org['name']}").body
        assert 'for="km2-spot67"' in page
        response = post(app, f"/dinamis/quotas/{org['name']}", {"sensor": "spot67", "km2": "1234"})
        assert response.status_code == 302
        model.Session.expire_all()
        override = model.Session.query(QuotaOverride).one()
        assert (override.sensor, override.km2) == ("spot67", 1234)
        response = post(app, f"/dinamis/quotas/{org['name']}", {"sensor": "spot67", "km2": ""})
        assert response.status_code == 302
        model.Session.expire_all()
        assert model.Session.query(QuotaOverride).count() == 0

    def test_bad_input_is_explained_on_the_field(self, app):
        staff = f.staff()
        org = f.adhesion("accepted")["organization_dict"]
        login_as(app, staff.instructor)
        response = post(
            app, f"/fr/dinamis/quotas/{org['name']}", {"sensor": "spot67", "km2": "beaucoup"}
        )
        assert response.status_code == 400
        page = text(response)
        assert 'id="km2-spot67-error"' in page and "Quota (km²)" in page
        assert model.Session.query(QuotaOverride).count() == 0

    def test_super_referents_see_relay_partners_quotas_without_the_form(self, app):
        staff = f.staff()
        org = f.adhesion("accepted", mode="relay")["organization_dict"]
        login_as(app, staff.super_referent)
        page = app.get(f"/dinamis/quotas/{org['name']}")
        assert page.status_code == 200 and 'name="km2"' not in page.body
        response = post(app, f"/dinamis/quotas/{org['name']}", {"sensor": "spot67", "km2": "5"})
        assert response.status_code == 403
        login_as(app, factories.User())
        assert app.get(f"/dinamis/quotas/{org['name']}").status_code == 403
