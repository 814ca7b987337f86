"""Imagery request pages: list, form with map, detail with thread, triage queue."""

from __future__ import annotations

import json

import ckan.model as model
import pytest
from ckan.lib.helpers import url_for

from ckanext.dinamis_relay.model import ImageryRequest

from .. import imagery_helpers as h


def _headers(user):
    return {"Authorization": _token(user)}


def _token(user):
    from ckan.tests import factories

    return factories.APIToken(user=user["name"])["token"]


def _form(**overrides):
    data = h.request_data(**overrides)
    data["area"] = json.dumps(data["area"])
    data["stereo"] = "stereo" if data.pop("stereo") else "mono"
    return {k: str(v) for k, v in data.items()}


@pytest.fixture()
def no_tiles(ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.imagery.tile_url", "")


@pytest.mark.usefixtures("with_plugins", "clean_db", "no_tiles")
class TestPages:
    def test_form_has_the_map_and_leaflet(self, app):
        w = h.world()
        response = app.get(url_for("dinamis_relay.imagery_new"), headers=_headers(w.requester))
        assert response.status_code == 200
        body = response.body
        assert "data-dinamis-imagery-map" in body
        assert 'name="area"' in body and 'id="field-area-file"' in body
        assert "_leaflet.js" in body and "_imagery_map.js" in body and "_leaflet.css" in body
        assert 'data-tile-url=""' in body

    def test_leaflet_css_points_at_served_images(self, app):
        w = h.world()
        body = app.get(url_for("dinamis_relay.imagery_new"), headers=_headers(w.requester)).body
        import re

        found = re.search(r'href="([^"]*_leaflet\.css)', body)
        assert found is not None
        css_url = found.group(1)
        css = app.get(css_url).body
        from urllib.parse import urljoin

        sprite = re.search(r"url\(['\"]?([^)'\"]*spritesheet\.svg)", css)
        assert sprite is not None
        image = app.get(urljoin(css_url, sprite.group(1)))
        assert image.status_code == 200 and b"<svg" in image.data

    def test_form_refused_without_active_account(self, app):
        w = h.world()
        response = app.get(url_for("dinamis_relay.imagery_new"), headers=_headers(w.suspended))
        assert response.status_code == 403

    def test_submit_from_the_form(self, app):
        w = h.world()
        response = app.post(
            url_for("dinamis_relay.imagery_new"),
            data={**_form(), "save": "submit"},
            headers=_headers(w.requester),
            follow_redirects=False,
        )
        assert response.status_code == 302
        row = model.Session.query(ImageryRequest).one()
        assert row.state == "submitted" and row.number
        page = app.get(
            url_for("dinamis_relay.imagery_read", id=row.id), headers=_headers(w.requester)
        )
        assert row.number in page.body and "Cancel the request" in page.body

    def test_errors_are_shown_per_field_and_nothing_stored(self, app):
        w = h.world()
        data = _form(period_start="2026-06-10", period_end="2026-06-01", acquisition_mode="archive")
        data["area"] = json.dumps(h.BOWTIE)
        data["sensor"] = "landsat"
        response = app.post(
            url_for("dinamis_relay.imagery_new"),
            data={**data, "save": "draft"},
            headers=_headers(w.requester),
        )
        assert response.status_code == 200
        assert "crosses itself" in response.body
        assert model.Session.query(ImageryRequest).count() == 0

    def test_detail_thread_and_triage(self, app, imagery_request_factory):
        w = h.world()
        created = imagery_request_factory(user=w.requester)
        h.call("dinamis_relay_imagery_request_submit", w.requester, id=created["id"])

        triage = app.get(
            url_for("dinamis_relay.imagery_triage"), headers=_headers(w.super_referent)
        )
        assert created["title"] in triage.body

        app.post(
            url_for("dinamis_relay.imagery_comment", id=created["id"]),
            data={"body": "Quelle résolution ?"},
            headers=_headers(w.super_referent),
        )
        app.post(
            url_for("dinamis_relay.imagery_transition", id=created["id"]),
            data={"transition": "review", "comment": ""},
            headers=_headers(w.super_referent),
        )
        page = app.get(
            url_for("dinamis_relay.imagery_read", id=created["id"]), headers=_headers(w.requester)
        )
        assert "Quelle résolution ?" in page.body
        assert "In review" in page.body

        # Refused transition: shown as an error, state unchanged.
        response = app.post(
            url_for("dinamis_relay.imagery_transition", id=created["id"]),
            data={"transition": "answer", "comment": ""},
            headers=_headers(w.super_referent),
        )
        assert response.status_code == 200 and "Explain this decision" in response.body
        model.Session.expire_all()
        assert model.Session.get(ImageryRequest, created["id"]).state == "in_review"

    def test_outsider_cannot_see_a_request(self, app, imagery_request_factory):
        w = h.world()
        created = imagery_request_factory(user=w.requester)
        response = app.get(
            url_for("dinamis_relay.imagery_read", id=created["id"]), headers=_headers(w.outsider)
        )
        assert response.status_code == 403
        assert (
            app.get(
                url_for("dinamis_relay.imagery_read", id="nope"), headers=_headers(w.outsider)
            ).status_code
            == 404
        )

    def test_list_and_geojson(self, app, imagery_request_factory):
        w = h.world()
        created = imagery_request_factory(user=w.requester)
        page = app.get(url_for("dinamis_relay.imagery_list"), headers=_headers(w.requester))
        assert created["title"] in page.body
        area = app.get(
            url_for("dinamis_relay.imagery_area", id=created["id"]), headers=_headers(w.requester)
        )
        assert json.loads(area.body)["geometry"]["type"] == "Polygon"

    def test_french(self, app):
        w = h.world()
        page = app.get("/fr" + url_for("dinamis_relay.imagery_list"), headers=_headers(w.requester))
        assert page.status_code == 200
