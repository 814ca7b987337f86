"""The reviewer's one-step answer "covered by the archive" from an imagery request's page.

The coverage itself is part of `imagery_request_show` (the request page) and of the
`dinamis_relay_coverage` action, which the request form's map calls for the footprints.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask.typing import ResponseReturnValue

from ..access import visibility
from . import dinamis_relay


@dinamis_relay.route("/imagery/<id>/coverage-answer", methods=["POST"])
def coverage_answer(id: str) -> ResponseReturnValue:
    context = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    data = {
        "id": id,
        "dataset_ids": tk.request.form.getlist("dataset_ids"),
        "comment": tk.request.form.get("comment", "").strip(),
    }
    if not data["comment"]:
        data.pop("comment")
    try:
        tk.get_action("dinamis_relay_coverage_answer")(context, data)
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Imagery request not found"))
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error) or tk._("Not authorized"))
    except tk.ValidationError as error:
        messages = [
            " ".join(map(str, m)) if isinstance(m, list) else str(m)
            for m in (error.error_dict or {}).values()
        ]
        tk.h.flash_error(" ".join(messages))
        return tk.redirect_to("dinamis_relay.imagery_read", id=id)
    tk.h.flash_success(tk._("The request was answered: covered by the archive."))
    return tk.redirect_to("dinamis_relay.imagery_read", id=id)


@dinamis_relay.before_app_request
def _refuse_restricted_downloads() -> ResponseReturnValue | None:
    """CKAN's own download routes serve uploaded files to whoever may see the dataset: a
    discoverable DINAMIS dataset ("metadata" visibility) is seen by all, used by few."""
    endpoint = tk.request.endpoint or ""
    if not endpoint.endswith("resource.download"):
        return None
    resource_id = (tk.request.view_args or {}).get("resource_id")
    context = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    if visibility.may_use_resource(context, resource_id):
        return None
    return tk.abort(403, visibility.call_to_action())
