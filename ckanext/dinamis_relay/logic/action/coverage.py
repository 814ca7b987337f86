"""Coverage search: which DINAMIS imagery already covers an area (coverage.py), for any
polygon and for an imagery request, and the relay's one-step answer "covered by the archive".
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.search import SearchError
from ckan.logic import validate
from ckan.types import Context, DataDict
from shapely.geometry import shape

from ... import l10n
from ...geo import coverage
from ..schema import coverage as schema

log = logging.getLogger(__name__)
REQUEST_LIMIT = 20
CITED_LIMIT = 10


@tk.side_effect_free
@validate(schema.coverage)
def dinamis_relay_coverage(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """DINAMIS imagery datasets whose footprint meets an area, best first.

    The area: `area` (GeoJSON Polygon/MultiPolygon, Feature or FeatureCollection, checked as
    the imagery request form checks it) or `bbox` (west,south,east,north; west > east crosses
    the antimeridian). Optional criteria: `sensor`, `period_start`, `period_end`,
    `max_cloud_cover`; `include_footprints` adds each footprint (GeoJSON); `limit` (default
    20, at most 100) and `offset` page the results. Only datasets the caller may see are
    considered; each says whether the caller may use it (`access`).

    Returns {"count", "results", "covered_share" (0-1, all results together), "area_km2",
    "candidates" (found by the index), "truncated", "skipped" (unreadable footprints),
    "spatial_search", "visibility"}.
    """
    tk.check_access("dinamis_relay_coverage", context, data_dict)
    if ("area" in data_dict) == ("bbox" in data_dict):
        raise tk.ValidationError(
            {"area": [tk._("Give either an area (GeoJSON polygon) or a bbox, not both")]}
        )
    if "area" in data_dict:
        area = shape(data_dict["area"])
    else:
        area = coverage.area_from_bbox(data_dict["bbox"])
    criteria = coverage.Criteria(
        sensor=data_dict.get("sensor"),
        period_start=data_dict.get("period_start"),
        period_end=data_dict.get("period_end"),
        max_cloud_cover=data_dict.get("max_cloud_cover"),
    )
    try:
        found = coverage.search(
            dict(context), area, criteria, bool(data_dict.get("include_footprints"))
        )
    except SearchError as error:
        log.error("coverage search failed: %s", error)
        raise tk.ValidationError(
            {"area": [tk._("The catalogue search is not available; try again later")]}
        ) from None
    return found.as_dict(data_dict.get("limit") or 20, data_dict.get("offset") or 0)


def for_request(context: Context, request: Any) -> dict[str, Any] | None:
    """The coverage of an imagery request's area with its criteria (first results), or None
    when the search is unavailable; for `imagery_request_show`."""
    criteria = coverage.Criteria(
        sensor=request.sensor,
        period_start=request.period_start,
        period_end=request.period_end,
        max_cloud_cover=request.max_cloud_cover,
    )
    try:
        found = coverage.search(dict(context), shape(request.area), criteria)
    except (SearchError, ValueError, TypeError) as error:
        log.error("coverage of imagery request %s failed: %s", request.id, error)
        return None
    return found.as_dict(REQUEST_LIMIT, 0)


def percent(value: float) -> str:
    """42 % (with a no-break space, as French writes it and English reads it)."""
    return f"{l10n.format_decimal(value)}\u00a0%"


def answer_text(found: dict[str, Any], cited: list[dict[str, Any]], comment: str | None) -> str:
    """The message of a "covered by the archive" answer, in the caller's language."""
    lines = [
        tk._(
            "The DINAMIS archive already covers {share} of your area of interest. "
            "These catalogue datasets may serve your need:"
        ).format(share=percent(found["covered_share"] * 100))
    ]
    for item in cited:
        facts = [tk._("{share} of the area").format(share=percent(item["share"] * 100))]
        if item.get("acquisition_date"):
            facts.append(
                tk._("acquired on {date}").format(date=l10n.format_date(item["acquisition_date"]))
            )
        if item.get("sensor"):
            facts.append(item["sensor"])
        if item.get("cloud_cover") is not None:
            facts.append(tk._("{cloud} cloud cover").format(cloud=percent(item["cloud_cover"])))
        url = tk.url_for("dataset.read", id=item["name"], _external=True)
        lines.append(
            "- {title} ({facts}): {url}".format(
                title=item["title"], facts=", ".join(facts), url=url
            )
        )
    if comment:
        lines += ["", comment]
    return "\n".join(lines)


@validate(schema.coverage_answer)
def dinamis_relay_coverage_answer(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Answer imagery request `id` "covered by the archive" in one step: the message cites
    the datasets covering its area (`dataset_ids`: which ones, by id or name; default the
    first ones meeting the request's criteria), with an optional `comment`. A submitted
    request is taken for review first. Returns the request as `imagery_request_show`."""
    tk.check_access("dinamis_relay_coverage_answer", context, data_dict)
    user = {"user": context.get("user", "")}
    shown = tk.get_action("dinamis_relay_imagery_request_show")(
        dict(user),
        {"id": data_dict["id"]},
    )
    found = shown.get("coverage")
    if not found or not found["results"]:
        raise tk.ValidationError(
            {"dataset_ids": [tk._("No catalogue dataset covers the area of this request")]}
        )
    wanted = data_dict.get("dataset_ids")
    if wanted:
        cited = [r for r in found["results"] if r["id"] in wanted or r["name"] in wanted]
        unknown = set(wanted) - {r["id"] for r in cited} - {r["name"] for r in cited}
        if unknown:
            raise tk.ValidationError(
                {
                    "dataset_ids": [
                        tk._("Not among the datasets covering this area: {names}").format(
                            names=", ".join(sorted(unknown))
                        )
                    ]
                }
            )
    else:
        cited = [r for r in found["results"] if r["meets_criteria"]] or found["results"]
        cited = cited[:CITED_LIMIT]
    transition = tk.get_action("dinamis_relay_imagery_request_transition")
    if shown["state"] == "submitted" and "review" in shown["allowed_transitions"]:
        transition(dict(user), {"id": shown["id"], "transition": "review"})
    return transition(
        dict(user),
        {
            "id": shown["id"],
            "transition": "answer",
            "comment": answer_text(found, cited, data_dict.get("comment")),
        },
    )
