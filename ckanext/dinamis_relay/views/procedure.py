"""Pages of the procedure additions (issue 15): the public "already an adherent?" check, the
quota consumption per entity and each entity's quotas (overrides by instructors), the
registration of existing adherents (form and CSV import) and the waves of relay applications
(CSV drafts, bulk eligibility and submission). All call the actions, which decide."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask.typing import ResponseReturnValue

from .. import labels
from ..logic.validators import bad_characters
from . import action_context as _context
from . import dinamis_relay, pickers


def _errors(error: tk.ValidationError) -> dict[str, list[str]]:
    return {
        field: [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]
        for field, messages in (error.error_dict or {}).items()
    }


@dinamis_relay.route("/adherent-check")
def adherent_check() -> ResponseReturnValue:
    """Anyone: is my organisation already a DINAMIS adherent? (GET, so it can be linked.)"""
    query = {key: (tk.request.args.get(key) or "").strip()[:200] for key in ("siret", "q")}
    result: dict[str, Any] | None = None
    errors: dict[str, list[str]] = {}
    status = 200
    if query["siret"] or query["q"]:
        data = {key: value for key, value in query.items() if value}
        try:
            result = tk.get_action("dinamis_relay_adherent_check")(_context(), data)
        except tk.ValidationError as error:
            errors = _errors(error)
            status = 429 if "limit" in errors else 200
    return tk.render(
        "dinamis_relay/procedure/adherent_check.html",
        {"query": query, "result": result, "errors": errors},
    ), status


@dinamis_relay.route("/quotas")
def quotas() -> ResponseReturnValue:
    """Instructors and super-referents: quota consumption per entity, this period."""
    try:
        offset = max(0, int(tk.request.args.get("offset") or 0))
    except ValueError:
        offset = 0
    try:
        result = tk.get_action("dinamis_relay_quota_list")(
            _context(), {"offset": offset, "limit": 50}
        )
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only DINAMIS instructors and super-referents see this page"))
    return tk.render(
        "dinamis_relay/procedure/quotas.html",
        {
            "result": result,
            "offset": offset,
            "limit": 50,
            "sensors": labels.sensors(),
        },
    )


def entity_quotas(entities: list[dict[str, str]]) -> list[dict[str, Any]]:
    """The remaining quotas of the entities a person may request for (the request form)."""
    found = []
    for entity in entities:
        try:
            found.append(
                tk.get_action("dinamis_relay_quota_show")(
                    _context(), {"organization_id": entity["value"]}
                )
            )
        except (tk.NotAuthorized, tk.ValidationError):
            continue
    return found


# --- Pages of the procedure actions that had only an API (issue 15 items 3, 4, 5) ----------

REGISTER_FIELDS = (
    "organization_id",
    "mode",
    "number",
    "accepted_on",
    "valid_until",
    "referent_user_id",
    "referent_title",
    "siret",
    "dinamis_reference",
    "note",
)


def procedure_labels() -> dict[str, str]:
    """Translated names of the fields of these pages, for labels and error summaries."""
    return {
        "organization_id": tk._("Entity (organization)"),
        "mode": tk._("Procedure"),
        "number": tk._("DINAMIS adhesion number"),
        "accepted_on": tk._("Accepted by DINAMIS on"),
        "valid_until": tk._("Valid until"),
        "referent_user_id": tk._("Entity referent"),
        "referent_title": tk._("Referent's title"),
        "siret": tk._("SIRET number"),
        "dinamis_reference": tk._("DINAMIS reference"),
        "note": tk._("Note"),
        "upload": tk._("CSV file"),
        "csv": tk._("CSV file"),
        "rows": tk._("Rows"),
        "ids": tk._("Applications"),
        "operation": tk._("Operation"),
        "eligible": tk._("Eligible"),
        "sensor": tk._("Sensor"),
        "km2": tk._("Quota (km²)"),
        "legal_name": tk._("Legal name"),
    }


def _summary(errors: dict[str, list[str]]) -> dict[str, str]:
    labels = procedure_labels()
    return {labels.get(field, field): " ".join(messages) for field, messages in errors.items()}


def _require(action: str, data: dict[str, Any], message: str) -> None:
    if not tk.current_user.is_authenticated:
        tk.abort(403, message)
    if not tk.h.dinamis_relay_can(action, data):
        tk.abort(403, message)


def _csv_data() -> dict[str, Any]:
    upload = tk.request.files.get("upload")
    data: dict[str, Any] = {"dry_run": tk.request.form.get("dry_run") == "on"}
    if upload is not None and upload.filename:
        data["upload"] = upload
    elif (tk.request.form.get("csv") or "").strip():
        data["csv"] = tk.request.form["csv"]
    return data


@dinamis_relay.route("/register", methods=["GET", "POST"])
def register() -> ResponseReturnValue:
    """Instructors (any entity) and super-referents (relay partners): register an adhesion
    accepted outside the platform."""
    _require(
        "dinamis_relay_adhesion_register_import",
        {},
        tk._("Only DINAMIS instructors and super-referents register existing adherents"),
    )
    data: dict[str, Any] = {"mode": "relay" if not _is_instructor() else "classic"}
    errors: dict[str, list[str]] = {}
    status = 200
    if tk.request.method == "POST":
        data = {
            field: (tk.request.form.get(field) or "").strip()
            for field in REGISTER_FIELDS
            if (tk.request.form.get(field) or "").strip()
        }
        sent = dict(data)
        # The pickers post names; a typed title or full name is accepted as well (what could
        # not reach the database safely goes to the action, which names the field).
        for field, resolve in (
            ("organization_id", pickers.organization_name),
            ("referent_user_id", pickers.user_name),
        ):
            typed = sent.get(field)
            if typed and len(typed) <= 200 and not bad_characters(typed):
                sent[field] = resolve(typed) or typed
        try:
            adhesion = tk.get_action("dinamis_relay_adhesion_register")(_context(), sent)
        except tk.NotAuthorized:
            errors = {"mode": [tk._("You may register relay-mode partners only")]}
        except tk.ValidationError as error:
            errors = _errors(error)
        else:
            tk.h.flash_success(
                tk._(
                    "The adhesion {number} is registered: its people may request accounts."
                ).format(number=adhesion["number"])
            )
            return tk.redirect_to("dinamis_relay.adhesion_read", id=adhesion["id"])
        status = 400
    return tk.render(
        "dinamis_relay/procedure/register.html",
        {
            "data": data,
            "errors": errors,
            "error_summary": _summary(errors),
            "labels": procedure_labels(),
            "instructor": _is_instructor(),
        },
    ), status


def _is_instructor() -> bool:
    roles = tk.get_action("dinamis_relay_roles_show")(_context(), {})
    return bool(roles.get("instructor") or roles.get("sysadmin"))


@dinamis_relay.route("/register/import", methods=["GET", "POST"])
def register_import() -> ResponseReturnValue:
    """The same from a CSV file: every row or none, each wrong row listed."""
    _require(
        "dinamis_relay_adhesion_register_import",
        {},
        tk._("Only DINAMIS instructors and super-referents register existing adherents"),
    )
    return _csv_page(
        "dinamis_relay_adhesion_register_import",
        "dinamis_relay/procedure/register_import.html",
        "registered",
        lambda n: tk.ungettext("{n} adhesion registered.", "{n} adhesions registered.", n).format(
            n=n
        ),
    )


def _csv_page(
    action: str, template: str, counted: str, done: Any, **extra: Any
) -> ResponseReturnValue:
    errors: dict[str, list[str]] = {}
    result = None
    status = 200
    if tk.request.method == "POST":
        try:
            result = tk.get_action(action)(_context(), _csv_data())
        except tk.NotAuthorized as error:
            return tk.abort(403, str(error))
        except tk.ValidationError as error:
            errors = _errors(error)
            status = 400
        else:
            if not result["dry_run"]:
                tk.h.flash_success(done(result[counted]))
    return tk.render(
        template,
        {
            "errors": errors,
            "error_summary": _summary(errors),
            "result": result,
            "labels": procedure_labels(),
            **extra,
        },
    ), status


def _relay_drafts() -> dict[str, Any]:
    """The relay-mode applications a wave works on: drafts and returned ones (bounded)."""
    found: list[dict[str, Any]] = []
    count = 0
    for state in ("draft", "returned"):
        try:
            result = tk.get_action("dinamis_relay_adhesion_list")(
                _context(), {"mode": "relay", "state": state, "limit": 200}
            )
        except (tk.NotAuthorized, tk.ValidationError):
            continue
        found += result["results"]
        count += result["count"]
    return {"results": found, "count": count}


@dinamis_relay.route("/waves", methods=["GET", "POST"])
def waves() -> ResponseReturnValue:
    """Super-referents: draft relay applications from a CSV, then record eligibility or
    submit a selection of drafts at once."""
    _require(
        "dinamis_relay_adhesion_wave_import",
        {},
        tk._("Only super-referents prepare waves of relay applications"),
    )
    return _csv_page(
        "dinamis_relay_adhesion_wave_import",
        "dinamis_relay/procedure/waves.html",
        "created",
        lambda n: tk.ungettext(
            "{n} draft application created.", "{n} draft applications created.", n
        ).format(n=n),
        drafts=_relay_drafts(),
        bulk=None,
        bulk_errors={},
        selected=[],
    )


@dinamis_relay.route("/waves/bulk", methods=["POST"])
def waves_bulk() -> ResponseReturnValue:
    _require(
        "dinamis_relay_adhesion_bulk",
        {},
        tk._("Only super-referents prepare waves of relay applications"),
    )
    selected = tk.request.form.getlist("ids")
    data: dict[str, Any] = {
        "ids": selected,
        "operation": tk.request.form.get("operation") or "",
    }
    if data["operation"] == "check_eligibility":
        if tk.request.form.get("eligible") in ("true", "false"):
            data["eligible"] = tk.request.form["eligible"] == "true"
        if (tk.request.form.get("note") or "").strip():
            data["note"] = tk.request.form["note"].strip()
    bulk = None
    errors: dict[str, list[str]] = {}
    status = 200
    try:
        bulk = tk.get_action("dinamis_relay_adhesion_bulk")(_context(), data)
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    except tk.ValidationError as error:
        errors = _errors(error)
        status = 400
    else:
        tk.h.flash_success(
            tk.ungettext("{n} application done.", "{n} applications done.", bulk["count"]).format(
                n=bulk["count"]
            )
        )
        return tk.redirect_to("dinamis_relay.waves")
    return tk.render(
        "dinamis_relay/procedure/waves.html",
        {
            "errors": {},
            "error_summary": {},
            "result": None,
            "labels": procedure_labels(),
            "drafts": _relay_drafts(),
            "bulk": bulk,
            "bulk_errors": errors,
            "bulk_summary": _summary(errors),
            "selected": selected,
            "data": data,
        },
    ), status


@dinamis_relay.route("/quotas/<org_name>", methods=["GET", "POST"])
def entity_quota(org_name: str) -> ResponseReturnValue:
    """An entity's quotas; instructors set or remove its overrides, sensor by sensor."""
    errors: dict[str, list[str]] = {}
    failed_sensor = ""
    status = 200
    if tk.request.method == "POST":
        failed_sensor = tk.request.form.get("sensor") or ""
        data: dict[str, Any] = {"organization_id": org_name, "sensor": failed_sensor}
        km2 = (tk.request.form.get("km2") or "").strip().replace(" ", "").replace("\u202f", "")
        if km2:
            data["km2"] = km2
        try:
            tk.get_action("dinamis_relay_quota_set")(_context(), data)
        except tk.NotAuthorized:
            return tk.abort(403, tk._("Only DINAMIS instructors set quotas"))
        except tk.ValidationError as error:
            errors = _errors(error)
            status = 400
        else:
            tk.h.flash_success(tk._("The quota is saved."))
            return tk.redirect_to("dinamis_relay.entity_quota", org_name=org_name)
    try:
        shown = tk.get_action("dinamis_relay_quota_show")(_context(), {"organization_id": org_name})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("You may not see the quotas of this entity"))
    except (tk.ObjectNotFound, tk.ValidationError):
        return tk.abort(404, tk._("Organization not found"))
    return tk.render(
        "dinamis_relay/procedure/entity_quota.html",
        {
            "shown": shown,
            "errors": errors,
            "error_summary": _summary(errors),
            "failed_sensor": failed_sensor,
            "can_set": tk.h.dinamis_relay_can(
                "dinamis_relay_quota_set", {"organization_id": shown["organization"]["id"]}
            ),
            "sensors": labels.sensors(),
            "form_km2": tk.request.form.get("km2", "") if errors else "",
        },
    ), status
