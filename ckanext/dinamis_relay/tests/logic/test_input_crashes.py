"""Each input that crashed the plugin (issue 12) now gets a clear refusal, never a 500.

Every case goes through the action API or a web route of CKAN's test app, as a client would,
and checks the status, the field named and that the database is unchanged.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from ckan.tests import factories

from .. import factories as f


def _token(user: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": factories.APIToken(user=user["name"])["token"]}


def _post(app: Any, action: str, data: Any, headers: dict[str, str] | None = None) -> Any:
    return app.post(
        f"/api/3/action/dinamis_relay_{action}",
        data=json.dumps(data),
        content_type="application/json",
        headers=headers or {},
    )


def _errors(response: Any) -> dict[str, Any]:
    body = json.loads(response.body)
    return {k: v for k, v in body["error"].items() if k != "__type"}


# 21330318700016 typed in full-width digits.
FULL_WIDTH_SIRET = "".join(chr(0xFF10 + int(d)) for d in "21330318700016")


@pytest.fixture()
def sysadmin() -> dict[str, str]:
    return _token(factories.Sysadmin())


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestApiRefusesBadInput:
    @pytest.mark.parametrize(
        ("action", "data", "field"),
        [
            ("adhesion_show", {"id": "x\u0000"}, "id"),
            ("adhesion_show", {"organization_id": "\ud800"}, "organization_id"),
            ("adhesion_list", {"limit": "abc"}, "limit"),
            ("adhesion_list", {"limit": "\u0661\u0660"}, "limit"),
            ("adhesion_list", {"offset": 10**19}, "offset"),
            ("adhesion_list", {"limit": [1]}, "limit"),
            ("adhesion_list", {"state": {"a": 1}}, "state"),
            ("account_list", {"limit": "abc"}, "limit"),
            ("account_list", {"offset": 10**19}, "offset"),
            ("download_list", {"until": "9999-12-31"}, "until"),
            ("download_list", {"since": 20240101}, "since"),
            ("adhesion_expire", {"today": "9999-12-31"}, "today"),
            ("imagery_request_list", {"q": "a\u0000"}, "q"),
            ("document_list", {"limit": -1}, "limit"),
            ("dashboard", {"months": "9" * 400}, "months"),
            ("account_import", {"csv": 1}, "csv"),
            ("account_import", {"csv": {"a": 1}}, "csv"),
            ("account_import", {"csv": ["email"]}, "csv"),
            ("adhesion_decide", {"id": "x", "decision": "maybe"}, "decision"),
        ],
    )
    def test_refused_with_the_field_named(self, app, sysadmin, action, data, field):
        before = f.db_snapshot()
        response = _post(app, action, data, sysadmin)
        assert response.status_code == 409, response.body
        assert field in _errors(response)
        assert f.db_snapshot() == before

    def test_nul_byte_in_a_patched_text(self, app):
        adhesion = f.adhesion("draft")
        before = f.db_snapshot()
        response = _post(
            app,
            "adhesion_patch",
            {"id": adhesion["id"], "legal_name": "Nom\u0000"},
            _token(adhesion["referent_dict"]),
        )
        assert response.status_code == 409
        assert _errors(response) == {"legal_name": ["Must not contain a NUL character"]}
        assert f.db_snapshot() == before

    def test_deeply_nested_area(self, app):
        account = f.account("active")
        response = _post(
            app,
            "imagery_request_create",
            {
                "title": "Zone",
                "area": "[" * 5000 + "]" * 5000,
                "period_start": "2026-01-01",
                "period_end": "2026-02-01",
                "sensor": "spot67",
                "intended_use": "Suivi",
            },
            _token(account["person_dict"]),
        )
        assert response.status_code == 409
        assert "area" in _errors(response)

    def test_deeply_nested_body(self, app, sysadmin):
        nested: Any = "x"
        for _ in range(200):
            nested = [nested]
        response = _post(app, "adhesion_list", {"q": nested}, sysadmin)
        assert response.status_code == 409
        assert "q" in _errors(response)

    def test_invalid_choice_is_not_echoed_whole(self, app):
        account = f.account("active")
        response = _post(
            app,
            "imagery_request_create",
            {"sensor": "x" * 150_000, "title": "t"},
            _token(account["person_dict"]),
        )
        assert response.status_code == 409
        assert len(response.body) < 5000

    def test_full_width_siret_is_refused(self, app):
        adhesion = f.adhesion("draft")
        response = _post(
            app,
            "adhesion_patch",
            {"id": adhesion["id"], "siret": FULL_WIDTH_SIRET},
            _token(adhesion["referent_dict"]),
        )
        assert response.status_code == 409
        assert "siret" in _errors(response)

    def test_texts_are_capped(self, app):
        adhesion = f.adhesion("draft")
        response = _post(
            app,
            "adhesion_patch",
            {"id": adhesion["id"], "legal_name": "N" * 100_000},
            _token(adhesion["referent_dict"]),
        )
        assert response.status_code == 409
        assert "legal_name" in _errors(response)


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestCost:
    def test_anonymous_create_with_a_huge_email_is_refused_at_once(self, app):
        org = factories.Organization()
        start = time.perf_counter()
        response = _post(
            app,
            "adhesion_create",
            {"organization_id": org["id"], "mode": "classic", "legal_rep_email": "a" * 300_000},
        )
        elapsed = time.perf_counter() - start
        assert response.status_code == 403
        print(f"anonymous refusal of a 300 kB email: {elapsed:.3f} s")

    @pytest.mark.parametrize("action", ["adhesion_list", "account_list"])
    def test_anonymous_lists_are_refused(self, app, action):
        assert _post(app, action, {}).status_code == 403


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestChainedCoreActions:
    @pytest.mark.parametrize(
        ("action", "data"),
        [
            ("user_delete", {"id": {"a": 1}}),
            ("member_delete", {"id": ["x"], "object": "y", "object_type": "user"}),
            ("member_delete", {"id": "\ud800", "object": "y", "object_type": "user"}),
            ("organization_update", {"id": {"a": 1}, "users": []}),
        ],
    )
    def test_bad_ids_are_refused(self, app, sysadmin, action, data):
        response = app.post(
            f"/api/3/action/{action}",
            data=json.dumps(data),
            content_type="application/json",
            headers=sysadmin,
        )
        assert response.status_code == 409, response.body
        assert "id" in _errors(response)


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestWebRoutes:
    @pytest.mark.parametrize(
        "path",
        [
            "/dinamis/adhesion/%00",
            "/dinamis/account/%00",
            "/dinamis/imagery/%00",
            "/dinamis/account/list?organization_id=no-such-org",
            "/dinamis/account/list?page=99999999999999999999",
            "/dinamis/account/list?page=abc",
            "/dinamis/organization/%00",
        ],
    )
    def test_no_server_error(self, app, path):
        user = factories.Sysadmin()
        response = app.get(path, headers=_token(user))
        assert response.status_code < 500, response.status_code
