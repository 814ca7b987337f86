"""The public statistics: open to all, aggregated, without personal data, cached in Redis."""

from __future__ import annotations

import datetime
import json

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories

from ckanext.dinamis_relay.logic.action.dashboard import _cache_key

from .. import dashboard_helpers as dh


@pytest.fixture()
def no_cache(ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.stats_cache_seconds", 0)


@pytest.fixture()
def clean_cache():
    from ckan.lib.redis import connect_to_redis

    connection = connect_to_redis()
    for months in range(1, 37):
        connection.delete(_cache_key(months))
    yield connection
    for months in range(1, 37):
        connection.delete(_cache_key(months))


@pytest.mark.usefixtures("with_plugins", "clean_db", "with_request_context", "no_cache")
class TestStats:
    @pytest.mark.parametrize("role", ["anonymous", "outsider", "referent", "sysadmin"])
    def test_everyone_may_read(self, role):
        world = dh.world()
        data = dh.call("dinamis_relay_stats", world.roles()[role])
        assert data["entities"]["adherent"] == 3

    def test_aggregates(self):
        dh.world()
        data = dh.call("dinamis_relay_stats", None, months=6)
        assert data["months"] == 6
        assert data["entities"]["by_type"] == {"commune": 2, "epci_cc": 1}
        assert data["entities"]["by_department"] == {"33": 1, "40": 1, "64": 1}
        assert data["accounts"] == {"active": 3}
        # Drafts are not requests yet.
        assert data["imagery_requests"]["submitted"] == 3
        assert "draft" not in data["imagery_requests"]["by_state"]
        assert data["downloads"] == {"total": 5}
        monthly = data["monthly"]
        assert len(monthly["months"]) == 6
        assert monthly["downloads"][-1] == 5
        assert monthly["adhesions_accepted"][-1] == 3
        assert monthly["accounts_validated"][-1] == 4

    def test_active_accounts_are_people_who_can_log_in(self):
        world = dh.world()
        assert dh.call("dinamis_relay_stats", None)["accounts"] == {"active": 3}
        # Opened on someone's behalf: active, but the person has not set a password yet.
        created = dh.call(
            "dinamis_relay_account_create",
            world.super_referent,
            organization_id=world.relay_entity["id"],
            email="jeanne.martin@example.fr",
            fullname="Jeanne Martin",
            job_title="Technicienne",
            intended_use="Cartographie",
        )
        assert (created["state"], created["awaiting_password"]) == ("active", True)
        assert dh.call("dinamis_relay_stats", None)["accounts"] == {"active": 3}
        # CKAN's password reset form activates the user: now they can log in.
        user = model.User.by_email("jeanne.martin@example.fr")
        assert user is not None
        user.state = "active"
        model.Session.commit()
        assert dh.call("dinamis_relay_stats", None)["accounts"] == {"active": 4}

    def test_no_personal_data(self):
        world = dh.world()
        text = json.dumps(dh.call("dinamis_relay_stats", None))
        people = [world.requester, world.referent, world.super_referent, world.instructor]
        for user in people:
            for field in ("id", "name", "email", "fullname"):
                if user.get(field):
                    assert user[field] not in text
        for org in (world.relay_entity, world.classic_entity):
            assert org["id"] not in text and org["name"] not in text
            assert org["title"] not in text

    def test_no_data(self):
        data = dh.call("dinamis_relay_stats", None, months=1)
        assert data["entities"] == {"adherent": 0, "by_type": {}, "by_department": {}}
        assert data["accounts"] == {"active": 0}
        assert data["downloads"] == {"total": 0}
        assert data["monthly"]["downloads"] == [0]

    @pytest.mark.parametrize("months", [0, 37, "x", "", "1.5", None])
    def test_bad_months(self, months):
        if months in ("", None):
            # Empty means the default period.
            assert dh.call("dinamis_relay_stats", None, months=months)["months"] == 12
            return
        with pytest.raises(tk.ValidationError) as error:
            dh.call("dinamis_relay_stats", None, months=months)
        assert "months" in error.value.error_dict


@pytest.mark.usefixtures("with_plugins", "clean_db", "with_request_context")
class TestCache:
    def test_cached_for_a_while(self, clean_cache):
        world = dh.world()
        first = dh.call("dinamis_relay_stats", None)
        assert clean_cache.ttl(_cache_key(12)) > 0
        assert tk.config["ckan.site_id"] in _cache_key(12)
        dh.downloads(world.requester, world.relay_entity, 4)
        model.Session.remove()
        with dh.count_queries() as statements:
            second = dh.call("dinamis_relay_stats", None)
        assert statements == []
        assert second == first
        # Another period is another cache entry, computed now.
        assert dh.call("dinamis_relay_stats", None, months=3)["downloads"]["total"] == 9

    def test_not_cached_when_disabled(self, clean_cache, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.stats_cache_seconds", 0)
        user = factories.User()
        dh.call("dinamis_relay_stats", None)
        dh.downloads(user, None, 2, created=datetime.datetime.now())
        assert dh.call("dinamis_relay_stats", None)["downloads"]["total"] == 2
        assert clean_cache.get(_cache_key(12)) is None
