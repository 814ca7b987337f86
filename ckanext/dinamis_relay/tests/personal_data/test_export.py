"""dinamis_relay_personal_data_export and the "Mes données" page."""

from __future__ import annotations

import json

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories

from .. import dashboard_helpers
from .. import personal_data_helpers as h

ALLOWED = {"the person", "sysadmin"}


def _token(user):
    return {"Authorization": factories.APIToken(user=user["name"])["token"]}


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestExport:
    def test_auth_for_every_role(self):
        population = h.populate(downloads=1)
        for role, user in population.roles().items():
            if role in ALLOWED:
                result = h.call("personal_data_export", user, user=population.person["name"])
                assert result["user"]["id"] == population.person["id"], role
            else:
                with pytest.raises(tk.NotAuthorized):
                    h.call("personal_data_export", user, user=population.person["id"])

    def test_everything_the_plugin_holds_about_the_person(self):
        population = h.populate(downloads=2)
        result = h.call("personal_data_export", population.person)

        assert result["user"]["email"] == population.person["email"]
        assert result["pseudonym"] is None
        [account] = result["accounts"]
        assert account["job_title"] == "Géomaticienne"
        assert account["phone"] == "05 56 12 34 56"
        assert account["terms_accepted_at"]
        assert len(result["downloads"]) == 2
        assert {r["id"] for r in result["imagery_requests"]} == {
            population.answered["id"],
            population.lonely["id"],
            population.draft["id"],
        }
        assert sorted(c["body"] for c in result["comments"]) == [
            "Précision de Camille",
            "Question de Camille",
        ]
        # As actor (their request) and as subject (the sysadmin validating their account).
        actions = {(e["object_type"], e["action"]) for e in result["audit_events"]}
        assert {("account", "request"), ("account", "validate")} <= actions
        assert ("imagery_request", "submit") in actions
        assert result["adhesions"] == []

    def test_the_referent_and_the_legal_representative_see_only_their_part(self):
        population = h.populate(downloads=0)
        referent = h.call("personal_data_export", population.referent)
        [adhesion] = referent["adhesions"]
        assert adhesion["roles"] == ["referent_user_id"]
        assert adhesion["referent_title"] == "Responsable SIG"
        assert "legal_rep_email" not in adhesion
        assert referent["acceptances"] == []

        legal_rep = factories.User(email="maire@pessac.fr")
        result = h.call("personal_data_export", legal_rep)
        [adhesion] = result["adhesions"]
        assert adhesion["roles"] == ["legal_representative"]
        assert adhesion["legal_rep_name"] == "Jeanne Maire"
        assert "referent_phone" not in adhesion
        assert {a["text_kind"] for a in result["acceptances"]} >= {"charter", "licence"}

    def test_one_query_per_kind_whatever_the_volume(self):
        small = h.populate(downloads=1)
        big = h.populate(downloads=15, staff=small.staff)
        for _ in range(5):
            h.call("imagery_request_comment", big.person, id=big.answered["id"], body="Encore")
        counts = []
        for population in (small, big):
            with dashboard_helpers.count_queries() as statements:
                h.call(
                    "personal_data_export", population.staff.sysadmin, user=population.person["id"]
                )
            counts.append(len([s for s in statements if "dinamis_relay_" in s]))
        assert counts[0] == counts[1]
        assert counts[0] <= len(h.register_kinds()) + 1  # + the pseudonym look-up

    def test_unknown_user_names_the_field(self):
        staff = h.f.staff()
        with pytest.raises(tk.ValidationError) as error:
            h.call("personal_data_export", staff.sysadmin, user="nobody-at-all")
        assert "user" in error.value.error_dict

    def test_anonymous_without_user(self):
        with pytest.raises(tk.NotAuthorized):
            h.call("personal_data_export", None)


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestMyDataPage:
    def test_page_in_french_and_json_download(self, app):
        population = h.populate(downloads=2)
        page = app.get("/fr/dinamis/my-data", headers=_token(population.person))
        assert "Mes données" in page.body
        assert 'id="dinamis-my-data-downloads"><td>Téléchargements</td><td class="text-end">2' in (
            page.body
        )
        response = app.get("/dinamis/my-data.json", headers=_token(population.person))
        assert response.headers["Content-Type"].startswith("application/json")
        assert "attachment" in response.headers["Content-Disposition"]
        data = json.loads(response.get_data(as_text=True))
        assert data["user"]["id"] == population.person["id"]
        assert len(data["downloads"]) == 2

    def test_others_are_refused_and_anonymous_asked_to_log_in(self, app):
        population = h.populate(downloads=0)
        for role in ("other user", "super-referent", "instructor", "referent"):
            app.get(
                "/dinamis/my-data.json",
                headers=_token(population.roles()[role]),
                query_string={"user": population.person["name"]},
                status=403,
            )
        sysadmin = app.get(
            "/dinamis/my-data.json",
            headers=_token(population.staff.sysadmin),
            query_string={"user": population.person["name"]},
        )
        assert (
            json.loads(sysadmin.get_data(as_text=True))["user"]["name"]
            == (population.person["name"])
        )
        response = app.get("/dinamis/my-data", follow_redirects=False)
        assert response.status_code == 302 and "/user/login" in response.headers["Location"]
