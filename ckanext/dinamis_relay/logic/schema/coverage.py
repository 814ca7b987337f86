"""navl schemas of the coverage actions."""

from __future__ import annotations

import datetime
import math
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, Schema

from ... import geo
from ...model.imagery import SENSORS

MAX_PAGE_SIZE = 100


def _v(name: str) -> Any:
    return tk.get_validator(name)


def area(value: Any) -> dict[str, Any]:
    """A GeoJSON polygon, checked as the imagery request form checks it (geo.py)."""
    try:
        geometry, _km2 = geo.validate_area(value)
    except geo.AreaError as error:
        raise tk.Invalid(str(error)) from None
    return geometry


def bbox(value: Any) -> list[float]:
    """minx,miny,maxx,maxy in degrees (WGS84); minx > maxx crosses the antimeridian."""
    parts = value if isinstance(value, (list, tuple)) else str(value).split(",")
    try:
        numbers = [float(str(v).strip()) for v in parts]
    except (TypeError, ValueError):
        numbers = []
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise tk.Invalid(tk._("Give four numbers: west, south, east, north (degrees)"))
    minx, miny, maxx, maxy = numbers
    if not (-180 <= minx <= 180 and -180 <= maxx <= 180 and -90 <= miny < maxy <= 90):
        raise tk.Invalid(tk._("West and east must be within ±180°, south below north within ±90°"))
    if minx == maxx:
        raise tk.Invalid(tk._("The box is empty"))
    return numbers


def sensor(value: Any) -> str:
    if value not in SENSORS:
        raise tk.Invalid(
            tk._("Unknown value {value!r}; use one of: {values}").format(
                value=value, values=", ".join(SENSORS)
            )
        )
    return str(value)


def date_value(value: Any) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise tk.Invalid(tk._("Not a date (YYYY-MM-DD)")) from None


def between(low: int, high: int) -> Any:
    def validator(value: Any, context: Context) -> int:
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            raise tk.Invalid(tk._("Must be a whole number")) from None
        if not low <= number <= high:
            raise tk.Invalid(tk._("Must be between {low} and {high}").format(low=low, high=high))
        return number

    return validator


def coverage() -> Schema:
    optional = _v("ignore_missing")
    return {
        "area": [optional, area],
        "bbox": [optional, bbox],
        "sensor": [optional, sensor],
        "period_start": [optional, date_value],
        "period_end": [optional, date_value],
        "max_cloud_cover": [optional, between(0, 100)],
        "include_footprints": [optional, _v("boolean_validator")],
        "limit": [optional, between(1, MAX_PAGE_SIZE)],
        "offset": [optional, between(0, 1_000_000)],
    }


def coverage_answer() -> Schema:
    return {
        "id": [_v("not_empty"), _v("unicode_safe")],
        "dataset_ids": [_v("ignore_missing"), optional_list],
        "comment": [_v("ignore_missing"), _v("unicode_safe")],
    }


def optional_list(value: Any) -> list[str] | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        value = [v for v in value.replace(",", " ").split() if v]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise tk.Invalid(tk._("A list of dataset ids or names"))
    return value
