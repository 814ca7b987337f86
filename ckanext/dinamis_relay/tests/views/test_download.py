"""The download route checks access and records each download; download_list reads them."""

from __future__ import annotations

import datetime

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan.lib.helpers import url_for
from ckan.tests import factories

from ckanext.dinamis_relay.model import DownloadEvent

from .. import imagery_helpers as h


def _headers(user):
    return {"Authorization": factories.APIToken(user=user["name"])["token"]}


def _imagery(code=h.SPOT, url="http://example.org/scene.tif", **resource):
    publisher = factories.Organization()
    dataset = factories.Dataset(
        owner_org=publisher["id"], extras=[{"key": "dinamis_licence", "value": code}]
    )
    return dataset, factories.Resource(package_id=dataset["id"], url=url, **resource)


def _events():
    model.Session.expire_all()
    return (
        model.Session.execute(sa.select(DownloadEvent).order_by(DownloadEvent.id)).scalars().all()
    )


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestRoute:
    def test_allowed_download_is_recorded_then_redirected(self, app):
        w = h.world()
        dataset, resource = _imagery()
        response = app.get(
            url_for("dinamis_relay.download", resource_id=resource["id"]),
            headers=_headers(w.requester),
            follow_redirects=False,
        )
        assert response.status_code == 302
        assert response.headers["Location"] == "http://example.org/scene.tif"
        (event,) = _events()
        assert event.user_id == w.requester["id"]
        assert event.organization_id == w.relay_entity["id"]
        assert event.dataset_id == dataset["id"] and event.resource_id == resource["id"]
        assert event.licence == h.SPOT
        assert event.created is not None

    def test_staff_download_has_no_entity(self, app):
        w = h.world()
        _dataset, resource = _imagery()
        app.get(
            url_for("dinamis_relay.download", resource_id=resource["id"]),
            headers=_headers(w.super_referent),
            follow_redirects=False,
        )
        (event,) = _events()
        assert event.user_id == w.super_referent["id"] and event.organization_id is None

    @pytest.mark.parametrize("role", ["outsider", "suspended", "referent"])
    def test_refused_download_records_nothing(self, app, role):
        w = h.world()
        _dataset, resource = _imagery()
        response = app.get(
            url_for("dinamis_relay.download", resource_id=resource["id"]),
            headers=_headers(w.roles()[role]),
            follow_redirects=False,
        )
        assert response.status_code == 403
        assert _events() == []

    def test_anonymous_is_sent_to_login(self, app):
        _dataset, resource = _imagery()
        response = app.get(
            url_for("dinamis_relay.download", resource_id=resource["id"]), follow_redirects=False
        )
        assert response.status_code == 302 and "/user/login" in response.headers["Location"]
        assert _events() == []

    def test_unknown_resource(self, app):
        w = h.world()
        response = app.get(
            url_for("dinamis_relay.download", resource_id="nope"), headers=_headers(w.requester)
        )
        assert response.status_code == 404

    def test_uploaded_file_goes_through_ckan_download(self, app):
        w = h.world()
        dataset, resource = _imagery()
        model.Session.execute(
            sa.update(model.Resource.__table__)
            .where(model.Resource.__table__.c.id == resource["id"])
            .values(url_type="upload", url="scene.tif")
        )
        model.Session.commit()
        # package_show serves the indexed dict while the dataset is unchanged: reindex it.
        from ckan.lib import search

        search.rebuild(dataset["id"])
        response = app.get(
            url_for("dinamis_relay.download", resource_id=resource["id"]),
            headers=_headers(w.requester),
            follow_redirects=False,
        )
        assert response.status_code == 302
        assert (
            f"/dataset/{dataset['id']}/resource/{resource['id']}/download"
            in response.headers["Location"]
        )
        assert len(_events()) == 1

    def test_open_dataset_is_not_recorded(self, app):
        w = h.world()
        dataset = factories.Dataset(owner_org=factories.Organization()["id"])
        resource = factories.Resource(package_id=dataset["id"], url="http://example.org/open.csv")
        response = app.get(
            url_for("dinamis_relay.download", resource_id=resource["id"]),
            headers=_headers(w.outsider),
            follow_redirects=False,
        )
        assert response.status_code == 302 and _events() == []

    def test_resource_page_links_to_the_recording_route(self, app):
        w = h.world()
        dataset, resource = _imagery()
        page = app.get(
            url_for("resource.read", id=dataset["name"], resource_id=resource["id"]),
            headers=_headers(w.requester),
        )
        assert url_for("dinamis_relay.download", resource_id=resource["id"]) in page.body


def _record(user, org, dataset_id="d", resource_id="r", days_ago=0):
    """A download written as a row, `days_ago` in the past: the route (tested above) records
    downloads at the present time only, and the list's filters and order need older ones."""
    event = DownloadEvent(
        user_id=user["id"],
        organization_id=org["id"] if org else None,
        dataset_id=dataset_id,
        resource_id=resource_id,
        licence=h.SPOT,
        created=datetime.datetime.now() - datetime.timedelta(days=days_ago),
    )
    model.Session.add(event)
    return event


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestList:
    def _data(self, w):
        for index in range(6):
            _record(w.requester, w.relay_entity, days_ago=index)
        for index in range(3):
            _record(w.classic_requester, w.classic_entity, dataset_id="d2", days_ago=index * 10)
        _record(w.super_referent, None)
        model.Session.commit()

    def _ids(self, user, **data):
        result = h.call("dinamis_relay_download_list", user, **data)
        assert result["count"] >= len(result["results"])
        return result

    def test_scope_per_role(self):
        w = h.world()
        self._data(w)
        assert self._ids(w.super_referent)["count"] == 10
        assert self._ids(w.sysadmin)["count"] == 10
        assert self._ids(w.requester)["count"] == 6
        assert self._ids(w.referent)["count"] == 3  # their entity's downloads
        assert self._ids(w.outsider)["count"] == 0
        assert self._ids(w.referent, organization_id=w.classic_entity["id"])["count"] == 3
        with pytest.raises(tk.NotAuthorized):
            self._ids(w.referent, organization_id=w.relay_entity["id"])
        with pytest.raises(tk.NotAuthorized):
            h.call("dinamis_relay_download_list", None)

    def test_filters_and_names(self):
        w = h.world()
        self._data(w)
        result = self._ids(w.super_referent, dataset_id="d2")
        assert result["count"] == 3
        assert result["results"][0]["organization_name"] == w.classic_entity["name"]
        assert result["results"][0]["user_name"] == w.classic_requester["name"]
        today = datetime.date.today()
        since = (today - datetime.timedelta(days=2)).isoformat()
        assert self._ids(w.super_referent, user_id=w.requester["id"], since=since)["count"] == 3
        until = (today - datetime.timedelta(days=15)).isoformat()
        assert self._ids(w.super_referent, until=until)["count"] == 1

    def test_paging_keyset_and_offset(self):
        w = h.world()
        self._data(w)
        first = self._ids(w.super_referent, limit=4)
        second = self._ids(w.super_referent, limit=4, before_id=first["next_before_id"])
        by_offset = self._ids(w.super_referent, limit=4, offset=4)
        assert [e["id"] for e in second["results"]] == [e["id"] for e in by_offset["results"]]
        ids = [e["id"] for e in first["results"] + second["results"]]
        assert ids == sorted(ids, reverse=True) and len(set(ids)) == 8

    @pytest.mark.parametrize(
        "data", [{"limit": 0}, {"limit": 5000}, {"before_id": "x"}, {"since": "yesterday"}]
    )
    def test_bad_paging(self, data):
        w = h.world()
        with pytest.raises(tk.ValidationError):
            h.call("dinamis_relay_download_list", w.super_referent, **data)

    def test_query_count_does_not_grow_with_the_page(self):
        w = h.world()
        self._data(w)
        engine = model.Session.get_bind()
        statements: list[str] = []

        def count(conn, cursor, statement, *args, **kwargs):
            if "dinamis_relay_download_event" in statement:
                statements.append(statement)

        counts = []
        for limit in (2, 10):
            statements.clear()
            sa.event.listen(engine, "before_cursor_execute", count)
            try:
                h.call("dinamis_relay_download_list", w.super_referent, limit=limit)
            finally:
                sa.event.remove(engine, "before_cursor_execute", count)
            counts.append(len(statements))
        assert counts[0] == counts[1] == 2
