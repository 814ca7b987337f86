"""Who sees the global view: super-referents, DINAMIS instructors and sysadmins see every
entity; an entity referent sees the entities they are referent of; nobody else. The public
statistics are open to all."""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ...access.roles import context_roles


def sees_everything(context: Context) -> bool:
    roles = context_roles(context)
    return roles.is_super_referent or roles.is_instructor


@tk.auth_disallow_anonymous_access
def dinamis_relay_dashboard(context: Context, data_dict: DataDict) -> AuthResult:
    roles = context_roles(context)
    if roles.is_super_referent or roles.is_instructor:
        return {"success": True}
    if not roles.referent_of:
        return {
            "success": False,
            "msg": tk._(
                "Only super-referents, DINAMIS instructors and entity referents may "
                "see the dashboard"
            ),
        }
    wanted = (data_dict or {}).get("organization_id")
    if wanted:
        group = model.Group.get(wanted) if isinstance(wanted, str) else None
        if group is None or group.id not in roles.referent_of:
            return {"success": False, "msg": tk._("You are not the referent of this entity")}
    return {"success": True}


@tk.auth_disallow_anonymous_access
def dinamis_relay_dashboard_export(context: Context, data_dict: DataDict) -> AuthResult:
    return dinamis_relay_dashboard(context, data_dict)


@tk.auth_allow_anonymous_access
def dinamis_relay_stats(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}
