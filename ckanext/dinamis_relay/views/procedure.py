"""Pages of the procedure additions (issue 15): the public "already an adherent?" check and
the quota consumption per entity. Both call the actions, which decide."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context
from flask.typing import ResponseReturnValue

from .. import labels
from . import dinamis_relay


def _context() -> Context:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


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
