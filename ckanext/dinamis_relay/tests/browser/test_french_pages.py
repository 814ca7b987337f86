"""What a French public servant does with the keyboard and the map (issue 13, point 10): the
drawing tools speak French and the polygon closes on its first point, the GeoJSON field keeps
its label after an area error, the legal texts scroll with the keyboard to their last line."""

from __future__ import annotations

import datetime
import json
from typing import Any

import ckan.model as model
import pytest

from ckanext.dinamis_relay.model import Adhesion
from ckanext.dinamis_relay.procedure import tokens

from .. import factories as dr_factories
from .. import imagery_helpers as h
from .conftest import TIMEOUT_MS, login
from .test_accessibility import AXE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.ckan_config("ckan.locale_default", "fr"),
    pytest.mark.ckan_config("ckanext.dinamis_relay.imagery.tile_url", ""),
]


@pytest.fixture()
def page_fr(browser: Any, live_server: str) -> Any:
    context = browser.new_context(base_url=live_server, locale="fr-FR")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def test_the_drawing_tools_speak_french_and_close_on_the_first_point(page_fr: Any) -> None:
    w = h.world()
    page = page_fr
    login(page, w.requester["name"], h.PASSWORD)
    page.goto("/dinamis/imagery/new")
    page.wait_for_selector("#imagery-map.leaflet-container")
    assert page.get_attribute(".leaflet-draw-draw-polygon", "title") == "Dessiner un polygone"
    assert page.get_attribute(".leaflet-draw-draw-rectangle", "title") == "Dessiner un rectangle"
    for _ in range(5):
        page.click(".leaflet-control-zoom-in")
    page.wait_for_timeout(300)  # zoom animation; not an assertion

    page.click(".leaflet-draw-draw-polygon")
    actions = page.locator(".leaflet-draw-actions:visible a").all_inner_texts()
    assert actions == ["Terminer", "Supprimer le dernier point", "Annuler"], actions
    box = page.locator("#imagery-map").bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    points = [(cx - 60, cy - 40), (cx + 60, cy - 40), (cx + 70, cy + 50), (cx - 50, cy + 60)]
    for x, y in points:
        page.mouse.click(x, y)
        page.wait_for_timeout(150)
    tooltips = " ".join(page.locator(".leaflet-draw-tooltip").all_text_contents())
    assert "premier point" in tooltips, tooltips
    # A click on the first point closes the area: no "Finish" needed.
    page.mouse.click(*points[0])
    page.wait_for_function("document.getElementById('field-area').value.length > 0")
    geometry = json.loads(page.input_value("#field-area"))
    assert geometry["type"] == "Polygon" and len(geometry["coordinates"][0]) == len(points) + 1
    assert page.locator(".leaflet-draw-tooltip:visible").count() == 0


def test_the_geojson_field_keeps_its_label_after_an_area_error(page_fr: Any) -> None:
    w = h.world()
    page = page_fr
    login(page, w.requester["name"], h.PASSWORD)
    page.goto("/dinamis/imagery/new")
    page.fill("#field-title", "Zone humide de la Leyre")
    page.locator("details:has(#field-area) summary").click()
    page.fill("#field-area", '{"type": "Point", "coordinates": [0, 45]}')
    start = datetime.date.today() + datetime.timedelta(days=15)
    page.fill("#field-period_start", start.isoformat())
    page.fill("#field-period_end", (start + datetime.timedelta(days=60)).isoformat())
    page.select_option("#field-sensor", "pleiades")
    page.fill("#field-intended_use", "Cartographie des zones humides")
    with page.expect_navigation():
        page.click("button[name=save][value=submit]")
    assert page.locator("#area-error").is_visible()
    field = page.get_by_label("GeoJSON de la zone", exact=True)
    assert field.count() == 1 and field.evaluate("e => e.id") == "field-area"
    assert field.get_attribute("aria-describedby") == "area-error"
    if AXE.exists():
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            "async () => (await axe.run('form', {runOnly: ['label', 'aria-valid-attr-value']}))"
            ".violations.map(v => v.id)"
        )
        assert violations == []


@pytest.mark.ckan_config("ckanext.dinamis_relay.relay_organization", "pigma")
def test_the_legal_texts_scroll_with_the_keyboard_to_their_last_line(page_fr: Any) -> None:
    adhesion = dr_factories.adhesion("pending_legal_validation")
    model.Session.remove()
    row = model.Session.get(Adhesion, adhesion["id"])
    assert row is not None and row.legal_token_nonce
    page = page_fr
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"/dinamis/legal/{tokens.make_token(row.id, row.legal_token_nonce)}")
    body = page.locator(".dinamis-text-body").first
    assert body.evaluate("e => e.scrollHeight > e.clientHeight"), "the text should scroll"
    # Tab reaches the text; the arrow and End keys scroll it.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('dinamis-text-body')"):
            break
    else:
        pytest.fail("the legal text cannot be reached with Tab")
    page.keyboard.press("End")
    page.wait_for_function(
        "() => { const e = document.activeElement;"
        " return e.scrollTop > 0 && e.scrollTop + e.clientHeight >= e.scrollHeight - 1; }"
    )
    # The last line is inside the box, not cut by its lower edge.
    cut = body.evaluate(
        """e => { const last = e.lastElementChild; if (!last) return 0;
           return last.getBoundingClientRect().bottom - e.getBoundingClientRect().bottom; }"""
    )
    assert cut <= 0, f"the last line is cut by {cut}px"
