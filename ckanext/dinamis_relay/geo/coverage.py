"""Which DINAMIS imagery already covers an area: first-level support from the catalogue.

Candidates come from the search index as the caller sees it (permission labels apply):
DINAMIS datasets (a `dinamis_licence`) whose footprint envelope meets the area's envelope,
through ckanext-spatial's `ext_bbox` search (`spatial_query` plugin, solr-bbox backend)
when it is loaded. Each candidate's footprint — ckanext-spatial's `spatial` field, GeoJSON —
is then intersected exactly with the area (shapely), and the share of the area it covers is
computed on the sphere (geo.area_km2, equal-area).

Best first: datasets meeting every criterion of the request that they carry (sensor,
acquisition period, cloud cover) before the others, then the larger share of the area, the
lower cloud cover, the more recent acquisition.

Bounded: at most `ckanext.dinamis_relay.coverage.max_candidates` candidates are read from
the index (the best envelope overlaps first, ckanext-spatial's ranking); `truncated` says
when more exist. A footprint that is not a valid GeoJSON polygon is skipped with a warning.
"""

from __future__ import annotations

import datetime
import json
import logging
import math
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
import shapely
from shapely.geometry import MultiPolygon, Polygon, box, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.prepared import prep

from .. import geo
from ..access import permission_labels, visibility

log = logging.getLogger(__name__)

FOOTPRINT_FIELD = "spatial"
ACQUISITION_FIELDS = ("acquisition_date", "temporal_start")
SENSOR_FIELDS = ("sensor",)
CLOUD_FIELDS = ("cloud_cover",)
# Context flag: the coverage search reads the index itself and never returns resources, so
# the URL stripping of the "metadata" visibility mode is not needed on its internal search.
INTERNAL = "_dinamis_relay_coverage"
MAX_PARTS = 8
# ckanext-spatial keeps envelopes whose overlap ratio 2·X/(Q+T) is in ]0, 1], computed by
# Solr in single precision: a footprint whose envelope is exactly the query's can come out
# a hair above 1 and be missed. A query box a little larger (about 100 m) keeps the ratio
# below 1; the exact intersection is computed afterwards anyway.
PAD_DEGREES = 0.001


def max_candidates() -> int:
    value = int(tk.config.get("ckanext.dinamis_relay.coverage.max_candidates") or 1000)
    rows_max = int(tk.config.get("ckan.search.rows_max") or 1000)
    return max(1, min(value, rows_max))


@dataclass
class Criteria:
    """What the request asks for; None means "any"."""

    sensor: str | None = None
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    max_cloud_cover: float | None = None


@dataclass
class Coverage:
    area_km2: float
    count: int
    covered_share: float
    results: list[dict[str, Any]]
    candidates: int
    truncated: bool
    skipped: list[str] = field(default_factory=list)
    spatial_search: bool = True

    def as_dict(self, limit: int, offset: int) -> dict[str, Any]:
        return {
            "area_km2": round(self.area_km2, 3),
            "count": self.count,
            "covered_share": round(self.covered_share, 4),
            "results": self.results[offset : offset + limit],
            "candidates": self.candidates,
            "truncated": self.truncated,
            "skipped": len(self.skipped),
            "spatial_search": self.spatial_search,
            "visibility": visibility.mode(),
        }


# ---------------------------------------------------------------- reading dataset values


def _value(dataset: dict[str, Any], names: tuple[str, ...]) -> Any:
    """A field at the top level (ckanext-scheming) or among the extras (default schema)."""
    extras = {
        e.get("key"): e.get("value") for e in dataset.get("extras") or [] if isinstance(e, dict)
    }
    for name in names:
        for value in (dataset.get(name), extras.get(name)):
            if value not in (None, ""):
                return value
    return None


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str):
        return None
    try:
        return datetime.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _cloud(value: Any) -> float | None:
    try:
        number = float(str(value).strip().rstrip("%").replace(",", "."))
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and 0 <= number <= 100 else None


def sensor_code(value: Any) -> str | None:
    """spot67, pleiades or pleiades_neo from what a dataset says ("SPOT 6", "Pléiades-1A")."""
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    if "pleiades" in text or "phr" in text:
        return "pleiades_neo" if "neo" in text else "pleiades"
    if "spot" in text:
        return "spot67"
    return None


def footprint(dataset: dict[str, Any]) -> Polygon | MultiPolygon | None:
    """The dataset's footprint as (multi)polygon, or None when it has none or it is unusable.

    Raises ValueError for a footprint that is not valid GeoJSON polygons.
    """
    raw = _value(dataset, (FOOTPRINT_FIELD,))
    if raw is None:
        return None
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
        geom = shape(data)
    except Exception as error:
        raise ValueError(f"not GeoJSON ({error.__class__.__name__})") from None
    if geom.geom_type == "GeometryCollection":
        geom = shapely.union_all([g for g in geom.geoms if g.geom_type.endswith("Polygon")])
    if geom.is_empty or not geom.geom_type.endswith("Polygon"):
        raise ValueError(f"not a polygon ({geom.geom_type})")
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
        polygons = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type.endswith("Polygon")]
        if not polygons:
            raise ValueError("invalid polygon")
        geom = shapely.union_all(polygons)
    return geom


# ---------------------------------------------------------------- the area


def area_from_bbox(values: list[float]) -> Polygon | MultiPolygon:
    """A box minx,miny,maxx,maxy; minx > maxx crosses the antimeridian (two boxes)."""
    minx, miny, maxx, maxy = values
    if minx > maxx:
        return MultiPolygon([box(minx, miny, 180, maxy), box(-180, miny, maxx, maxy)])
    return box(minx, miny, maxx, maxy)


def envelopes(area: BaseGeometry) -> list[tuple[float, float, float, float]]:
    """The boxes to ask the index for: one per part of a shape split at the antimeridian
    (whose single envelope would span the globe), else the envelope."""
    minx, miny, maxx, maxy = area.bounds
    parts = list(getattr(area, "geoms", [area]))
    if maxx - minx > 180 and 1 < len(parts) <= MAX_PARTS:
        return [part.bounds for part in parts]
    return [(minx, miny, maxx, maxy)]


# ---------------------------------------------------------------- searching


def _search(
    context: dict[str, Any], bboxes: list[tuple[float, float, float, float]], rows: int
) -> tuple[list[dict[str, Any]], int, bool, bool]:
    """DINAMIS datasets the caller may see around the boxes:
    (datasets, how many the index found, whether some were left out, spatial search used)."""
    spatial = p.plugin_loaded("spatial_query")
    found: dict[str, dict[str, Any]] = {}
    total = 0
    truncated = False
    for bbox in bboxes if spatial else [None]:
        data: dict[str, Any] = {
            "q": "*:*",
            "fq": "dinamis_licence:[* TO *]",
            "rows": rows,
            "fl": ["id", "validated_data_dict"],
        }
        if bbox is not None:
            minx, miny, maxx, maxy = bbox
            padded = (
                max(minx - PAD_DEGREES, -180.0),
                max(miny - PAD_DEGREES, -90.0),
                min(maxx + PAD_DEGREES, 180.0),
                min(maxy + PAD_DEGREES, 90.0),
            )
            data["ext_bbox"] = ",".join(f"{v:.6f}" for v in padded)
        result = tk.get_action("package_search")({**context, INTERNAL: True}, data)
        total += result["count"]
        truncated = truncated or result["count"] > rows
        for row in result["results"]:
            if row["id"] in found or not row.get("validated_data_dict"):
                continue
            found[row["id"]] = json.loads(row["validated_data_dict"])
    return list(found.values()), total, truncated, spatial


def _criteria_met(
    criteria: Criteria, code: str | None, date: datetime.date | None, cloud: float | None
) -> dict[str, bool | None]:
    """Each criterion: True met, False not met, None unknown (the dataset does not say)."""
    met: dict[str, bool | None] = {"sensor": None, "period": None, "cloud_cover": None}
    if criteria.sensor and code:
        met["sensor"] = code == criteria.sensor
    if (criteria.period_start or criteria.period_end) and date:
        met["period"] = (not criteria.period_start or date >= criteria.period_start) and (
            not criteria.period_end or date <= criteria.period_end
        )
    if criteria.max_cloud_cover is not None and cloud is not None:
        met["cloud_cover"] = cloud <= criteria.max_cloud_cover
    return met


def search(
    context: dict[str, Any],
    area: BaseGeometry,
    criteria: Criteria | None = None,
    include_footprints: bool = False,
) -> Coverage:
    """DINAMIS datasets the caller may see whose footprint meets `area`, best first."""
    criteria = criteria or Criteria()
    area_km2 = geo.area_km2(area)
    rows = max_candidates()
    datasets, total, truncated, spatial = _search(context, envelopes(area), rows)
    user_labels = visibility.user_labels(context)
    prepared = prep(area)
    results: list[dict[str, Any]] = []
    pieces: list[BaseGeometry] = []
    skipped: list[str] = []
    for dataset in datasets:
        try:
            geom = footprint(dataset)
        except ValueError as error:
            log.warning(
                "coverage: dataset %s skipped, its spatial field is %s", dataset.get("name"), error
            )
            skipped.append(dataset["id"])
            continue
        if geom is None or not prepared.intersects(geom):
            continue
        piece = area.intersection(geom)
        covered_km2 = geo.area_km2(piece) if not piece.is_empty else 0.0
        if covered_km2 <= 0:
            continue
        pieces.append(piece)
        date = _date(_value(dataset, ACQUISITION_FIELDS))
        cloud = _cloud(_value(dataset, CLOUD_FIELDS))
        sensor = _value(dataset, SENSOR_FIELDS)
        code = sensor_code(sensor)
        met = _criteria_met(criteria, code, date, cloud)
        organization = dataset.get("organization") or {}
        item: dict[str, Any] = {
            "id": dataset["id"],
            "name": dataset["name"],
            "title": dataset.get("title") or dataset["name"],
            "organization_title": organization.get("title") or organization.get("name"),
            "licence": permission_labels.dataset_licence(dataset),
            "share": round(min(covered_km2 / area_km2, 1.0), 4) if area_km2 else 0.0,
            "covered_km2": round(covered_km2, 3),
            "acquisition_date": date.isoformat() if date else None,
            "sensor": sensor if isinstance(sensor, str) else None,
            "sensor_code": code,
            "cloud_cover": cloud,
            "criteria": met,
            "meets_criteria": not any(v is False for v in met.values()),
            "access": visibility.may_use(user_labels, dataset),
        }
        if include_footprints:
            item["footprint"] = mapping(geom)
        results.append(item)
    results.sort(
        key=lambda r: (
            not r["meets_criteria"],
            -r["share"],
            r["cloud_cover"] if r["cloud_cover"] is not None else 101.0,
            -(_date(r["acquisition_date"]) or datetime.date.min).toordinal(),
            r["name"],
        )
    )
    covered = geo.area_km2(shapely.union_all(pieces)) if pieces else 0.0
    return Coverage(
        area_km2=area_km2,
        count=len(results),
        covered_share=min(covered / area_km2, 1.0) if area_km2 else 0.0,
        results=results,
        candidates=total,
        truncated=truncated,
        skipped=skipped,
        spatial_search=spatial,
    )
