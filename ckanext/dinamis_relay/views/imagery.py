"""Imagery request pages: my requests, the form with its map, the detail page with its thread,
and the first-level review queue (DINAMIS's queue for instructors).

The pages call the imagery actions; what buttons show is what the action returns in
`allowed_transitions`.
"""

from __future__ import annotations

import json
import math
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Response
from flask.typing import ResponseReturnValue

from .. import geo, labels
from ..model.imagery import ACQUISITION_MODES, SENSORS, STATES
from . import action_context as _context
from . import dinamis_relay
from . import procedure as procedure_views

PAGE_SIZE = 20
FORM_FIELDS = (
    "organization_id",
    "title",
    "area",
    "period_start",
    "period_end",
    "sensor",
    "stereo",
    "max_cloud_cover",
    "max_viewing_angle",
    "acquisition_mode",
    "intended_use",
    "justification",
)


def _errors(error: tk.ValidationError) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for field, messages in (error.error_dict or {}).items():
        if isinstance(messages, list):
            result[field] = [str(m) for m in messages]
        else:
            result[field] = [str(messages)]
    return result


def field_labels() -> dict[str, str]:
    """Labels of the form's fields, as the form shows them: error summaries name them."""
    return {
        "organization_id": tk._("Entity"),
        "title": tk._("Title"),
        "area": tk._("Area of interest"),
        "period_start": tk._("From"),
        "period_end": tk._("To"),
        "sensor": tk._("Sensor"),
        "stereo": tk._("Mono or stereo"),
        "max_cloud_cover": tk._("Maximum cloud cover"),
        "max_viewing_angle": tk._("Maximum viewing angle"),
        "acquisition_mode": tk._("Archive or new acquisition"),
        "intended_use": tk._("Intended use"),
        "justification": tk._("Justification (why existing imagery is not enough)"),
        "body": tk._("Message"),
        "comment": tk._("Comment"),
        "transition": tk._("Action"),
    }


def _summary(errors: dict[str, list[str]]) -> dict[str, str]:
    labels = field_labels()
    return {labels.get(field, field): " ".join(messages) for field, messages in errors.items()}


def _common() -> dict[str, Any]:
    return {
        "labels": {
            "state": labels.imagery_states(),
            "sensor": labels.sensors(),
            "acquisition_mode": labels.acquisition_modes(),
            "transition": labels.imagery_transitions(),
            "event": labels.imagery_events(),
        },
        "sensors": SENSORS,
        "acquisition_modes": ACQUISITION_MODES,
        "states": STATES,
    }


def _abort(error: Exception) -> ResponseReturnValue:
    # A malformed id (ValidationError) names no request either.
    if isinstance(error, (tk.ObjectNotFound, tk.ValidationError)):
        return tk.abort(404, tk._("Imagery request not found"))
    return tk.abort(403, str(error) or tk._("Not authorized"))


def _list_page(queue: str, template: str) -> ResponseReturnValue:
    page = max(tk.h.get_page_number(tk.request.args), 1)
    data: dict[str, Any] = {"queue": queue, "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}
    for key in ("state", "q"):
        if tk.request.args.get(key):
            data[key] = tk.request.args[key]
    try:
        result = tk.get_action("dinamis_relay_imagery_request_list")(_context(), data)
    except tk.NotAuthorized as error:
        return _abort(error)
    except tk.ValidationError as error:
        return tk.abort(400, " ".join(_summary(_errors(error)).values()))
    roles = tk.get_action("dinamis_relay_roles_show")(_context(), {})
    return tk.render(
        template,
        {
            **_common(),
            "result": result,
            "queue": queue,
            "filters": {k: tk.request.args.get(k, "") for k in ("state", "q")},
            "page": page,
            "pages": max(1, math.ceil(result["count"] / PAGE_SIZE)),
            "roles": roles,
            "can_create": tk.h.dinamis_relay_can("dinamis_relay_imagery_request_create"),
        },
    )


@dinamis_relay.route("/imagery")
def imagery_list() -> ResponseReturnValue:
    """The caller's own requests (everything they may read with ?queue=all)."""
    queue = tk.request.args.get("queue") or "mine"
    if queue not in ("mine", "all"):
        queue = "mine"
    return _list_page(queue, "dinamis_relay/imagery/list.html")


@dinamis_relay.route("/imagery/triage")
def imagery_triage() -> ResponseReturnValue:
    """Requests waiting for my first-level review, or with DINAMIS (?queue=dinamis)."""
    queue = "dinamis" if tk.request.args.get("queue") == "dinamis" else "triage"
    return _list_page(queue, "dinamis_relay/imagery/triage.html")


def _form_data() -> dict[str, Any]:
    form = tk.request.form
    data: dict[str, Any] = {}
    for field in FORM_FIELDS:
        value = form.get(field)
        if value is not None and (value != "" or field in ("area", "title", "intended_use")):
            data[field] = value
    data["stereo"] = form.get("stereo") == "stereo"
    return data


def draw_local() -> dict[str, Any]:
    """Leaflet.draw's texts (`L.drawLocal`), from the plugin's catalogue: the map's tools
    speak the page's language."""
    _ = tk._
    cancel = {"title": _("Cancel drawing"), "text": _("Cancel")}
    return {
        "draw": {
            "toolbar": {
                "actions": cancel,
                "finish": {"title": _("Finish drawing"), "text": _("Finish")},
                "undo": {"title": _("Delete the last point drawn"), "text": _("Delete last point")},
                "buttons": {
                    "polygon": _("Draw a polygon"),
                    "rectangle": _("Draw a rectangle"),
                },
            },
            "handlers": {
                "polygon": {
                    "tooltip": {
                        "start": _("Click to start drawing the area."),
                        "cont": _("Click to continue drawing the area."),
                        "end": _("Click the first point (or Finish) to close the area."),
                    }
                },
                "polyline": {"error": _("The edges of the area cannot cross.")},
                "rectangle": {"tooltip": {"start": _("Click and drag to draw a rectangle.")}},
                "simpleshape": {"tooltip": {"end": _("Release the mouse to finish drawing.")}},
            },
        },
        "edit": {
            "toolbar": {
                "actions": {
                    "save": {"title": _("Save the changes"), "text": _("Save")},
                    "cancel": {
                        "title": _("Cancel editing, discard the changes"),
                        "text": _("Cancel"),
                    },
                    "clearAll": {"title": _("Delete every area"), "text": _("Delete all")},
                },
                "buttons": {
                    "edit": _("Edit the area"),
                    "editDisabled": _("No area to edit"),
                    "remove": _("Delete the area"),
                    "removeDisabled": _("No area to delete"),
                },
            },
            "handlers": {
                "edit": {
                    "tooltip": {
                        "text": _("Drag the handles to change the area."),
                        "subtext": _("Click Cancel to undo the changes."),
                    }
                },
                "remove": {"tooltip": {"text": _("Click an area to delete it.")}},
            },
        },
    }


def _form(
    values: dict[str, Any], errors: dict[str, list[str]], request: dict[str, Any] | None
) -> str:
    organizations = tk.get_action("dinamis_relay_roles_show")(_context(), {})
    entities = _entities()
    return tk.render(
        "dinamis_relay/imagery/form.html",
        {
            **_common(),
            "data": values,
            "errors": errors,
            "error_summary": _summary(errors),
            "request_dict": request,
            "roles": organizations,
            "draw_local": draw_local(),
            "entities": entities,
            "entity_quotas": procedure_views.entity_quotas(entities),
            "tile_url": tk.config.get("ckanext.dinamis_relay.imagery.tile_url") or "",
            "tile_attribution": tk.config.get("ckanext.dinamis_relay.imagery.tile_attribution")
            or "",
            "limits": {
                "max_area_km2": geo.max_area_km2(),
                "max_vertices": geo.max_vertices(),
                "max_geojson_bytes": geo.max_geojson_bytes(),
            },
        },
    )


def _entities() -> list[dict[str, str]]:
    """Entities the user may request for (active accounts), for the entity choice."""
    from ..access import active_account_org_ids

    user = tk.current_user
    ids = active_account_org_ids(getattr(user, "id", None)) if user.is_authenticated else set()
    entities = []
    for organization_id in sorted(ids):
        try:
            org = tk.get_action("organization_show")(
                _context(), {"id": organization_id, "include_datasets": False}
            )
        except (tk.ObjectNotFound, tk.NotAuthorized):
            continue
        entities.append({"value": org["id"], "text": org.get("title") or org["name"]})
    return entities


def _area_text(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return value or ""


@dinamis_relay.route("/imagery/new", methods=["GET", "POST"])
def imagery_new() -> ResponseReturnValue:
    try:
        tk.check_access("dinamis_relay_imagery_request_create", _context(), {})
    except tk.NotAuthorized as error:
        return _abort(error)
    if tk.request.method == "GET":
        return _form({"max_cloud_cover": 20, "max_viewing_angle": 30}, {}, None)
    data = _form_data()
    try:
        created = tk.get_action("dinamis_relay_imagery_request_create")(_context(), dict(data))
    except tk.NotAuthorized as error:
        return _abort(error)
    except tk.ValidationError as error:
        return _form(data, _errors(error), None)
    return _after_save(created)


def _after_save(request: dict[str, Any]) -> ResponseReturnValue:
    """ "Submit" sends the saved draft at once; "Save draft" keeps it."""
    if tk.request.form.get("save") == "submit":
        try:
            tk.get_action("dinamis_relay_imagery_request_submit")(_context(), {"id": request["id"]})
            tk.h.flash_success(tk._("Your request was submitted."))
        except (tk.NotAuthorized, tk.ValidationError) as error:
            tk.h.flash_error(str(error))
    else:
        tk.h.flash_success(tk._("Draft saved."))
    return tk.redirect_to("dinamis_relay.imagery_read", id=request["id"])


@dinamis_relay.route("/imagery/<id>/edit", methods=["GET", "POST"])
def imagery_edit(id: str) -> ResponseReturnValue:
    try:
        request = tk.get_action("dinamis_relay_imagery_request_show")(_context(), {"id": id})
        tk.check_access("dinamis_relay_imagery_request_update", _context(), {"id": id})
    except (tk.NotAuthorized, tk.ObjectNotFound, tk.ValidationError) as error:
        return _abort(error)
    if not request["can_edit"]:
        return tk.redirect_to("dinamis_relay.imagery_read", id=id)
    if tk.request.method == "GET":
        values = {**request, "area": _area_text(request["area"])}
        return _form(values, {}, request)
    data = _form_data()
    data.pop("organization_id", None)
    try:
        updated = tk.get_action("dinamis_relay_imagery_request_update")(
            _context(), {**data, "id": id}
        )
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return _abort(error)
    except tk.ValidationError as error:
        return _form(data, _errors(error), request)
    return _after_save(updated)


@dinamis_relay.route("/imagery/<id>")
def imagery_read(id: str) -> ResponseReturnValue:
    try:
        request = tk.get_action("dinamis_relay_imagery_request_show")(_context(), {"id": id})
    except (tk.NotAuthorized, tk.ObjectNotFound, tk.ValidationError) as error:
        return _abort(error)
    return _read(request, {})


def _read(request: dict[str, Any], errors: dict[str, list[str]]) -> str:
    return tk.render(
        "dinamis_relay/imagery/read.html",
        {
            **_common(),
            "request_dict": request,
            "area_json": json.dumps(request["area"]),
            "errors": errors,
            "error_summary": _summary(errors),
            "tile_url": tk.config.get("ckanext.dinamis_relay.imagery.tile_url") or "",
            "tile_attribution": tk.config.get("ckanext.dinamis_relay.imagery.tile_attribution")
            or "",
            "can_submit": "submit" in request["actions"],
            "can_comment": request["can_comment"],
        },
    )


def _post(id: str, action: str, data: dict[str, Any], success: str) -> ResponseReturnValue:
    try:
        tk.get_action(action)(_context(), {**data, "id": id})
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return _abort(error)
    except tk.ValidationError as error:
        try:
            request = tk.get_action("dinamis_relay_imagery_request_show")(_context(), {"id": id})
        except (tk.NotAuthorized, tk.ObjectNotFound, tk.ValidationError) as not_found:
            return _abort(not_found)
        return _read(request, _errors(error))
    tk.h.flash_success(success)
    return tk.redirect_to("dinamis_relay.imagery_read", id=id)


@dinamis_relay.route("/imagery/<id>/submit", methods=["POST"])
def imagery_submit(id: str) -> ResponseReturnValue:
    return _post(
        id, "dinamis_relay_imagery_request_submit", {}, tk._("Your request was submitted.")
    )


@dinamis_relay.route("/imagery/<id>/transition", methods=["POST"])
def imagery_transition(id: str) -> ResponseReturnValue:
    data = {
        "transition": tk.request.form.get("transition", ""),
        "comment": tk.request.form.get("comment", ""),
    }
    return _post(
        id, "dinamis_relay_imagery_request_transition", data, tk._("The request was updated.")
    )


@dinamis_relay.route("/imagery/<id>/comment", methods=["POST"])
def imagery_comment(id: str) -> ResponseReturnValue:
    data = {
        "body": tk.request.form.get("body", ""),
        "internal": tk.request.form.get("internal") == "on",
    }
    return _post(id, "dinamis_relay_imagery_request_comment", data, tk._("Message posted."))


@dinamis_relay.route("/imagery/<id>/area.geojson")
def imagery_area(id: str) -> ResponseReturnValue:
    """The area of interest as a GeoJSON file, for a GIS."""
    try:
        request = tk.get_action("dinamis_relay_imagery_request_show")(_context(), {"id": id})
    except (tk.NotAuthorized, tk.ObjectNotFound, tk.ValidationError) as error:
        return _abort(error)
    feature = {
        "type": "Feature",
        "properties": {"number": request["number"], "title": request["title"]},
        "geometry": request["area"],
    }
    name = (request["number"] or request["id"]).replace("/", "-")
    return Response(
        json.dumps(feature),
        mimetype="application/geo+json",
        headers={"Content-Disposition": f'attachment; filename="{name}.geojson"'},
    )
