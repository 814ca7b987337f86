"""Who may search the coverage of an area and answer a request "covered by the archive"."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ...access.roles import context_roles


def dinamis_relay_coverage(context: Context, data_dict: DataDict) -> AuthResult:
    """Signed-in users; the action only considers datasets they may see."""
    if not context_roles(context).user_id:
        return {"success": False, "msg": tk._("Log in to search the imagery coverage")}
    return {"success": True}


def dinamis_relay_coverage_answer(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may answer the request: its first-level reviewer (or a sysadmin)."""
    try:
        tk.check_access(
            "dinamis_relay_imagery_request_transition",
            context,
            {"id": (data_dict or {}).get("id"), "transition": "answer"},
        )
    except tk.NotAuthorized:
        return {"success": False, "msg": tk._("You may not answer this request")}
    return {"success": True}
