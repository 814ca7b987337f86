"""`ckan dinamis-relay demo-data` builds a consistent demo, and can run twice."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest

from ckanext.dinamis_relay.cli import demo


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")
@pytest.mark.ckan_config("ckanext.dinamis_relay.relay_organization", "pigma")
def test_demo_data_builds_every_state_and_is_idempotent():
    lines = list(demo.create_demo_data("secret-demo-1"))
    again = list(demo.create_demo_data("secret-demo-1"))

    assert any("relais-pigma" in line and "secret-demo-1" in line for line in lines)
    assert any("/dinamis/legal/" in line for line in lines)
    assert len(again) < len(lines)  # no new legal link the second time
    site = demo._site_context()
    states = {
        name: tk.get_action("dinamis_relay_adhesion_show")(site, {"organization_id": name})["state"]
        for name, *_rest in demo.ENTITIES
    }
    assert states == {name: state for name, _t, _m, state, *_rest in demo.ENTITIES}
    accepted = tk.get_action("dinamis_relay_adhesion_show")(
        site, {"organization_id": "commune-de-pessac"}
    )
    assert accepted["number"].startswith("DINAMIS-")
    accounts = tk.get_action("dinamis_relay_account_list")(
        site, {"organization_id": "commune-de-pessac"}
    )
    assert [a["state"] for a in accounts["results"]] == ["active"]
    requests = tk.get_action("dinamis_relay_imagery_request_list")(site, {"queue": "all"})
    assert [r["state"] for r in requests["results"]] == ["submitted"]
    # Footprinted SPOT 6/7 and Pléiades imagery around Bordeaux: the coverage panel of the
    # Pessac request lists it, the request form's map draws it.
    request = tk.get_action("dinamis_relay_imagery_request_show")(
        {"user": "agent-pessac"}, {"id": requests["results"][0]["id"]}
    )
    found = request["coverage"]
    names = {r["name"] for r in found["results"]}
    assert names >= {name for name, *_rest in demo.IMAGERY if "pessac" in name}
    assert found["covered_share"] == pytest.approx(1.0)
    assert {r["sensor_code"] for r in found["results"]} == {"spot67", "pleiades"}
    assert all(r["acquisition_date"] and r["cloud_cover"] is not None for r in found["results"])
    footprints = tk.get_action("dinamis_relay_coverage")(
        {"user": "agent-pessac"}, {"bbox": "-1.5,44.3,0,45.3", "include_footprints": True}
    )
    assert footprints["count"] == len(demo.IMAGERY)
    assert all(r["footprint"]["type"] == "Polygon" for r in footprints["results"])
