"""Validation of the area of interest of an imagery request (GeoJSON, WGS84).

Accepted: a Polygon or MultiPolygon geometry, or a Feature / FeatureCollection of them (what
drawing tools and GIS exports produce); the result is always a plain geometry. The area is
computed with a sinusoidal projection centred on the shape: it is equal-area on the sphere
(R = 6371.0088 km, the mean Earth radius), which for areas of a few thousand km² is within a
fraction of a percent of the ellipsoidal area — enough for a size limit.
"""

from __future__ import annotations

import json
import math
from typing import Any

import ckan.plugins.toolkit as tk
import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.validation import explain_validity

from .. import l10n

EARTH_RADIUS_KM = 6371.0088
POLYGON_TYPES = ("Polygon", "MultiPolygon")


class AreaError(ValueError):
    """The area is unusable; the message is translated and meant for the user."""


def max_json_depth() -> int:
    """Deepest nesting of a GeoJSON text: a FeatureCollection of MultiPolygons needs 7."""
    return int(tk.config.get("ckanext.dinamis_relay.input.max_depth") or 20)


def json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether the JSON text nests arrays/objects deeper than `limit`: one linear scan,
    before json.loads (whose recursion a few thousand brackets exhaust)."""
    depth = 0
    in_string = False
    escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _validity_reason(geom: Polygon | MultiPolygon) -> str:
    """Why a geometry is invalid, in the reader's language, with where (lon, lat)."""
    raw = explain_validity(geom)
    name, _, where = raw.partition("[")
    reasons = {
        "Self-intersection": tk._("its outline crosses itself"),
        "Ring Self-intersection": tk._("its outline crosses itself"),
        "Too few points in geometry component": tk._("a ring has too few points"),
        "Hole lies outside shell": tk._("a hole lies outside the outline"),
        "Nested holes": tk._("holes are nested"),
        "Interior is disconnected": tk._("its interior is split in pieces"),
        "Nested shells": tk._("outlines are nested"),
        "Duplicate Rings": tk._("a ring is repeated"),
        "Invalid Coordinate": tk._("a coordinate is not a number"),
        "Ring is not closed": tk._("a ring is not closed"),
    }
    reason = reasons.get(name.strip(), tk._("its outline is not a simple shape"))
    parts = where.rstrip("]").split()
    if len(parts) == 2:
        try:
            lon, lat = float(parts[0]), float(parts[1])
        except ValueError:
            return reason
        return tk._("{reason} (near longitude {lon}, latitude {lat})").format(
            reason=reason,
            lon=l10n.format_decimal(round(lon, 4)),
            lat=l10n.format_decimal(round(lat, 4)),
        )
    return reason


def unwrapped(geom: Polygon | MultiPolygon) -> Polygon | MultiPolygon:
    """A shape across the antimeridian (longitudes near +180 and -180) with its western
    longitudes moved by +360°, so that it is measured as the small shape it is."""
    minx, _miny, maxx, _maxy = geom.bounds
    if maxx - minx <= 180:
        return geom

    def shift(coords: np.ndarray) -> np.ndarray:
        shifted = coords.copy()
        shifted[:, 0] = np.where(shifted[:, 0] < 0, shifted[:, 0] + 360, shifted[:, 0])
        return shifted

    return shapely.transform(geom, shift)


def max_area_km2() -> float:
    return float(tk.config.get("ckanext.dinamis_relay.imagery.max_area_km2") or 10000)


def max_vertices() -> int:
    return int(tk.config.get("ckanext.dinamis_relay.imagery.max_vertices") or 1000)


def max_geojson_bytes() -> int:
    return int(tk.config.get("ckanext.dinamis_relay.imagery.max_geojson_bytes") or 200000)


def _load(value: Any) -> dict[str, Any]:
    if isinstance(value, (dict, list)):
        text = json.dumps(value)
    elif isinstance(value, (str, bytes)):
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    else:
        raise AreaError(tk._("Draw the area of interest or upload a GeoJSON file"))
    if not text.strip():
        raise AreaError(tk._("Draw the area of interest or upload a GeoJSON file"))
    if len(text.encode("utf-8")) > max_geojson_bytes():
        raise AreaError(
            tk._("The GeoJSON is too large (more than {limit} bytes); simplify the shape").format(
                limit=max_geojson_bytes()
            )
        )
    if json_depth_exceeds(text, max_json_depth()):
        raise AreaError(tk._("The area is not valid GeoJSON (nested too deeply)"))
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise AreaError(tk._("The area is not valid JSON")) from None
    if not isinstance(data, dict):
        raise AreaError(tk._("The area must be a GeoJSON object"))
    return data


def _geometries(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The geometries inside a geometry, Feature or FeatureCollection."""
    kind = data.get("type")
    if kind == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or not features:
            raise AreaError(tk._("The GeoJSON file contains no feature"))
        return [g for f in features for g in _geometries(f if isinstance(f, dict) else {})]
    if kind == "Feature":
        geometry = data.get("geometry")
        if not isinstance(geometry, dict):
            raise AreaError(tk._("A GeoJSON feature has no geometry"))
        return [geometry]
    if kind in POLYGON_TYPES:
        return [data]
    raise AreaError(
        tk._("The area must be a Polygon or a MultiPolygon (found: {kind})").format(
            kind=kind or "?"
        )
    )


def _shape(geometry: dict[str, Any]) -> Polygon | MultiPolygon:
    if geometry.get("type") not in POLYGON_TYPES:
        raise AreaError(
            tk._("The area must be a Polygon or a MultiPolygon (found: {kind})").format(
                kind=geometry.get("type") or "?"
            )
        )
    try:
        geom = shape(geometry)
    except Exception:
        raise AreaError(tk._("The area's coordinates are malformed")) from None
    if geom.is_empty:
        raise AreaError(tk._("The area is empty"))
    return geom


def _vertex_count(geom: Polygon | MultiPolygon) -> int:
    return int(shapely.get_num_coordinates(geom))


def area_km2(geom: Polygon | MultiPolygon) -> float:
    """Area on the sphere through a sinusoidal (equal-area) projection around the shape
    (across the antimeridian too)."""
    geom = unwrapped(geom)
    lon0 = geom.centroid.x

    def project(coords: np.ndarray) -> np.ndarray:
        lon = np.radians(coords[:, 0] - lon0)
        lat = np.radians(coords[:, 1])
        return np.column_stack((EARTH_RADIUS_KM * lon * np.cos(lat), EARTH_RADIUS_KM * lat))

    return float(shapely.transform(geom, project).area)


def validate_area(value: Any) -> tuple[dict[str, Any], float]:
    """Check the area and return (normalised GeoJSON geometry, area in km²).

    Raises AreaError with a message for the user: not JSON, too large, not polygons,
    coordinates outside WGS84, too many vertices, invalid geometry (e.g. self-intersection,
    with where), too big an area.
    """
    data = _load(value)
    shapes = [_shape(g) for g in _geometries(data)]
    polygons: list[Polygon] = []
    for part in shapes:
        polygons.extend(part.geoms if isinstance(part, MultiPolygon) else [part])
    geom: Polygon | MultiPolygon = polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)
    if geom.has_z:
        geom = shapely.force_2d(geom)
    count = _vertex_count(geom)
    if count > max_vertices():
        raise AreaError(
            tk._("The area has {count} vertices; at most {limit} are allowed").format(
                count=count, limit=max_vertices()
            )
        )
    minx, miny, maxx, maxy = geom.bounds
    if not all(math.isfinite(v) for v in geom.bounds) or (
        minx < -180 or maxx > 180 or miny < -90 or maxy > 90
    ):
        raise AreaError(tk._("The coordinates must be longitude and latitude in degrees (WGS84)"))
    measured = unwrapped(geom)
    if not measured.is_valid:
        raise AreaError(
            tk._("The area is not a valid polygon: {reason}").format(
                reason=_validity_reason(measured)
            )
        )
    km2 = area_km2(measured)
    if km2 <= 0:
        raise AreaError(tk._("The area is empty"))
    if km2 > max_area_km2():
        raise AreaError(
            tk._("The area covers {area} km²; at most {limit} km² are allowed").format(
                area=l10n.format_decimal(km2), limit=l10n.format_decimal(max_area_km2())
            )
        )
    # Through JSON: coordinates become lists, as they will come back from the database.
    return json.loads(json.dumps(mapping(geom))), round(km2, 3)
