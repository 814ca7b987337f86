"""Adhesion pages: organization tab, multi-step form, legal representative, queues.

Every page calls the adhesion actions; the actions decide who may do what (auth) and when
(state). The buttons are the `actions` that `adhesion_show` returns, which come from the
lifecycle table (lifecycle/adhesion.py); no page restates a rule.
"""

from __future__ import annotations

import math
from typing import Any

import ckan.plugins.toolkit as tk
from flask.typing import ResponseReturnValue

from ..lifecycle.adhesion import ADHESION
from ..logic.validators import bad_characters
from ..model.adhesion import (
    ENTITY_FIELDS,
    PENDING_INSTRUCTION,
    PEOPLE_FIELDS,
    STATES,
)
from . import action_context as _context
from . import dinamis_relay, pickers

# Transitions posted from the detail page as a plain form (the decision has its own form).
SIMPLE_TRANSITIONS = ("suspend", "reinstate", "terminate", "renew")

# Steps of the form and their fields. The mode is chosen once, when the draft is created.
RELAY_FIELDS = ("convention_number", "amendment_number")
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "entity": (*ENTITY_FIELDS, "email_domains", *RELAY_FIELDS),
    "people": PEOPLE_FIELDS,
    "summary": (),
}
STEPS = tuple(STEP_FIELDS)
PAGE_SIZE = 20


def _can(action: str, data_dict: dict[str, Any]) -> bool:
    return bool(tk.h.dinamis_relay_can(action, data_dict))


def _steps() -> list[tuple[str, str]]:
    labels = {
        "entity": tk._("Entity"),
        "people": tk._("People"),
        "summary": tk._("Acceptances and summary"),
    }
    return [(step, labels[step]) for step in STEPS]


def _flat_errors(error: tk.ValidationError) -> dict[str, list[str]]:
    """Field → list of messages, whatever the shape of the action's error dict."""
    result: dict[str, list[str]] = {}
    for field, messages in (error.error_dict or {}).items():
        if isinstance(messages, (list, tuple)):
            result[field] = [str(m) for m in messages]
        else:
            result[field] = [str(messages)]
    return result


def _error_summary(errors: dict[str, list[str]]) -> dict[str, str]:
    labels = field_labels()
    return {labels.get(field, field): " ".join(msgs) for field, msgs in errors.items()}


def _error_message(error: Exception) -> str:
    if isinstance(error, tk.ValidationError):
        return " ".join(" ".join(msgs) for msgs in _flat_errors(error).values()) or str(error)
    return str(getattr(error, "message", "") or error) or tk._("This is not possible.")


def field_labels() -> dict[str, str]:
    """Translated labels of the adhesion fields, for the form and the error summaries."""
    return {
        "organization_id": tk._("Organization"),
        "mode": tk._("Procedure"),
        "legal_name": tk._("Legal name"),
        "acronym": tk._("Acronym"),
        "siret": tk._("SIRET number"),
        "entity_type": tk._("Type of entity"),
        "eligibility_category": tk._("DINAMIS eligibility category"),
        "eligibility_justification": tk._("Why the entity is eligible"),
        "address": tk._("Address"),
        "postcode": tk._("Postcode"),
        "city": tk._("City"),
        "department": tk._("Département"),
        "website": tk._("Website"),
        "phone": tk._("Phone"),
        "email_domains": tk._("Email domains of the staff"),
        "convention_number": tk._("Partnership convention number"),
        "amendment_number": tk._("Amendment (avenant) number"),
        "legal_rep_name": tk._("Legal representative's name"),
        "legal_rep_title": tk._("Legal representative's title"),
        "legal_rep_email": tk._("Legal representative's email"),
        "referent_user_id": tk._("Entity referent"),
        "referent_title": tk._("Referent's title"),
        "referent_phone": tk._("Referent's phone"),
        "eligible": tk._("Eligible"),
        "note": tk._("Note"),
        "decision": tk._("Decision"),
        "reason": tk._("Reason"),
        "dinamis_reference": tk._("DINAMIS reference"),
        "comment": tk._("Comment"),
        "eligibility": tk._("Eligibility check"),
        "read_texts": tk._("Texts read"),
        "token": tk._("Validation link"),
        "state": tk._("State"),
    }


def _field_step(field: str) -> str:
    for step, fields in STEP_FIELDS.items():
        if field in fields:
            return step
    return "summary"


def _organization(org_ref: str) -> dict[str, Any]:
    # CKAN's organization_show would pass a NUL or a lone surrogate on to the database.
    if len(org_ref) > 200 or bad_characters(org_ref):
        return tk.abort(404, tk._("Organization not found"))
    try:
        return tk.get_action("organization_show")(
            _context(), {"id": org_ref, "include_datasets": False, "include_users": False}
        )
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Organization not found"))


def _adhesion(adhesion_id: str) -> dict[str, Any]:
    """The adhesion, or a 404/403 page."""
    try:
        return tk.get_action("dinamis_relay_adhesion_show")(_context(), {"id": adhesion_id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Adhesion not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("You may not see this adhesion"))
    except tk.ValidationError:
        return tk.abort(404, tk._("Adhesion not found"))


def _allowed(adhesion: dict[str, Any]) -> dict[str, bool]:
    """Which buttons the viewer gets: the `actions` adhesion_show computed from the table."""
    actions = set(adhesion.get("actions") or [])
    allowed = {name: name in actions for name in (*SIMPLE_TRANSITIONS, "update", "submit")}
    allowed["check_eligibility"] = "check_eligibility" in actions
    allowed["decide"] = bool(actions & {"accept", "reject", "return"})
    return allowed


def _history(adhesion: dict[str, Any]) -> list[dict[str, Any]]:
    try:
        history = tk.get_action("dinamis_relay_adhesion_history")(
            _context(), {"id": adhesion["id"], "limit": 100}
        )
    except (tk.NotAuthorized, tk.ObjectNotFound, tk.ValidationError):
        return []
    if isinstance(history, dict):
        return list(history.get("results") or [])
    return list(history or [])


def _documents(adhesion: dict[str, Any]) -> list[dict[str, Any]]:
    """The documents issued for this adhesion, for those allowed to see them."""
    try:
        return list(
            tk.get_action("dinamis_relay_document_list")(
                _context(), {"adhesion_id": adhesion["id"]}
            )["results"]
        )
    except (tk.NotAuthorized, tk.ObjectNotFound, tk.ValidationError):
        return []


def _form_values(fields: tuple[str, ...]) -> dict[str, Any]:
    """The posted values of these fields only: nothing else reaches the action."""
    form = tk.request.form
    return {field: form.get(field, "").strip() for field in fields if field in form}


def _modes_allowed(organization_id: str) -> list[str]:
    return [
        mode
        for mode in ("relay", "classic")
        if _can("dinamis_relay_adhesion_create", {"organization_id": organization_id, "mode": mode})
    ]


# --- Organization tab -------------------------------------------------------------------


def _current_adhesion(organization_id: str) -> tuple[dict[str, Any] | None, bool]:
    """(current adhesion or None, whether the viewer may see it)."""
    try:
        adhesion = tk.get_action("dinamis_relay_adhesion_show")(
            _context(), {"organization_id": organization_id}
        )
    except (tk.ObjectNotFound, tk.ValidationError):
        return None, True
    except tk.NotAuthorized:
        return None, False
    return adhesion, True


@dinamis_relay.route("/organization/<org_name>")
def organization(org_name: str) -> ResponseReturnValue:
    """The organization's DINAMIS tab: current application, its history, what I may do."""
    group_dict = _organization(org_name)
    adhesion, visible = _current_adhesion(group_dict["id"])
    modes = _modes_allowed(group_dict["id"])
    # Who may follow the organization's applications is who may read their history.
    may_follow = _can("dinamis_relay_adhesion_history", {"organization_id": group_dict["id"]})
    if adhesion is None and not may_follow and not modes:
        return tk.abort(403, tk._("You may not see this organization's DINAMIS application"))
    # The table says from which states a new application may start (an expired one is
    # renewed instead, from its own page).
    can_start = (
        bool(modes) and ADHESION.rule("create", adhesion["state"] if adhesion else None) is not None
    )
    return tk.render(
        "dinamis_relay/adhesion/organization.html",
        {
            "group_dict": group_dict,
            "group_type": group_dict.get("type") or "organization",
            "adhesion": adhesion,
            "visible": visible,
            "allowed": _allowed(adhesion) if adhesion else {},
            "history": _history(adhesion) if adhesion else [],
            "documents": _documents(adhesion) if adhesion else [],
            "can_start": can_start,
        },
    )


# --- Multi-step form ----------------------------------------------------------------------


def _render_step(
    step: str,
    data: dict[str, Any],
    errors: dict[str, list[str]],
    *,
    group_dict: dict[str, Any],
    adhesion: dict[str, Any] | None,
    modes: list[str] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    extra_vars = {
        "step": step,
        "steps": _steps(),
        "data": data,
        "errors": errors,
        "error_summary": _error_summary(errors),
        "labels": field_labels(),
        "group_dict": group_dict,
        "adhesion": adhesion,
        "modes": modes or [],
        "mode": (adhesion or data).get("mode") or "classic",
        "allowed": _allowed(adhesion) if adhesion else {},
        "field_step": {f: _field_step(f) for f in errors},
    }
    if step == "summary" and adhesion:
        extra_vars["texts"] = _texts(adhesion)
    return tk.render(f"dinamis_relay/adhesion/form_{step}.html", extra_vars), status


def _texts(adhesion: dict[str, Any]) -> list[dict[str, Any]]:
    """Titles and versions of what the legal representative will accept."""
    from .. import texts

    return [
        {"kind": t.kind, "code": t.code, "version": t.version, "title": t.title}
        for t in texts.required_texts(adhesion.get("mode") or "classic")
    ]


@dinamis_relay.route("/organization/<org_name>/apply", methods=["GET", "POST"])
def adhesion_new(org_name: str) -> ResponseReturnValue:
    """First step of a new application: the procedure and the entity."""
    group_dict = _organization(org_name)
    modes = _modes_allowed(group_dict["id"])
    if not modes:
        return tk.abort(403, tk._("You may not apply to DINAMIS for this organization"))
    if tk.request.method == "GET":
        data = {"mode": modes[0], "legal_name": group_dict.get("title") or ""}
        return _render_step("entity", data, {}, group_dict=group_dict, adhesion=None, modes=modes)

    data = _form_values(STEP_FIELDS["entity"])
    data["mode"] = tk.request.form.get("mode") or modes[0]
    data["organization_id"] = group_dict["id"]
    if data["mode"] != "relay":
        for field in RELAY_FIELDS:
            data.pop(field, None)
    try:
        adhesion = tk.get_action("dinamis_relay_adhesion_create")(_context(), dict(data))
    except tk.ValidationError as error:
        return _render_step(
            "entity",
            data,
            _flat_errors(error),
            group_dict=group_dict,
            adhesion=None,
            modes=modes,
            status=400,
        )
    except tk.NotAuthorized as error:
        return tk.abort(403, _error_message(error))
    tk.h.flash_success(tk._("The draft application is saved."))
    return _after_save(adhesion["id"], "entity")


def _after_save(adhesion_id: str, step: str) -> ResponseReturnValue:
    """'Save draft' stays on the step; 'Continue' goes to the next one."""
    target = step
    if tk.request.form.get("save") == "next":
        target = STEPS[min(STEPS.index(step) + 1, len(STEPS) - 1)]
    elif tk.request.form.get("save") == "back":
        target = STEPS[max(STEPS.index(step) - 1, 0)]
    return tk.redirect_to("dinamis_relay.adhesion_edit", id=adhesion_id, step=target)


@dinamis_relay.route("/adhesion/<id>/edit/<step>", methods=["GET", "POST"])
def adhesion_edit(id: str, step: str) -> ResponseReturnValue:
    """A step of the draft: entity, people, or summary (with the Submit button)."""
    if step not in STEPS:
        return tk.abort(404, tk._("Page not found"))
    adhesion = _adhesion(id)
    if not _can("dinamis_relay_adhesion_update", {"id": adhesion["id"]}):
        return tk.abort(403, tk._("You may not edit this adhesion"))
    if not _allowed(adhesion)["update"]:
        tk.h.flash_notice(tk._("This application is no longer a draft."))
        return tk.redirect_to("dinamis_relay.adhesion_read", id=adhesion["id"])
    group_dict = _organization(adhesion["organization_id"])

    if tk.request.method == "GET" or step == "summary":
        data = dict(adhesion)
        referent = pickers.user_label(adhesion.get("referent_user_id"))
        data["referent_user_id"] = referent["name"]
        data["referent_user_id_label"] = referent["label"]
        data["email_domains"] = ", ".join(adhesion.get("email_domains") or [])
        return _render_step(step, data, {}, group_dict=group_dict, adhesion=adhesion)

    data = _form_values(STEP_FIELDS[step])
    if data.get("referent_user_id"):
        # The picker posts the user name; a typed full name (or id) is accepted as well.
        typed = data["referent_user_id"]
        data["referent_user_id"] = pickers.user_name(typed) or typed
    if adhesion.get("mode") != "relay":
        for field in RELAY_FIELDS:
            data.pop(field, None)
    try:
        tk.get_action("dinamis_relay_adhesion_patch")(_context(), {"id": adhesion["id"], **data})
    except tk.ValidationError as error:
        shown = {**adhesion, **data}
        return _render_step(
            step, shown, _flat_errors(error), group_dict=group_dict, adhesion=adhesion, status=400
        )
    except tk.NotAuthorized as error:
        return tk.abort(403, _error_message(error))
    tk.h.flash_success(tk._("The draft application is saved."))
    return _after_save(adhesion["id"], step)


@dinamis_relay.route("/adhesion/<id>/submit", methods=["POST"])
def adhesion_submit(id: str) -> ResponseReturnValue:
    """Send the draft to the legal representative (the summary page shows what is missing)."""
    adhesion = _adhesion(id)
    try:
        tk.get_action("dinamis_relay_adhesion_submit")(_context(), {"id": adhesion["id"]})
    except tk.NotAuthorized as error:
        return tk.abort(403, _error_message(error))
    except tk.ValidationError as error:
        group_dict = _organization(adhesion["organization_id"])
        data = dict(adhesion)
        data["email_domains"] = ", ".join(adhesion.get("email_domains") or [])
        return _render_step(
            "summary",
            data,
            _flat_errors(error),
            group_dict=group_dict,
            adhesion=adhesion,
            status=400,
        )
    tk.h.flash_success(
        tk._("The application is submitted: the legal representative has been sent a link.")
    )
    return tk.redirect_to("dinamis_relay.adhesion_read", id=adhesion["id"])


@dinamis_relay.route("/adhesion/<id>/eligibility", methods=["GET", "POST"])
def adhesion_eligibility(id: str) -> ResponseReturnValue:
    """The super-referent records whether the entity is eligible (relay mode)."""
    adhesion = _adhesion(id)
    if not _allowed(adhesion)["check_eligibility"]:
        return tk.abort(403, tk._("You may not check the eligibility of this application"))
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    status = 200
    if tk.request.method == "POST":
        data = {
            "eligible": tk.request.form.get("eligible", ""),
            "note": tk.request.form.get("note", "").strip(),
        }
        if data["eligible"] not in ("true", "false"):
            errors = {"eligible": [tk._("Say whether the entity is eligible")]}
        else:
            try:
                tk.get_action("dinamis_relay_adhesion_check_eligibility")(
                    _context(), {"id": adhesion["id"], **data}
                )
            except tk.NotAuthorized as error:
                return tk.abort(403, _error_message(error))
            except tk.ValidationError as error:
                errors = _flat_errors(error)
            else:
                tk.h.flash_success(tk._("The eligibility check is recorded."))
                return tk.redirect_to(
                    "dinamis_relay.adhesion_edit", id=adhesion["id"], step="summary"
                )
        status = 400
    return tk.render(
        "dinamis_relay/adhesion/eligibility.html",
        {
            "adhesion": adhesion,
            "group_dict": _organization(adhesion["organization_id"]),
            "data": data,
            "errors": errors,
            "error_summary": _error_summary(errors),
        },
    ), status


# --- Detail page and instructor / lifecycle transitions -----------------------------------


@dinamis_relay.route("/adhesion/<id>")
def adhesion_read(id: str) -> ResponseReturnValue:
    adhesion = _adhesion(id)
    return _render_read(adhesion, {}, 200)


def _render_read(
    adhesion: dict[str, Any],
    errors: dict[str, list[str]],
    status: int,
    form: str = "",
    labels: dict[str, str] | None = None,
) -> ResponseReturnValue:
    from . import supporting_document

    summary_labels = {**field_labels(), **(labels or {})}
    return tk.render(
        "dinamis_relay/adhesion/read.html",
        {
            "adhesion": adhesion,
            "group_dict": _organization(adhesion["organization_id"]),
            "allowed": _allowed(adhesion),
            "history": _history(adhesion),
            "documents": _documents(adhesion),
            "supporting": supporting_document.listing(adhesion),
            "supporting_form": supporting_document.form_vars(),
            "labels": field_labels(),
            "errors": errors,
            "error_summary": {
                summary_labels.get(field, field): " ".join(msgs) for field, msgs in errors.items()
            },
            "failed_form": form,
            "data": dict(tk.request.form) if errors else {},
        },
    ), status


@dinamis_relay.route("/adhesion/<id>/decide", methods=["POST"])
def adhesion_decide(id: str) -> ResponseReturnValue:
    """An instructor's decision: accept, reject or return, with a reason and a reference."""
    adhesion = _adhesion(id)
    data = {
        "id": adhesion["id"],
        "decision": tk.request.form.get("decision", ""),
        "reason": tk.request.form.get("reason", "").strip(),
        "dinamis_reference": tk.request.form.get("dinamis_reference", "").strip(),
    }
    try:
        result = tk.get_action("dinamis_relay_adhesion_decide")(_context(), data)
    except tk.NotAuthorized as error:
        return tk.abort(403, _error_message(error))
    except tk.ValidationError as error:
        return _render_read(adhesion, _flat_errors(error), 400, form="decide")
    tk.h.flash_success(
        tk._("Decision recorded: {state}.").format(
            state=tk.h.dinamis_relay_label("state", result.get("state"))
        )
    )
    return _back_to(adhesion["id"])


@dinamis_relay.route("/adhesion/<id>/<transition>", methods=["POST"])
def adhesion_transition(id: str, transition: str) -> ResponseReturnValue:
    """Suspend, reinstate, terminate (instructors) or renew (applicants)."""
    if transition not in SIMPLE_TRANSITIONS:
        return tk.abort(404, tk._("Page not found"))
    adhesion = _adhesion(id)
    data = {"id": adhesion["id"]}
    reason = tk.request.form.get("reason", "").strip()
    if reason:
        # A missing required reason is refused by the action, with the field named.
        data["reason"] = reason
    try:
        result = tk.get_action(f"dinamis_relay_adhesion_{transition}")(_context(), data)
    except tk.NotAuthorized as error:
        return tk.abort(403, _error_message(error))
    except tk.ValidationError as error:
        return _render_read(adhesion, _flat_errors(error), 400, form=transition)
    if transition == "renew" and result.get("id"):
        tk.h.flash_success(tk._("A new draft application is ready for the renewal."))
        return tk.redirect_to("dinamis_relay.adhesion_edit", id=result["id"], step="entity")
    tk.h.flash_success(tk._("The application is updated."))
    return tk.redirect_to("dinamis_relay.adhesion_read", id=adhesion["id"])


def _back_to(adhesion_id: str) -> ResponseReturnValue:
    """After a decision, return to the queue the instructor came from, if any."""
    came_from = tk.request.form.get("came_from")
    if came_from == "instruction":
        return tk.redirect_to("dinamis_relay.instruction")
    return tk.redirect_to("dinamis_relay.adhesion_read", id=adhesion_id)


# --- Legal representative -----------------------------------------------------------------


def _legal_error(error: Exception) -> ResponseReturnValue:
    status = 403 if isinstance(error, tk.NotAuthorized) else 400
    return tk.render("dinamis_relay/legal/error.html", {"message": _error_message(error)}), status


@dinamis_relay.route("/legal/<token>", methods=["GET", "POST"])
def legal(token: str) -> ResponseReturnValue:
    """The legal representative reads the application and the texts, then accepts or
    declines. The signed link is the authority: no CKAN account is needed."""
    context = _context()
    try:
        summary = tk.get_action("dinamis_relay_adhesion_legal_show")(context, {"token": token})
    except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound) as error:
        return _legal_error(error)

    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {}
    if tk.request.method == "POST":
        data = {
            "token": token,
            "decision": tk.request.form.get("decision", ""),
            "comment": tk.request.form.get("comment", "").strip(),
        }
        if data["decision"] == "accept" and tk.request.form.get("read_texts") != "on":
            errors = {"read_texts": [tk._("Tick the box to confirm you have read the texts")]}
        else:
            try:
                tk.get_action("dinamis_relay_adhesion_legal_validate")(_context(), dict(data))
            except tk.NotAuthorized as error:
                return _legal_error(error)
            except tk.ValidationError as error:
                errors = _flat_errors(error)
                if "token" in errors:
                    return _legal_error(error)
            else:
                return tk.render(
                    "dinamis_relay/legal/done.html",
                    {"summary": summary, "decision": data["decision"]},
                )
    return tk.render(
        "dinamis_relay/legal/read.html",
        {
            "summary": summary,
            "adhesion": summary.get("adhesion") or summary,
            "texts": summary.get("texts") or [],
            "token": token,
            "data": data,
            "errors": errors,
            "error_summary": _error_summary(errors),
        },
    ), (400 if errors else 200)


# --- Queues ------------------------------------------------------------------------------


def _page_number() -> int:
    try:
        return max(int(tk.request.args.get("page", 1)), 1)
    except ValueError:
        return 1


def _list(filters: dict[str, Any], page: int) -> dict[str, Any]:
    data = {**filters, "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}
    try:
        return tk.get_action("dinamis_relay_adhesion_list")(_context(), data)
    except tk.ValidationError:
        return {"count": 0, "results": []}


def _pager(page: int, count: int, endpoint: str, args: dict[str, Any]) -> dict[str, Any]:
    pages = max(math.ceil(count / PAGE_SIZE), 1)

    def url(number: int) -> str:
        return tk.h.url_for(endpoint, page=number, **{k: v for k, v in args.items() if v})

    return {
        "page": page,
        "pages": pages,
        "previous": url(page - 1) if page > 1 else None,
        "next": url(page + 1) if page < pages else None,
    }


def _roles() -> dict[str, Any]:
    return tk.get_action("dinamis_relay_roles_show")(_context(), {})


@dinamis_relay.route("/instruction")
def instruction() -> ResponseReturnValue:
    """DINAMIS instructors' queue: applications awaiting a decision."""
    roles = _roles()
    if not (roles.get("instructor") or roles.get("sysadmin")):
        return tk.abort(403, tk._("Only DINAMIS instructors may see this page"))
    page = _page_number()
    result = _list({"state": PENDING_INSTRUCTION}, page)
    adhesions = result.get("results") or []
    return tk.render(
        "dinamis_relay/adhesion/instruction.html",
        {
            "adhesions": adhesions,
            "count": result.get("count", 0),
            "can_decide": {
                a["id"]: _can("dinamis_relay_adhesion_decide", {"id": a["id"]}) for a in adhesions
            },
            "pager": _pager(page, result.get("count", 0), "dinamis_relay.instruction", {}),
        },
    )


@dinamis_relay.route("/relay")
def relay() -> ResponseReturnValue:
    """The relay's view of its partners' applications, filtered by state and mode."""
    roles = _roles()
    if not (roles.get("super_referent") or roles.get("sysadmin")):
        return tk.abort(403, tk._("Only super-referents may see this page"))
    args = tk.request.args
    filters = {
        "state": args.get("state") if args.get("state") in STATES else None,
        "mode": args.get("mode") if args.get("mode") in ("classic", "relay") else None,
        "q": (args.get("q") or "").strip() or None,
    }
    page = _page_number()
    result = _list({k: v for k, v in filters.items() if v}, page)
    adhesions = result.get("results") or []
    return tk.render(
        "dinamis_relay/adhesion/relay.html",
        {
            "adhesions": adhesions,
            "count": result.get("count", 0),
            "filters": filters,
            "pager": _pager(page, result.get("count", 0), "dinamis_relay.relay", filters),
        },
    )
