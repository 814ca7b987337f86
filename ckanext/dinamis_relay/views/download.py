"""Downloading DINAMIS resources through the plugin, so that each download is recorded, and
the list of recorded downloads."""

from __future__ import annotations

import math
from typing import Any

import ckan.plugins.toolkit as tk
from flask.typing import ResponseReturnValue

from . import action_context as _context
from . import dinamis_relay

PAGE_SIZE = 50


@dinamis_relay.route("/download/<resource_id>")
def download(resource_id: str) -> ResponseReturnValue:
    """Check access, record the download, then hand over to the file: CKAN's own download
    route for uploaded files (which checks access again), the resource URL otherwise."""
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=tk.request.full_path)
    try:
        result = tk.get_action("dinamis_relay_download_record")(_context(), {"id": resource_id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Resource not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("You may not download this resource"))
    except tk.ValidationError:
        return tk.abort(400, tk._("Bad resource id"))
    resource = result["resource"]
    if resource.get("url_type") == "upload":
        return tk.redirect_to(
            "resource.download", id=result["dataset_id"], resource_id=resource["id"]
        )
    url = resource.get("url") or ""
    if not tk.h.is_url(url):
        return tk.abort(404, tk._("This resource has no file to download"))
    return tk.redirect_to(url)


@dinamis_relay.route("/downloads")
def download_list() -> ResponseReturnValue:
    """Recorded downloads the caller may see (own, entity's, or all for the relay)."""
    page = max(tk.h.get_page_number(tk.request.args), 1)
    data: dict[str, Any] = {"limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}
    for key in ("organization_id", "user_id", "dataset_id", "since", "until"):
        if tk.request.args.get(key):
            data[key] = tk.request.args[key]
    try:
        result = tk.get_action("dinamis_relay_download_list")(_context(), data)
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    except tk.ValidationError as error:
        return tk.abort(400, str(error.error_dict))
    return tk.render(
        "dinamis_relay/imagery/downloads.html",
        {
            "result": result,
            "filters": {k: tk.request.args.get(k, "") for k in ("since", "until")},
            "page": page,
            "pages": max(1, math.ceil(result["count"] / PAGE_SIZE)),
        },
    )
