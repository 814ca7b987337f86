"""Who may act on individual DINAMIS accounts: read from the lifecycle table
(lifecycle/account.py). Auth decides who; the action decides when (state)."""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ...access.roles import context_roles
from ...lifecycle.account import ACCOUNT, may_manage, may_read, may_view
from ...model import Account, Adhesion

CACHE_KEY = "_dinamis_relay_account"


def get_account(context: Context, data_dict: DataDict) -> Account:
    """The account named by data_dict["id"], loaded once per context (the action's locked
    copy when it already loaded it)."""
    account_id = (data_dict or {}).get("id")
    cached = context.get(CACHE_KEY)
    if cached is not None and cached.id == account_id:
        return cached
    account = model.Session.get(Account, account_id) if isinstance(account_id, str) else None
    if account is None:
        raise tk.ObjectNotFound(tk._("Account not found"))
    context[CACHE_KEY] = account
    return account


def _organization_id(organization: object) -> str | None:
    if not isinstance(organization, str) or not organization:
        return None
    group = model.Group.get(organization)
    if group is None or not group.is_organization:
        return None
    return group.id


def _refused(message: str) -> AuthResult:
    return {"success": False, "msg": message}


def _on_account(context: Context, data_dict: DataDict, action: str) -> AuthResult:
    account = get_account(context, data_dict)
    if ACCOUNT.may_ever(context_roles(context), account, action):
        return {"success": True}
    return _refused(tk._("You do not manage the DINAMIS accounts of this entity"))


def _on_entity(context: Context, data_dict: DataDict) -> AuthResult:
    """Creating accounts for an entity (or, without one, for the entities one manages)."""
    roles = context_roles(context)
    organization = (data_dict or {}).get("organization_id")
    if not organization:
        if roles.sysadmin or roles.super_referent or roles.referent_of:
            return {"success": True}
        return _refused(tk._("You do not manage DINAMIS accounts"))
    org_id = _organization_id(organization)
    if org_id is not None and may_manage(roles, org_id, Adhesion.current_mode(org_id)):
        return {"success": True}
    return _refused(tk._("You do not manage the DINAMIS accounts of this entity"))


def dinamis_relay_account_request(context: Context, data_dict: DataDict) -> AuthResult:
    # Any signed-in user may ask for an account for themself; the action checks the entity.
    if context_roles(context).user_id:
        return {"success": True}
    return _refused(tk._("Log in to request a DINAMIS account"))


def dinamis_relay_account_create(context: Context, data_dict: DataDict) -> AuthResult:
    return _on_entity(context, data_dict)


def dinamis_relay_account_import(context: Context, data_dict: DataDict) -> AuthResult:
    # Rows may name their own entity; the action checks each one with may_manage.
    return _on_entity(context, data_dict)


def dinamis_relay_account_validate(context: Context, data_dict: DataDict) -> AuthResult:
    return _on_account(context, data_dict, "validate")


def dinamis_relay_account_refuse(context: Context, data_dict: DataDict) -> AuthResult:
    return _on_account(context, data_dict, "refuse")


def dinamis_relay_account_suspend(context: Context, data_dict: DataDict) -> AuthResult:
    return _on_account(context, data_dict, "suspend")


def dinamis_relay_account_reactivate(context: Context, data_dict: DataDict) -> AuthResult:
    return _on_account(context, data_dict, "reactivate")


def dinamis_relay_account_close(context: Context, data_dict: DataDict) -> AuthResult:
    return _on_account(context, data_dict, "close")


def dinamis_relay_account_show(context: Context, data_dict: DataDict) -> AuthResult:
    if may_view(context_roles(context), get_account(context, data_dict)):
        return {"success": True}
    return _refused(tk._("You may not see this account"))


def dinamis_relay_account_list(context: Context, data_dict: DataDict) -> AuthResult:
    # Signed-in users; the action restricts the rows to those they may read (their own
    # accounts at least). Naming an entity one may not read is refused.
    roles = context_roles(context)
    if not roles.user_id:
        return _refused(tk._("Log in to see DINAMIS accounts"))
    organization = (data_dict or {}).get("organization_id")
    if organization and not (data_dict or {}).get("mine"):
        org_id = _organization_id(organization)
        if org_id is None or not may_read(roles, org_id, Adhesion.current_mode(org_id)):
            return _refused(tk._("You may not see the DINAMIS accounts of this entity"))
    return {"success": True}


def dinamis_relay_account_expire(context: Context, data_dict: DataDict) -> AuthResult:
    # Sysadmins only (they pass before this runs): it is run by `ckan dinamis-relay expire`.
    return _refused(tk._("Only sysadmins run the expiry"))
