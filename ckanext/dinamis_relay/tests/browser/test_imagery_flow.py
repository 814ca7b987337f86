"""A requester draws a polygon on the Leaflet map and submits an imagery request."""

from __future__ import annotations

import datetime
import json
from typing import Any

import ckan.model as model
import pytest

from ckanext.dinamis_relay.model import ImageryRequest

from .. import imagery_helpers as h
from .conftest import login


@pytest.fixture()
def no_tiles(ckan_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    # No basemap: the test never reaches a tile server.
    monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.imagery.tile_url", "")


@pytest.mark.browser
@pytest.mark.usefixtures("no_tiles")
def test_draw_a_polygon_and_submit(browser_page: Any, live_server: str) -> None:
    w = h.world()
    page = browser_page
    login(page, w.requester["name"], h.PASSWORD)

    page.goto("/dinamis/imagery/new")
    page.fill("#field-title", "Zone humide de la Leyre")

    # Zoom in so that the drawn shape stays well under the area limit.
    page.wait_for_selector("#imagery-map.leaflet-container")
    for _ in range(5):
        page.click(".leaflet-control-zoom-in")
    page.wait_for_timeout(300)  # zoom animation; not an assertion

    page.click(".leaflet-draw-draw-polygon")
    box = page.locator("#imagery-map").bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    points = [(cx - 60, cy - 40), (cx + 60, cy - 40), (cx + 70, cy + 50), (cx - 50, cy + 60)]
    for x, y in points:
        page.mouse.click(x, y)
        page.wait_for_timeout(150)
    # Closing on the first vertex finishes the polygon.
    page.mouse.click(*points[0])

    page.wait_for_function("document.getElementById('field-area').value.length > 0")
    geometry = json.loads(page.input_value("#field-area"))
    assert geometry["type"] == "Polygon"
    assert len(geometry["coordinates"][0]) == len(points) + 1

    start = datetime.date.today() + datetime.timedelta(days=15)
    page.fill("#field-period_start", start.isoformat())
    page.fill("#field-period_end", (start + datetime.timedelta(days=60)).isoformat())
    page.select_option("#field-sensor", "pleiades")
    page.select_option("#field-acquisition_mode", "new_acquisition")
    page.select_option("#field-stereo", "stereo")
    page.fill("#field-intended_use", "Cartographie des zones humides")
    with page.expect_navigation():
        page.click("button[name=save][value=submit]")

    assert "/dinamis/imagery/" in page.url
    assert page.locator("#request-state").inner_text() == "Submitted"
    model.Session.remove()
    row = model.Session.query(ImageryRequest).one()
    assert row.state == "submitted" and row.number and row.stereo is True
    assert row.user_id == w.requester["id"] and row.organization_id == w.relay_entity["id"]
    assert row.area["type"] == "Polygon" and 0 < row.area_km2 < 10000
