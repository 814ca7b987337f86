"""Who may do what with new imagery requests: read from the lifecycle table
(lifecycle/imagery.py), which says who plays which part. Auth decides who; the action
decides when (state)."""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ...access import active_account_org_ids
from ...access.roles import Roles, context_roles
from ...lifecycle.imagery import IMAGERY, is_staff, may_read
from ...model import ImageryRequest


def get_request(context: Context, data_dict: DataDict) -> ImageryRequest:
    """The request named by data_dict["id"], loaded once per context."""
    request_id = (data_dict or {}).get("id")
    cached = context.get("_dinamis_relay_imagery")
    if cached is not None and cached.id == request_id:
        return cached
    found = model.Session.get(ImageryRequest, request_id) if isinstance(request_id, str) else None
    if found is None:
        raise tk.ObjectNotFound(tk._("Imagery request not found"))
    context["_dinamis_relay_imagery"] = found
    return found


def _no(message: str) -> AuthResult:
    return {"success": False, "msg": message}


def _needs_account() -> AuthResult:
    return _no(
        tk._(
            "You need an active DINAMIS account with an entity whose adhesion is accepted "
            "to request imagery."
        )
    )


def _roles(context: Context) -> Roles:
    return context_roles(context)


def dinamis_relay_imagery_request_create(context: Context, data_dict: DataDict) -> AuthResult:
    roles = _roles(context)
    organizations = active_account_org_ids(roles.user_id)
    wanted = (data_dict or {}).get("organization_id")
    if wanted:
        # API clients may name the entity by name or by id.
        group = model.Group.get(wanted)
        wanted = group.id if group is not None else wanted
    if not organizations or (wanted and wanted not in organizations):
        return _needs_account()
    return {"success": True}


def _requester_with_account(context: Context, data_dict: DataDict, action: str) -> AuthResult:
    roles = _roles(context)
    request = get_request(context, data_dict)
    if roles.user_id != request.user_id:
        return _no(tk._("Only the requester may change this request"))
    if not IMAGERY.may_ever(roles, request, action):
        return _needs_account()
    return {"success": True}


def dinamis_relay_imagery_request_update(context: Context, data_dict: DataDict) -> AuthResult:
    return _requester_with_account(context, data_dict, "update")


def dinamis_relay_imagery_request_submit(context: Context, data_dict: DataDict) -> AuthResult:
    return _requester_with_account(context, data_dict, "submit")


def dinamis_relay_imagery_request_transition(context: Context, data_dict: DataDict) -> AuthResult:
    """Whether the user plays a part allowed to apply `transition` (any transition when not
    given); whether the current state allows it is the action's business."""
    roles = _roles(context)
    request = get_request(context, data_dict)
    name = (data_dict or {}).get("transition")
    rules = [t for t in IMAGERY.for_action("transition") if not name or t.name == name]
    if any(t.allows(roles, request) for t in rules):
        return {"success": True}
    return _no(tk._("You may not change the state of this request"))


def dinamis_relay_imagery_request_comment(context: Context, data_dict: DataDict) -> AuthResult:
    roles = _roles(context)
    request = get_request(context, data_dict)
    if not may_read(roles, request):
        return _no(tk._("You may not comment on this request"))
    if tk.asbool((data_dict or {}).get("internal")) and not is_staff(roles, request):
        return _no(tk._("Only the relay, the referent and DINAMIS write internal notes"))
    return {"success": True}


def dinamis_relay_imagery_request_show(context: Context, data_dict: DataDict) -> AuthResult:
    if may_read(_roles(context), get_request(context, data_dict)):
        return {"success": True}
    return _no(tk._("You may not see this request"))


def dinamis_relay_imagery_request_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user; the action only lists what they may read."""
    if not _roles(context).user_id:
        return _no(tk._("Log in to see imagery requests"))
    return {"success": True}
