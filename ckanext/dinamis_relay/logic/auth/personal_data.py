"""Who may see and erase personal data: the person (their own export) and sysadmins.

Sysadmins pass every CKAN auth function, so only the person's own case is allowed here;
super-referents, instructors and referents, who see people's data in their work, may not
export or erase anyone's.
"""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict


def _sysadmins_only(message: str) -> AuthResult:
    return {"success": False, "msg": message}


def dinamis_relay_personal_data_register(context: Context, data_dict: DataDict) -> AuthResult:
    return _sysadmins_only(tk._("Only sysadmins may see the register of personal data"))


def dinamis_relay_personal_data_export(context: Context, data_dict: DataDict) -> AuthResult:
    """The person for themself (no `user`, or their own id or name)."""
    caller = model.User.get(context.get("user") or "") if context.get("user") else None
    if caller is None or caller.state != "active":
        return {"success": False, "msg": tk._("Log in to export your personal data")}
    wanted = (data_dict or {}).get("user")
    if not wanted or wanted in (caller.id, caller.name):
        return {"success": True}
    return {"success": False, "msg": tk._("You may export only your own personal data")}


def dinamis_relay_personal_data_erase(context: Context, data_dict: DataDict) -> AuthResult:
    return _sysadmins_only(tk._("Only sysadmins may erase a person's data"))


def dinamis_relay_personal_data_purge_expired(context: Context, data_dict: DataDict) -> AuthResult:
    return _sysadmins_only(tk._("Only sysadmins may apply the retention periods"))
