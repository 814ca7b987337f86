"""Personal data pages: "Mes données" (a person's own data, downloadable as JSON) and the
register for sysadmins."""

from __future__ import annotations

import json

import ckan.plugins.toolkit as tk
from flask import Response
from flask.typing import ResponseReturnValue

from . import action_context as _context
from . import dinamis_relay


def _export(user: str | None) -> dict:
    return tk.get_action("dinamis_relay_personal_data_export")(
        _context(), {"user": user} if user else {}
    )


@dinamis_relay.route("/my-data")
def personal_data_mine() -> ResponseReturnValue:
    """What the plugin holds about the caller, kind by kind, with a JSON download."""
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=tk.request.full_path)
    try:
        data = _export(None)
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    from ..personal_data.register import KINDS

    kinds = [(kind.key, tk._(kind.title), len(data[kind.key])) for kind in KINDS]
    return tk.render("dinamis_relay/personal_data/mine.html", {"data": data, "kinds": kinds})


@dinamis_relay.route("/my-data.json")
def personal_data_download() -> ResponseReturnValue:
    """The export as a JSON file; sysadmins may name another person (`?user=`)."""
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=tk.request.full_path)
    user = tk.request.args.get("user")
    try:
        data = _export(user)
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    except tk.ValidationError as error:
        return tk.abort(404, "; ".join(error.error_dict.get("user") or []))
    name = data["user"]["name"]
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="dinamis-{name}-data.json"'},
    )


@dinamis_relay.route("/personal-data")
def personal_data_register() -> ResponseReturnValue:
    """The register of personal data (sysadmins)."""
    try:
        register = tk.get_action("dinamis_relay_personal_data_register")(_context(), {})
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    return tk.render("dinamis_relay/personal_data/register.html", {"register": register})
