"""Beside the plugins platforms run: ckanext-spatial, ckanext-scheming (the dataset schema the
extension ships) and ckanext-dcat, with core's activity plugin. No download URL of a DINAMIS
resource reaches someone without access — API, pages, spatial search, DCAT catalogue, a
dataset's RDF — in both visibility modes; in `hidden` mode the dataset itself never does.
"""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.lib.helpers import url_for
from ckan.tests import factories

from . import imagery_helpers as h

PLUGINS = "dinamis_relay activity spatial_metadata spatial_query scheming_datasets dcat"
SECRET = "https://secret.example.org/dinamis/spot7-2024-bordeaux.tif"
FOOTPRINT = {
    "type": "Polygon",
    "coordinates": [[[-0.7, 44.7], [-0.4, 44.7], [-0.4, 45.0], [-0.7, 45.0], [-0.7, 44.7]]],
}
MODES = ("hidden", "metadata")


def companions(function: Any) -> Any:
    marks = [
        pytest.mark.ckan_config("ckan.plugins", PLUGINS),
        pytest.mark.ckan_config(
            "scheming.dataset_schemas", "ckanext.dinamis_relay:scheming/dataset.yaml"
        ),
        pytest.mark.ckan_config(
            "scheming.presets",
            "ckanext.scheming:presets.json ckanext.dinamis_relay:scheming/presets.yaml",
        ),
        pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", "euro_dcat_ap_2 dinamis_relay"),
        pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
    ]
    for mark in marks:
        function = mark(function)
    return function


@pytest.fixture()
def clean_db(reset_db, migrate_db_for):
    """The plugin's tables and those of core's activity plugin."""
    reset_db()
    migrate_db_for("activity")
    migrate_db_for("dinamis_relay")


@pytest.fixture(params=MODES)
def mode(request, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.visibility", request.param)
    return request.param


@pytest.fixture()
def site(mode):
    w = h.world()
    publisher = factories.Organization()
    dataset = factories.Dataset(
        name="spot7-2024-bordeaux",
        title="SPOT 7 Bordeaux 2024",
        owner_org=publisher["id"],
        dinamis_licence=h.SPOT,
        spatial=json.dumps(FOOTPRINT),
        acquisition_date="2024-06-12",
        sensor="SPOT 7",
        cloud_cover=3,
        resources=[{"url": SECRET, "name": "ortho", "format": "GeoTIFF"}],
    )
    return w, dataset


def _headers(user: dict[str, Any] | None) -> dict[str, str]:
    if user is None:
        return {}
    return {"Authorization": factories.APIToken(user=user["name"])["token"]}


def _api(app: Any, user: dict[str, Any] | None, action: str, **params: Any) -> Any:
    return app.get(f"/api/3/action/{action}", query_string=params, headers=_headers(user))


def _without_access(w: h.World) -> dict[str, dict[str, Any] | None]:
    return {"anonymous": None, "outsider": w.outsider, "suspended": w.suspended}


@companions
class TestNoLeak:
    def test_the_scheming_schema_stores_the_fields(self, site):
        w, dataset = site
        shown = h.call("package_show", w.requester, id=dataset["id"])
        assert shown["dinamis_licence"] == h.SPOT
        assert shown["sensor"] == "SPOT 7" and str(shown["cloud_cover"]) == "3"
        assert shown["resources"][0]["url"] == SECRET
        with pytest.raises(tk.ValidationError) as error:
            factories.Dataset(owner_org=dataset["owner_org"], dinamis_licence="dinamis-none")
        assert "dinamis_licence" in error.value.error_dict

    def test_the_api(self, app, site, mode):
        w, dataset = site
        rid = dataset["resources"][0]["id"]
        for who, user in _without_access(w).items():
            answers = {
                "search": _api(app, user, "package_search", q="*:*"),
                "search_fl": _api(
                    app, user, "package_search", q="*:*", fl="id,res_url,validated_data_dict"
                ),
                "probe": _api(app, user, "package_search", q='res_url:"' + SECRET + '"'),
                "spatial": _api(app, user, "package_search", ext_bbox="-1,44,0,45"),
                "show": _api(app, user, "package_show", id=dataset["id"]),
                "resource": _api(app, user, "resource_show", id=rid),
                "resource_search": _api(app, user, "resource_search", query="name:ortho"),
                "list": _api(app, user, "package_list"),
                "with_resources": _api(app, user, "current_package_list_with_resources"),
                "activity": _api(app, user, "package_activity_list", id=dataset["id"]),
                "org_activity": _api(
                    app, user, "organization_activity_list", id=dataset["owner_org"]
                ),
                "recent": _api(app, user, "recently_changed_packages_activity_list"),
            }
            for name, response in answers.items():
                assert SECRET not in response.body, (mode, who, name)
            probe = answers["probe"].json["result"]
            assert probe["count"] == 0, (mode, who)
            seen = answers["search"].json["result"]["count"]
            spatial = answers["spatial"].json["result"]["count"]
            if mode == "hidden":
                assert seen == 0 and spatial == 0, who
                assert answers["show"].status_code == 403, who
                assert answers["resource"].status_code == 403, who
                assert "spot7-2024-bordeaux" not in answers["list"].body, who
                assert "spot7-2024-bordeaux" not in answers["with_resources"].body, who
                assert "spot7-2024-bordeaux" not in answers["resource_search"].body, who
            else:
                assert seen == 1 and spatial == 1, who
                shown = answers["show"].json["result"]
                assert shown["title"] == "SPOT 7 Bordeaux 2024"
                assert shown["spatial"] and shown["dinamis_restricted"] is True
                assert shown["resources"][0]["url"] == ""
                assert answers["resource"].json["result"]["url"] == ""

    def test_who_has_access_gets_the_url(self, app, site):
        w, dataset = site
        for user in (w.requester, w.super_referent, w.sysadmin):
            assert SECRET in _api(app, user, "package_show", id=dataset["id"]).body
            found = _api(app, user, "package_search", ext_bbox="-1,44,0,45").json["result"]
            assert found["count"] == 1

    def test_the_pages(self, app, site, mode):
        w, dataset = site
        rid = dataset["resources"][0]["id"]
        for who, user in _without_access(w).items():
            pages = {
                "search": app.get("/dataset/", headers=_headers(user)),
                "dataset": app.get(f"/dataset/{dataset['name']}", headers=_headers(user)),
                "resource": app.get(
                    f"/dataset/{dataset['name']}/resource/{rid}", headers=_headers(user)
                ),
                "download": app.get(
                    f"/dataset/{dataset['name']}/resource/{rid}/download",
                    headers=_headers(user),
                    follow_redirects=False,
                ),
                "dinamis_download": app.get(
                    url_for("dinamis_relay.download", resource_id=rid),
                    headers=_headers(user),
                    follow_redirects=False,
                ),
                "activity": app.get(f"/dataset/activity/{dataset['name']}", headers=_headers(user)),
            }
            for name, response in pages.items():
                assert SECRET not in response.body, (mode, who, name)
                assert SECRET not in (response.headers.get("Location") or ""), (mode, who, name)
            if mode == "hidden":
                assert pages["dataset"].status_code in (403, 404), who
                assert "SPOT 7 Bordeaux 2024" not in pages["search"].body, who
            else:
                assert pages["dataset"].status_code == 200, who
                assert "SPOT 7 Bordeaux 2024" in pages["search"].body, who
                assert pages["download"].status_code == 403, who
                if user is not None:
                    assert pages["dinamis_download"].status_code == 403, who

    def test_dcat(self, app, site, mode):
        w, dataset = site
        for who, user in _without_access(w).items():
            catalog = app.get("/catalog.ttl", headers=_headers(user))
            rdf = app.get(f"/dataset/{dataset['id']}.rdf", headers=_headers(user))
            assert catalog.status_code == 200
            assert SECRET not in catalog.body and SECRET not in rdf.body, (mode, who)
            if mode == "hidden":
                assert "SPOT 7 Bordeaux 2024" not in catalog.body, who
                assert rdf.status_code in (403, 404), who
            else:
                assert "SPOT 7 Bordeaux 2024" in catalog.body, who
                assert rdf.status_code == 200, who
                for body in (catalog.body, rdf.body):
                    assert "access-right/RESTRICTED" in body
                    assert h.SPOT in body
        mine = app.get(f"/dataset/{dataset['id']}.rdf", headers=_headers(w.requester))
        assert SECRET in mine.body and "access-right/RESTRICTED" in mine.body

    def test_coverage_follows_the_mode(self, site, mode):
        w, _dataset = site
        outsider = h.call("dinamis_relay_coverage", w.outsider, area=h.SQUARE)
        mine = h.call("dinamis_relay_coverage", w.requester, area=h.SQUARE)
        assert mine["count"] == 1 and mine["results"][0]["access"] is True
        if mode == "hidden":
            assert outsider["count"] == 0
        else:
            # A non-adherent sees that imagery of their territory exists, not how to get it.
            assert outsider["count"] == 1
            assert outsider["results"][0]["access"] is False
            assert SECRET not in json.dumps(outsider)
