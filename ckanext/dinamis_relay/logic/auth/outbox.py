"""The outbox is the site's plumbing: sysadmins only (they pass every auth function)."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict


def dinamis_relay_outbox_status(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": False, "msg": tk._("Only sysadmins may see the outbox")}


def dinamis_relay_outbox_sweep(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": False, "msg": tk._("Only sysadmins may sweep the outbox")}


@tk.auth_disallow_anonymous_access
def dinamis_relay_mail_preference_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone logged in, for themselves (the action checks whose preference it is)."""
    return {"success": True}


@tk.auth_disallow_anonymous_access
def dinamis_relay_mail_preference_update(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone logged in, for themselves (the action checks whose preference it is)."""
    return {"success": True}


def dinamis_relay_digest_send(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": False, "msg": tk._("Only sysadmins may send the digests")}
