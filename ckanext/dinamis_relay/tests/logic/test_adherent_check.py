"""The public "already an adherent?" check: by SIRET or name, no person, bounded, limited."""

from __future__ import annotations

import datetime
import json

import ckan.plugins.toolkit as tk
import pytest

from .. import procedure_helpers as h
from ..factories import valid_siret


def check(**data):
    return h.call("adherent_check", None, **data)


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestAnswer:
    def test_by_siret_names_the_path_the_end_and_a_role_never_a_person(self):
        siret = valid_siret()
        org, adhesion = h.adherent("Commune de Pessac", siret=siret)

        result = check(siret=siret[:3] + " " + siret[3:])

        assert result["adherent"] is True
        (item,) = result["results"]
        assert item["organization"]["name"] == org["name"]
        assert item["path"] == "direct"
        assert adhesion.valid_until is not None
        assert item["valid_until"] == adhesion.valid_until.isoformat()
        assert item["contact"] == {"kind": "referent", "label": "Responsable SIG"}
        text = json.dumps(result)
        for personal in ("Jeanne Maire", "maire@pessac.fr", "referent_user_id", "legal_rep"):
            assert personal not in text

    def test_relay_partner_points_to_the_relay(self):
        siret = valid_siret()
        h.adherent("Syndicat mixte du Bassin", mode="relay", siret=siret)
        (item,) = check(siret=siret)["results"]
        assert item["path"] == "relay"
        assert item["contact"] == {"kind": "relay", "label": "PIGMA"}

    def test_by_name_ignores_accents_case_and_word_order(self):
        h.adherent("Communauté d'Agglomération du Grand Périgueux")
        result = check(q="perigueux AGGLOMERATION")
        assert [r["legal_name"] for r in result["results"]] == [
            "Communauté d'Agglomération du Grand Périgueux"
        ]

    @pytest.mark.parametrize("state", ["draft", "pending_instruction", "suspended", "terminated"])
    def test_only_accepted_adhesions_count(self, state):
        siret = valid_siret()
        h.adherent("Commune de Talence", state=state, siret=siret)
        assert check(siret=siret) == {"adherent": False, "results": [], "truncated": False}
        assert check(q="Talence")["adherent"] is False

    def test_past_validity_does_not_count(self):
        siret = valid_siret()
        h.adherent("Commune de Bègles", siret=siret, valid_until=datetime.date(2020, 1, 1))
        assert check(siret=siret)["adherent"] is False

    def test_a_name_search_names_a_bounded_number(self, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.adherent_check.max_results", 3)
        for n in range(5):
            h.adherent(f"Commune de Saint-Médard {n}")
        result = check(q="saint medard")
        assert len(result["results"]) == 3
        assert result["truncated"] is True


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestBadInput:
    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({}, "q"),
            ({"q": "ab"}, "q"),
            ({"q": "%%"}, "q"),
            ({"q": "x" * 201}, "q"),
            ({"siret": "123"}, "siret"),
            ({"siret": "12345678901234"}, "siret"),
        ],
    )
    def test_refused_with_the_field(self, data, field):
        with pytest.raises(tk.ValidationError) as error:
            check(**data)
        assert field in error.value.error_dict


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_redis")
class TestRateLimit:
    def test_a_client_is_limited_per_minute_through_the_api(self, app, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.adherent_check.per_minute", 3)
        h.adherent("Commune de Mérignac")
        url = "/api/3/action/dinamis_relay_adherent_check"
        for _ in range(3):
            response = app.get(url, query_string={"q": "merignac"})
            assert response.status_code == 200
            assert response.json["result"]["adherent"] is True
        refused = app.get(url, query_string={"q": "merignac"})
        assert refused.status_code == 409
        assert "limit" in refused.json["error"]

    def test_the_page_is_public_and_says_too_many(self, app, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.adherent_check.per_minute", 1)
        siret = valid_siret()
        h.adherent("Commune de Gradignan", siret=siret)
        page = app.get("/dinamis/adherent-check", query_string={"siret": siret})
        assert page.status_code == 200
        assert "Commune de Gradignan" in page.body
        assert "Jeanne Maire" not in page.body
        again = app.get("/dinamis/adherent-check", query_string={"q": "gradignan"})
        assert again.status_code == 429
        assert "Too many checks" in again.body

    def test_the_account_request_page_links_to_it(self, app):
        from ckan.tests import factories

        user = factories.User()
        page = app.get(
            "/dinamis/account/request",
            headers={"Authorization": factories.APIToken(user=user["name"])["token"]},
        )
        assert "/dinamis/adherent-check" in page.body
