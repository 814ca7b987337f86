"""Individual account pages: request, my accounts, validator queue, entity and relay lists,
creation on behalf and CSV import. Every page calls the account actions, which decide."""

from __future__ import annotations

import math
from typing import Any

import ckan.plugins.toolkit as tk
from flask.typing import ResponseReturnValue

from ..lifecycle.account import ACCOUNT
from ..model.account import STATES
from . import action_context as _context
from . import dinamis_relay, pickers

PAGE_SIZE = 20
PROFILE_FIELDS = ("job_title", "department", "phone", "intended_use")
# Transitions posted from the account page and the queue: action → reason required.
# Transition name → the action that applies it, from the lifecycle table (renewing an
# expired account is `account_reactivate`). The page's buttons are the account's `actions`.
TRANSITIONS = {t.name: t.action for t in ACCOUNT.transitions if not t.automatic}


def _require_login() -> None:
    if not tk.current_user.is_authenticated:
        tk.abort(403, tk._("Log in to manage DINAMIS accounts"))


def _errors(error: tk.ValidationError) -> dict[str, list[str]]:
    return {
        field: [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]
        for field, messages in (error.error_dict or {}).items()
    }


def _can(action: str, data_dict: dict[str, Any]) -> bool:
    try:
        tk.check_access(action, _context(), data_dict)
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def _form() -> dict[str, Any]:
    return {key: value for key, value in tk.request.form.items() if key != "_csrf_token"}


def _pages(result: dict[str, Any], page: int) -> dict[str, Any]:
    return {
        "page": page,
        "pages": max(1, math.ceil(result["count"] / PAGE_SIZE)),
        "count": result["count"],
    }


def _filters() -> dict[str, Any]:
    args = tk.request.args
    filters = {
        key: args[key].strip()
        for key in ("organization_id", "state", "q")
        if args.get(key, "").strip()
    }
    if filters.get("state") not in (None, *STATES):
        filters.pop("state")
    if args.get("mismatch") in ("1", "true"):
        filters["email_domain_mismatch"] = True
    return filters


def _page_number() -> int:
    """The page asked for in the query string (1 when it is not a sane page number)."""
    value = tk.request.args.get("page", "1").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 7:
        return 1
    return max(1, int(value))


@dinamis_relay.route("/account/request", methods=["GET", "POST"])
def account_request() -> ResponseReturnValue:
    """The person asks for an account with an entity."""
    _require_login()
    data: dict[str, Any] = {"organization_id": tk.request.args.get("organization", "")}
    errors: dict[str, list[str]] = {}
    if tk.request.method == "POST":
        data = _form()
        data["accept_terms"] = data.get("accept_terms") == "on"
        # The picker posts the name; a typed title (or id) is accepted as well.
        typed = data.get("organization_id", "")
        data["organization_id"] = pickers.organization_name(typed) or typed
        try:
            account = tk.get_action("dinamis_relay_account_request")(_context(), data)
        except tk.ValidationError as error:
            errors = _errors(error)
        else:
            tk.h.flash_success(tk._("Your request was sent to the validator of the entity."))
            return tk.redirect_to("dinamis_relay.account_read", id=account["id"])
    return tk.render(
        "dinamis_relay/account/request.html",
        {
            "data": data,
            "errors": errors,
            "organization_label": pickers.organization_label(data.get("organization_id")),
            "terms_version": tk.config.get("ckanext.dinamis_relay.account_terms_version"),
        },
    )


@dinamis_relay.route("/account/mine")
def account_mine() -> ResponseReturnValue:
    """My DINAMIS accounts."""
    _require_login()
    result = tk.get_action("dinamis_relay_account_list")(_context(), {"mine": True, "limit": 100})
    return tk.render("dinamis_relay/account/mine.html", {"accounts": result["results"]})


@dinamis_relay.route("/account/queue")
def account_queue() -> ResponseReturnValue:
    """Requests waiting for the current user's decision, validated or refused in one step."""
    _require_login()
    page = _page_number()
    result = tk.get_action("dinamis_relay_account_list")(
        _context(),
        {
            "state": "requested",
            "manageable": True,
            "offset": (page - 1) * PAGE_SIZE,
            "limit": PAGE_SIZE,
        },
    )
    return tk.render(
        "dinamis_relay/account/queue.html",
        {"accounts": result["results"], **_pages(result, page)},
    )


@dinamis_relay.route("/account/list")
def account_list() -> ResponseReturnValue:
    """Accounts of an entity (organization_id), or all those the user may see: for a
    super-referent, every partner of the relay."""
    _require_login()
    filters = _filters()
    page = _page_number()
    try:
        result = tk.get_action("dinamis_relay_account_list")(
            _context(), {**filters, "offset": (page - 1) * PAGE_SIZE, "limit": PAGE_SIZE}
        )
    except tk.NotAuthorized:
        return tk.abort(403, tk._("You may not see the DINAMIS accounts of this entity"))
    except tk.ValidationError:
        return tk.abort(400, tk._("Wrong filters"))
    organization = None
    if filters.get("organization_id"):
        try:
            organization = tk.get_action("organization_show")(
                _context(), {"id": filters["organization_id"], "include_users": False}
            )
        except (tk.ObjectNotFound, tk.NotAuthorized):
            return tk.abort(404, tk._("Organization not found"))
    return tk.render(
        "dinamis_relay/account/list.html",
        {
            "accounts": result["results"],
            "filters": filters,
            "states": STATES,
            "organization": organization,
            "can_create": _can(
                "dinamis_relay_account_create",
                {"organization_id": filters.get("organization_id")},
            ),
            **_pages(result, page),
        },
    )


@dinamis_relay.route("/account/<id>")
def account_read(id: str) -> ResponseReturnValue:
    _require_login()
    try:
        account = tk.get_action("dinamis_relay_account_show")(_context(), {"id": id})
    except (tk.ObjectNotFound, tk.ValidationError):
        return tk.abort(404, tk._("Account not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("You may not see this account"))
    return tk.render("dinamis_relay/account/read.html", {"account": account})


@dinamis_relay.route("/account/<id>/<transition>", methods=["POST"])
def account_transition(id: str, transition: str) -> ResponseReturnValue:
    """validate / refuse (with reason) / suspend / reactivate / close, from the account page
    or the queue (`came_from=queue` returns there)."""
    _require_login()
    if transition not in TRANSITIONS or transition in ("request", "create"):
        return tk.abort(404, tk._("Unknown action"))
    data = {"id": id}
    reason = tk.request.form.get("reason", "").strip()
    if reason:
        # A missing required reason is refused by the action, with the field named.
        data["reason"] = reason
    try:
        tk.get_action(f"dinamis_relay_account_{TRANSITIONS[transition]}")(_context(), data)
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Account not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("You do not manage the DINAMIS accounts of this entity"))
    except tk.ValidationError as error:
        for messages in _errors(error).values():
            for message in messages:
                tk.h.flash_error(message)
    else:
        tk.h.flash_success(tk._("Done."))
    if tk.request.form.get("came_from") == "queue":
        return tk.redirect_to("dinamis_relay.account_queue")
    return tk.redirect_to("dinamis_relay.account_read", id=id)


@dinamis_relay.route("/account/new", methods=["GET", "POST"])
def account_new() -> ResponseReturnValue:
    """A referent or super-referent opens an account on behalf of a person."""
    _require_login()
    organization = tk.request.args.get("organization", "")
    if not _can("dinamis_relay_account_create", {"organization_id": organization}):
        return tk.abort(403, tk._("You do not manage DINAMIS accounts"))
    data: dict[str, Any] = {"organization_id": organization}
    errors: dict[str, list[str]] = {}
    if tk.request.method == "POST":
        data = _form()
        try:
            account = tk.get_action("dinamis_relay_account_create")(_context(), data)
        except tk.NotAuthorized:
            errors = {"organization_id": [tk._("You do not manage this entity's accounts")]}
        except tk.ValidationError as error:
            errors = _errors(error)
        else:
            tk.h.flash_success(tk._("The account is open."))
            return tk.redirect_to("dinamis_relay.account_read", id=account["id"])
    return tk.render("dinamis_relay/account/new.html", {"data": data, "errors": errors})


@dinamis_relay.route("/account/import", methods=["GET", "POST"])
def account_import() -> ResponseReturnValue:
    """Bulk import from a CSV file: all rows or none."""
    _require_login()
    organization = tk.request.values.get("organization_id", "")
    if not _can("dinamis_relay_account_import", {"organization_id": organization}):
        return tk.abort(403, tk._("You do not manage DINAMIS accounts"))
    errors: dict[str, list[str]] = {}
    result = None
    if tk.request.method == "POST":
        data: dict[str, Any] = {
            "organization_id": organization,
            "upload": tk.request.files.get("upload"),
            "dry_run": tk.request.form.get("dry_run") == "on",
        }
        try:
            result = tk.get_action("dinamis_relay_account_import")(_context(), data)
        except tk.NotAuthorized:
            errors = {"organization_id": [tk._("You do not manage this entity's accounts")]}
        except tk.ValidationError as error:
            errors = _errors(error)
        else:
            if not result["dry_run"]:
                created = result["created"]
                tk.h.flash_success(
                    tk.ungettext("{n} account created.", "{n} accounts created.", created).format(
                        n=created
                    )
                )
    return tk.render(
        "dinamis_relay/account/import.html",
        {"organization_id": organization, "errors": errors, "result": result},
    )
