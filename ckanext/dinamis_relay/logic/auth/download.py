"""Who may record and read downloads of DINAMIS resources."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ...access import visibility
from ...access.roles import context_roles


def dinamis_relay_download_record(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may read the resource: CKAN's resource_show, through the permission labels."""
    try:
        tk.check_access("resource_show", context, {"id": (data_dict or {}).get("id")})
    except tk.NotAuthorized:
        return {"success": False, "msg": tk._("You may not download this resource")}
    # Seeing a dataset is not using it when its metadata is public ("metadata" visibility).
    if not visibility.may_use_resource(dict(context), (data_dict or {}).get("id")):
        return {"success": False, "msg": visibility.call_to_action()}
    return {"success": True}


def dinamis_relay_download_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Super-referents and sysadmins: all; a referent: their entities; anyone: their own."""
    roles = context_roles(context)
    if not roles.user_id:
        return {"success": False, "msg": tk._("Log in to see downloads")}
    if roles.is_super_referent:
        return {"success": True}
    data_dict = data_dict or {}
    organization_id = data_dict.get("organization_id")
    if organization_id and organization_id not in roles.referent_of:
        return {"success": False, "msg": tk._("You may not see this entity's downloads")}
    user_id = data_dict.get("user_id")
    if user_id and user_id != roles.user_id and not roles.referent_of:
        return {"success": False, "msg": tk._("You may not see this person's downloads")}
    return {"success": True}
