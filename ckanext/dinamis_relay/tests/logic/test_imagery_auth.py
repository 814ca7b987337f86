"""Auth matrix of the services actions: every role against every action."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import pytest

from .. import factories as f
from .. import imagery_helpers as h

ROLES = (
    "anonymous",
    "outsider",
    "suspended",
    "requester",
    "classic_requester",
    "referent",
    "super_referent",
    "instructor",
    "sysadmin",
)


def _allowed(w: h.World, action: str, data: dict[str, Any]) -> set[str]:
    allowed = set()
    for role, user in w.roles().items():
        context = {"user": user["name"] if user else "", "ignore_auth": False}
        try:
            tk.check_access(action, context, dict(data))
        except tk.NotAuthorized:
            continue
        allowed.add(role)
    return allowed


def _request(w: h.World, user: dict[str, Any], *steps: tuple[dict[str, Any], str]) -> str:
    created = f.ImageryRequestFactory(user=user)
    if steps:
        h.call("dinamis_relay_imagery_request_submit", user, id=created["id"])
    for actor, transition in steps:
        if transition != "submit":
            h.call(
                "dinamis_relay_imagery_request_transition",
                actor,
                id=created["id"],
                transition=transition,
            )
    return created["id"]


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestMatrix:
    def test_create(self):
        w = h.world()
        assert _allowed(w, "dinamis_relay_imagery_request_create", {}) == {
            "requester",
            "classic_requester",
            "sysadmin",
        }
        assert _allowed(
            w, "dinamis_relay_imagery_request_create", {"organization_id": w.classic_entity["id"]}
        ) == {"classic_requester", "sysadmin"}

    def test_draft(self):
        w = h.world()
        draft = _request(w, w.requester)
        owner_only = {"requester", "sysadmin"}
        for action in ("update", "submit", "show"):
            assert _allowed(w, f"dinamis_relay_imagery_request_{action}", {"id": draft}) == (
                owner_only
            ), action
        assert (
            _allowed(
                w, "dinamis_relay_imagery_request_transition", {"id": draft, "transition": "cancel"}
            )
            == owner_only
        )
        assert _allowed(
            w, "dinamis_relay_imagery_request_transition", {"id": draft, "transition": "review"}
        ) == {"sysadmin"}

    def test_submitted_relay_request(self):
        w = h.world()
        request_id = _request(w, w.requester, (w.requester, "submit"))
        readers = {"requester", "super_referent", "sysadmin"}
        assert _allowed(w, "dinamis_relay_imagery_request_show", {"id": request_id}) == readers
        assert _allowed(w, "dinamis_relay_imagery_request_comment", {"id": request_id}) == readers
        assert _allowed(
            w, "dinamis_relay_imagery_request_comment", {"id": request_id, "internal": True}
        ) == {"super_referent", "sysadmin"}
        expected = {
            "review": {"super_referent", "sysadmin"},
            "answer": {"super_referent", "sysadmin"},
            "forward": {"super_referent", "sysadmin"},
            "reject": {"super_referent", "sysadmin"},
            "accept": {"sysadmin"},
            "start": {"sysadmin"},
            "deliver": {"sysadmin"},
            "close": {"requester", "super_referent", "sysadmin"},
            "cancel": {"requester", "sysadmin"},
        }
        for transition, roles in expected.items():
            data = {"id": request_id, "transition": transition}
            assert _allowed(w, "dinamis_relay_imagery_request_transition", data) == roles, (
                transition
            )
        for action in ("update", "submit"):
            assert _allowed(w, f"dinamis_relay_imagery_request_{action}", {"id": request_id}) == {
                "requester",
                "sysadmin",
            }

    def test_submitted_classic_request(self):
        w = h.world()
        request_id = _request(w, w.classic_requester, (w.classic_requester, "submit"))
        readers = {"classic_requester", "referent", "sysadmin"}
        assert _allowed(w, "dinamis_relay_imagery_request_show", {"id": request_id}) == readers
        assert _allowed(
            w,
            "dinamis_relay_imagery_request_transition",
            {"id": request_id, "transition": "forward"},
        ) == {"referent", "sysadmin"}

    def test_forwarded_request(self):
        w = h.world()
        request_id = _request(
            w,
            w.requester,
            (w.requester, "submit"),
            (w.super_referent, "review"),
            (w.super_referent, "forward"),
        )
        readers = {"requester", "super_referent", "instructor", "sysadmin"}
        assert _allowed(w, "dinamis_relay_imagery_request_show", {"id": request_id}) == readers
        for transition in ("accept", "start", "deliver"):
            assert _allowed(
                w,
                "dinamis_relay_imagery_request_transition",
                {"id": request_id, "transition": transition},
            ) == {"instructor", "sysadmin"}

    def test_list(self):
        w = h.world()
        assert _allowed(w, "dinamis_relay_imagery_request_list", {}) == set(ROLES) - {"anonymous"}

    def test_download_list(self):
        w = h.world()
        logged_in = set(ROLES) - {"anonymous"}
        assert _allowed(w, "dinamis_relay_download_list", {}) == logged_in
        assert _allowed(
            w, "dinamis_relay_download_list", {"organization_id": w.relay_entity["id"]}
        ) == {"super_referent", "sysadmin"}
        assert _allowed(
            w, "dinamis_relay_download_list", {"organization_id": w.classic_entity["id"]}
        ) == {"referent", "super_referent", "sysadmin"}
        assert _allowed(w, "dinamis_relay_download_list", {"user_id": w.requester["id"]}) == {
            "requester",
            "referent",
            "super_referent",
            "sysadmin",
        }

    def test_download_record(self, ckan_config):
        from ckan.tests import factories

        w = h.world()
        publisher = factories.Organization()
        dataset = factories.Dataset(
            owner_org=publisher["id"], extras=[{"key": "dinamis_licence", "value": h.SPOT}]
        )
        resource = factories.Resource(package_id=dataset["id"], url="http://example.org/a.tif")
        assert _allowed(w, "dinamis_relay_download_record", {"id": resource["id"]}) == {
            "requester",
            "classic_requester",
            "super_referent",
            "instructor",
            "sysadmin",
        }
