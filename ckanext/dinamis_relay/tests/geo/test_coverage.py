"""Coverage search: which DINAMIS imagery already covers an area, through ckanext-spatial's
`ext_bbox` search on the real Solr, refined with shapely, as the caller may see it."""

from __future__ import annotations

import json
import logging
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories

from ckanext.dinamis_relay import geo
from ckanext.dinamis_relay.geo import coverage

from .. import factories as f
from .. import imagery_helpers as h

SPATIAL = "dinamis_relay spatial_metadata spatial_query"


def box(minx: float, miny: float, maxx: float, maxy: float) -> dict[str, Any]:
    ring = [[minx, miny], [maxx, miny], [maxx, maxy], [minx, maxy], [minx, miny]]
    return {"type": "Polygon", "coordinates": [ring]}


def imagery(
    name: str,
    footprint: dict[str, Any] | str | None,
    code: str = h.SPOT,
    owner_org: str | None = None,
    **extras: Any,
) -> dict[str, Any]:
    values = [{"key": "dinamis_licence", "value": code}]
    if footprint is not None:
        text = footprint if isinstance(footprint, str) else json.dumps(footprint)
        values.append({"key": "spatial", "value": text})
    values += [{"key": k, "value": str(v)} for k, v in extras.items()]
    owner = owner_org or factories.Organization()["id"]
    return factories.Dataset(name=name, owner_org=owner, extras=values)


def cover(user: dict[str, Any] | None, **data: Any) -> dict[str, Any]:
    return h.call("dinamis_relay_coverage", user, **data)


# The request's square: lon -0.6..-0.5, lat 44.8..44.9 (Bordeaux).
WHOLE = box(-0.7, 44.7, -0.4, 45.0)  # covers all of it
WEST_HALF = box(-0.6, 44.8, -0.55, 44.9)  # covers half
# Its envelope meets the square, the triangle itself does not reach it.
CORNER = {
    "type": "Polygon",
    "coordinates": [[[-0.65, 44.75], [-0.45, 44.75], [-0.65, 44.95], [-0.65, 44.75]]],
}
PARIS = box(2.2, 48.8, 2.5, 48.9)


@pytest.fixture()
def bordeaux():
    w = h.world()
    imagery(
        "spot-2024-bordeaux",
        WHOLE,
        h.SPOT,
        acquisition_date="2024-06-12",
        sensor="SPOT 7",
        cloud_cover=4,
    )
    imagery(
        "pleiades-2025-ouest",
        WEST_HALF,
        h.PLEIADES,
        acquisition_date="2025-05-02",
        sensor="Pléiades 1A",
        cloud_cover=1,
    )
    imagery("spot-2023-nuageux", WHOLE, h.SPOT, acquisition_date="2023-07-01", cloud_cover=35)
    imagery("spot-paris", PARIS, h.SPOT)
    factories.Dataset(
        name="open-data-bordeaux",
        owner_org=factories.Organization()["id"],
        extras=[{"key": "spatial", "value": json.dumps(WHOLE)}],
    )
    return w


@pytest.mark.ckan_config("ckan.plugins", SPATIAL)
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestCoverage:
    def test_datasets_covering_the_area_best_first(self, bordeaux):
        result = cover(bordeaux.requester, area=h.SQUARE)
        assert result["spatial_search"] is True
        names = [r["name"] for r in result["results"]]
        # Whole coverage first, the clearer sky first; the half coverage after; Paris and
        # the open dataset (no DINAMIS licence) are not there.
        assert names == ["spot-2024-bordeaux", "spot-2023-nuageux", "pleiades-2025-ouest"]
        first, _, half = result["results"]
        assert first["share"] == pytest.approx(1.0)
        assert half["share"] == pytest.approx(0.5, abs=0.01)
        assert first["acquisition_date"] == "2024-06-12"
        assert first["sensor"] == "SPOT 7" and first["sensor_code"] == "spot67"
        assert first["cloud_cover"] == 4
        assert half["sensor_code"] == "pleiades"
        assert first["access"] is True
        assert result["covered_share"] == pytest.approx(1.0)
        assert result["area_km2"] == pytest.approx(87.5, rel=0.05)
        assert "footprint" not in first

    def test_the_request_criteria_come_first(self, bordeaux):
        result = cover(
            bordeaux.requester,
            area=h.SQUARE,
            sensor="pleiades",
            max_cloud_cover=10,
            period_start="2025-01-01",
            period_end="2025-12-31",
        )
        names = [r["name"] for r in result["results"]]
        assert names[0] == "pleiades-2025-ouest"
        assert result["results"][0]["meets_criteria"] is True
        assert result["results"][0]["criteria"] == {
            "sensor": True,
            "period": True,
            "cloud_cover": True,
        }
        assert all(not r["meets_criteria"] for r in result["results"][1:])

    def test_envelope_overlap_is_refined_by_the_exact_shape(self):
        w = h.world()
        imagery("triangle", CORNER)
        # The triangle's envelope contains the square but its shape misses a corner only:
        # what it covers is its exact intersection, less than the whole.
        result = cover(w.requester, area=h.SQUARE)
        assert [r["name"] for r in result["results"]] == ["triangle"]
        assert 0.3 < result["results"][0]["share"] < 0.9
        far = cover(w.requester, area=box(-0.46, 44.9, -0.45, 44.95))
        assert result["candidates"] == 1
        assert far["count"] == 0

    def test_a_footprint_exactly_the_area(self):
        # Its envelope is the query's: Solr's single-precision overlap ratio must not drop it.
        w = h.world()
        imagery("same", h.SQUARE)
        result = cover(w.requester, area=h.SQUARE)
        assert [r["name"] for r in result["results"]] == ["same"]
        assert result["results"][0]["share"] == pytest.approx(1.0)

    def test_only_datasets_the_caller_may_see(self, bordeaux):
        assert cover(bordeaux.outsider, area=h.SQUARE)["count"] == 0
        assert cover(bordeaux.suspended, area=h.SQUARE)["count"] == 0
        for who in (bordeaux.super_referent, bordeaux.instructor, bordeaux.sysadmin):
            assert cover(who, area=h.SQUARE)["count"] == 3
        # An entity that accepted the SPOT licence only sees the SPOT datasets.
        org, _ = f.entity("relay", licences=(h.SPOT,))
        spot_only = factories.User()
        h.account(spot_only, org)
        names = {r["name"] for r in cover(spot_only, area=h.SQUARE)["results"]}
        assert names == {"spot-2024-bordeaux", "spot-2023-nuageux"}

    def test_access_in_metadata_mode(self, ckan_config, monkeypatch):
        # Discoverable but restricted: everyone signed in sees the dataset; it says whether
        # they may use it (licence granted, or a member of the publishing organization).
        monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.visibility", "metadata")
        w = h.world()
        publisher = factories.User()
        org = factories.Organization(users=[{"name": publisher["name"], "capacity": "member"}])
        imagery("published", WHOLE, owner_org=org["id"])
        access = {
            who: cover(user, area=h.SQUARE)["results"][0]["access"]
            for who, user in (
                ("publisher", publisher),
                ("requester", w.requester),
                ("outsider", w.outsider),
            )
        }
        assert access == {"publisher": True, "requester": True, "outsider": False}
        assert (
            cover(w.outsider, area=h.SQUARE)["results"][0]["organization_title"] == (org["title"])
        )

    def test_signed_in_users_only(self, bordeaux):
        with pytest.raises(tk.NotAuthorized):
            cover(None, area=h.SQUARE)

    def test_bbox_and_footprints(self, bordeaux):
        result = cover(bordeaux.requester, bbox="-1,44,1,46", include_footprints=True)
        assert {r["name"] for r in result["results"]} == {
            "spot-2024-bordeaux",
            "spot-2023-nuageux",
            "pleiades-2025-ouest",
        }
        footprint = result["results"][0]["footprint"]
        assert footprint["type"] == "Polygon"

    def test_paged_and_bounded(self, bordeaux, ckan_config, monkeypatch):
        page = cover(bordeaux.requester, area=h.SQUARE, limit=1, offset=1)
        assert page["count"] == 3
        assert [r["name"] for r in page["results"]] == ["spot-2023-nuageux"]
        monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.coverage.max_candidates", 2)
        bounded = cover(bordeaux.requester, area=h.SQUARE)
        assert bounded["truncated"] is True
        assert bounded["candidates"] == 3
        assert bounded["count"] == 2

    def test_an_unusable_footprint_is_skipped_with_a_warning(self, caplog, monkeypatch):
        # CKAN's logging configuration disables loggers created before it is read.
        monkeypatch.setattr(coverage.log, "disabled", False)
        w = h.world()
        # Valid GeoJSON (ckanext-spatial accepts it) but a ring with no area.
        flat = {
            "type": "Polygon",
            "coordinates": [[[-0.6, 44.8], [-0.5, 44.9], [-0.6, 44.8], [-0.6, 44.8]]],
        }
        imagery("a-line", flat)
        imagery("good", WHOLE)
        with caplog.at_level(logging.WARNING, logger="ckanext.dinamis_relay.geo.coverage"):
            result = cover(w.requester, area=h.SQUARE)
        assert [r["name"] for r in result["results"]] == ["good"]
        assert result["skipped"] == 1
        assert "a-line" in caplog.text

    def test_the_antimeridian(self):
        w = h.world()
        imagery("fiji-east", box(179.2, -17.0, 179.9, -16.5))
        imagery("fiji-west", box(-179.9, -17.0, -179.5, -16.5))
        imagery("elsewhere", box(10, -17.0, 11, -16.5))
        # A box from 179° E to 179.7° W, and the same area as a MultiPolygon split at 180°.
        across = cover(w.requester, bbox="179,-17.5,-179.7,-16")
        assert {r["name"] for r in across["results"]} == {"fiji-east", "fiji-west"}
        split = {
            "type": "MultiPolygon",
            "coordinates": [
                box(179.5, -17.0, 180.0, -16.5)["coordinates"],
                box(-180.0, -17.0, -179.7, -16.5)["coordinates"],
            ],
        }
        result = cover(w.requester, area=split)
        assert {r["name"] for r in result["results"]} == {"fiji-east", "fiji-west"}
        # A polygon drawn across it (longitudes past 180°) is refused as the form refuses it.
        with pytest.raises(tk.ValidationError) as error:
            cover(w.requester, area=box(179.5, -17.0, 180.3, -16.5))
        assert "area" in error.value.error_dict

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({}, "area"),
            ({"area": h.SQUARE, "bbox": "0,0,1,1"}, "area"),
            ({"area": "{not json"}, "area"),
            ({"area": h.BOWTIE}, "area"),
            ({"bbox": "1,2,3"}, "bbox"),
            ({"bbox": "0,50,1,40"}, "bbox"),
            ({"bbox": "a,b,c,d"}, "bbox"),
            ({"area": h.SQUARE, "sensor": "landsat"}, "sensor"),
            ({"area": h.SQUARE, "limit": 1000}, "limit"),
            ({"area": h.SQUARE, "period_start": "soon"}, "period_start"),
        ],
    )
    def test_bad_input_names_the_field(self, data, field):
        w = h.world()
        with pytest.raises(tk.ValidationError) as error:
            cover(w.requester, **data)
        assert field in error.value.error_dict


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestWithoutSpatialSearch:
    def test_all_footprints_are_refined_when_spatial_query_is_not_loaded(self):
        w = h.world()
        imagery("good", WHOLE)
        imagery("far", PARIS)
        imagery("broken", "{not json")
        result = cover(w.requester, area=h.SQUARE)
        assert result["spatial_search"] is False
        assert [r["name"] for r in result["results"]] == ["good"]
        assert result["skipped"] == 1


def test_an_area_split_at_the_antimeridian_is_accepted_as_the_form_accepts_it():
    # RFC 7946 asks for shapes across 180° to be split there: the two parts share the
    # meridian once western longitudes are moved by 360°, and are measured as one shape.
    across = {"type": "Polygon", "coordinates": box(179.5, -17.0, 180.3, -16.5)["coordinates"]}
    whole = box(179.5, -17.0, 180.0, -16.5)
    split = {
        "type": "MultiPolygon",
        "coordinates": [whole["coordinates"], box(-180.0, -17.0, -179.7, -16.5)["coordinates"]],
    }
    geometry, km2 = geo.validate_area(split)
    assert geometry["type"] == "MultiPolygon" and len(geometry["coordinates"]) == 2
    _one, half_km2 = geo.validate_area(whole)
    assert km2 == pytest.approx(half_km2 * 0.8 / 0.5, rel=0.01)
    # Written as one ring it must still be in WGS84 (±180°), as the form requires.
    with pytest.raises(geo.AreaError):
        geo.validate_area(across)
    # Parts that overlap are still refused, across the antimeridian or not.
    overlapping = {
        "type": "MultiPolygon",
        "coordinates": [whole["coordinates"], box(179.8, -16.9, 180.0, -16.0)["coordinates"]],
    }
    with pytest.raises(geo.AreaError):
        geo.validate_area(overlapping)


def test_footprint_reading():
    assert coverage.footprint({"extras": []}) is None
    with pytest.raises(ValueError):
        coverage.footprint({"spatial": "{nope"})
    with pytest.raises(ValueError):
        coverage.footprint({"spatial": json.dumps({"type": "Point", "coordinates": [0, 0]})})
    bowtie = coverage.footprint({"spatial": json.dumps(h.BOWTIE)})
    assert bowtie is not None and bowtie.is_valid
    assert coverage.sensor_code("Pléiades Neo 3") == "pleiades_neo"
    assert coverage.sensor_code("PHR 1B") == "pleiades"
    assert coverage.sensor_code("SPOT-6") == "spot67"
    assert coverage.sensor_code("Sentinel-2") is None


def _headers(user: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": factories.APIToken(user=user["name"])["token"]}


def _submitted(w: h.World, **overrides: Any) -> dict[str, Any]:
    created = f.ImageryRequestFactory(
        user=w.requester,
        acquisition_mode="archive",
        period_start="2025-01-01",
        period_end="2025-12-31",
        **overrides,
    )
    return h.call("dinamis_relay_imagery_request_submit", w.requester, id=created["id"])


@pytest.mark.ckan_config("ckan.plugins", SPATIAL)
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestImageryRequest:
    def test_the_request_shows_its_coverage_with_its_criteria(self, bordeaux):
        request = _submitted(bordeaux)
        for who in (bordeaux.requester, bordeaux.super_referent):
            shown = h.call("dinamis_relay_imagery_request_show", who, id=request["id"])
            found = shown["coverage"]
            assert found["count"] == 3
            # The request asks for Pléiades in 2025 with at most 10 % of clouds.
            assert found["results"][0]["name"] == "pleiades-2025-ouest"
            assert found["results"][0]["meets_criteria"] is True

    def test_the_relay_answers_covered_by_the_archive_in_one_step(self, bordeaux):
        request = _submitted(bordeaux)
        with pytest.raises(tk.NotAuthorized):
            h.call("dinamis_relay_coverage_answer", bordeaux.requester, id=request["id"])
        answered = h.call(
            "dinamis_relay_coverage_answer",
            bordeaux.super_referent,
            id=request["id"],
            comment="Contactez-nous pour la livraison.",
        )
        assert answered["state"] == "answered"
        message = answered["comments"][-1]
        assert message["transition"] == "answer"
        assert "pleiades-2025-ouest" in message["body"]  # the dataset's address
        assert "spot-2024-bordeaux" not in message["body"]  # does not meet the criteria
        assert "Contactez-nous pour la livraison." in message["body"]
        assert [e["action"] for e in answered["history"]][-2:] == ["review", "answer"]

    def test_citing_chosen_datasets(self, bordeaux):
        request = _submitted(bordeaux)
        answered = h.call(
            "dinamis_relay_coverage_answer",
            bordeaux.super_referent,
            id=request["id"],
            dataset_ids=["spot-2024-bordeaux"],
        )
        assert "spot-2024-bordeaux" in answered["comments"][-1]["body"]
        assert "pleiades-2025-ouest" not in answered["comments"][-1]["body"]
        other = _submitted(bordeaux)
        with pytest.raises(tk.ValidationError) as error:
            h.call(
                "dinamis_relay_coverage_answer",
                bordeaux.super_referent,
                id=other["id"],
                dataset_ids=["spot-paris"],
            )
        assert "dataset_ids" in error.value.error_dict

    def test_nothing_to_cite(self):
        w = h.world()
        request = _submitted(w)
        assert (
            h.call("dinamis_relay_imagery_request_show", w.requester, id=request["id"])["coverage"][
                "count"
            ]
            == 0
        )
        with pytest.raises(tk.ValidationError) as error:
            h.call("dinamis_relay_coverage_answer", w.super_referent, id=request["id"])
        assert "dataset_ids" in error.value.error_dict

    def test_request_page_lists_and_answers(self, app, bordeaux):
        from ckan.lib.helpers import url_for

        request = _submitted(bordeaux)
        page = app.get(
            url_for("dinamis_relay.imagery_read", id=request["id"]),
            headers=_headers(bordeaux.super_referent),
        )
        assert 'id="request-coverage"' in page.body
        assert "pleiades-2025-ouest" in page.body and 'id="coverage-answer"' in page.body
        mine = app.get(
            url_for("dinamis_relay.imagery_read", id=request["id"]),
            headers=_headers(bordeaux.requester),
        )
        assert "pleiades-2025-ouest" in mine.body
        assert 'id="coverage-answer"' not in mine.body
        response = app.post(
            url_for("dinamis_relay.coverage_answer", id=request["id"]),
            data={"dataset_ids": ["pleiades-2025-ouest"], "comment": ""},
            headers=_headers(bordeaux.super_referent),
            follow_redirects=False,
        )
        assert response.status_code == 302
        shown = h.call("dinamis_relay_imagery_request_show", bordeaux.requester, id=request["id"])
        assert shown["state"] == "answered"

    def test_the_form_map_asks_for_footprints(self, app, bordeaux):
        from ckan.lib.helpers import url_for

        page = app.get(url_for("dinamis_relay.imagery_new"), headers=_headers(bordeaux.requester))
        assert 'data-footprints-url="/api/3/action/dinamis_relay_coverage"' in page.body
        # What the map's script asks for, through the API as the signed-in user.
        response = app.get(
            "/api/3/action/dinamis_relay_coverage",
            query_string={"bbox": "-2,44,1,46", "include_footprints": "true", "limit": "100"},
            headers=_headers(bordeaux.requester),
        )
        result = response.json["result"]
        assert result["count"] == 3
        assert all(r["footprint"]["type"] == "Polygon" for r in result["results"])
        anonymous = app.get(
            "/api/3/action/dinamis_relay_coverage", query_string={"bbox": "-2,44,1,46"}
        )
        assert anonymous.status_code == 403
        bad = app.get(
            "/api/3/action/dinamis_relay_coverage",
            query_string={"bbox": "x"},
            headers=_headers(bordeaux.requester),
        )
        assert bad.status_code == 409 and "bbox" in bad.json["error"]
