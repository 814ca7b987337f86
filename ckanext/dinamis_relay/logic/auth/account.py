"""Who may act on individual DINAMIS accounts.

- In `classic` mode the entity referent validates and manages the entity's accounts; in
  `relay` mode the super-referents do (DOMAIN.md, "Individual accounts"). Sysadmins always may.
- DINAMIS instructors and the entity referent (in either mode) may read the entity's accounts.
- The person may read and close their own account.
"""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.types import AuthResult, Context, DataDict

from ...model import Account, Adhesion
from ...roles import Roles, context_roles


def current_adhesion(organization_id: str) -> Adhesion | None:
    return model.Session.execute(
        sa.select(Adhesion).where(
            Adhesion.organization_id == organization_id, Adhesion.is_current.is_(True)
        )
    ).scalar_one_or_none()


def may_manage(roles: Roles, adhesion: Adhesion | None) -> bool:
    """May validate, refuse, create, suspend, reactivate and close the entity's accounts."""
    if roles.sysadmin:
        return True
    if adhesion is None:
        return False
    if adhesion.mode == "relay":
        return roles.super_referent
    return adhesion.organization_id in roles.referent_of


def may_read(roles: Roles, adhesion: Adhesion | None) -> bool:
    """May see the entity's accounts (the person always sees their own)."""
    if roles.sysadmin or roles.instructor:
        return True
    if adhesion is not None and adhesion.organization_id in roles.referent_of:
        return True
    return may_manage(roles, adhesion)


def may_manage_some(roles: Roles) -> bool:
    """Holds a role that manages accounts of at least some entity (forms without an entity)."""
    return roles.sysadmin or roles.super_referent or bool(roles.referent_of)


def _organization_id(organization: str | None) -> str | None:
    if not organization:
        return None
    group = model.Group.get(organization)
    if group is None or not group.is_organization:
        return None
    return group.id


def get_account(context: Context, data_dict: DataDict) -> Account:
    """The account named by data_dict["id"], loaded once per context."""
    account_id = (data_dict or {}).get("id")
    cached = context.get("_dinamis_relay_account")
    if cached is not None and cached.id == account_id:
        return cached
    account = model.Session.get(Account, account_id) if isinstance(account_id, str) else None
    if account is None:
        raise tk.ObjectNotFound(tk._("Account not found"))
    context["_dinamis_relay_account"] = account
    return account


def _refused(message: str) -> AuthResult:
    return {"success": False, "msg": message}


def _on_account(context: Context, data_dict: DataDict, *, owner_may: bool) -> AuthResult:
    roles = context_roles(context)
    account = get_account(context, data_dict)
    if owner_may and roles.user_id == account.user_id:
        return {"success": True}
    if may_manage(roles, current_adhesion(account.organization_id)):
        return {"success": True}
    return _refused(tk._("You do not manage the DINAMIS accounts of this entity"))


def _on_entity(context: Context, data_dict: DataDict) -> AuthResult:
    """Creating accounts for an entity (or, without one, for the entities one manages)."""
    roles = context_roles(context)
    organization = (data_dict or {}).get("organization_id")
    if not organization:
        if may_manage_some(roles):
            return {"success": True}
        return _refused(tk._("You do not manage DINAMIS accounts"))
    org_id = _organization_id(organization)
    if org_id is not None and may_manage(roles, current_adhesion(org_id)):
        return {"success": True}
    return _refused(tk._("You do not manage the DINAMIS accounts of this entity"))


def dinamis_relay_account_request(context: Context, data_dict: DataDict) -> AuthResult:
    # Any logged-in user may ask for an account for themself (anonymous users are refused
    # by CKAN before this runs); the action checks the entity's adhesion.
    return {"success": True}


def dinamis_relay_account_create(context: Context, data_dict: DataDict) -> AuthResult:
    return _on_entity(context, data_dict)


def dinamis_relay_account_import(context: Context, data_dict: DataDict) -> AuthResult:
    # Rows may name their own entity; the action checks each one with may_manage.
    return _on_entity(context, data_dict)


def dinamis_relay_account_validate(context: Context, data_dict: DataDict) -> AuthResult:
    return _on_account(context, data_dict, owner_may=False)


def dinamis_relay_account_refuse(context: Context, data_dict: DataDict) -> AuthResult:
    return _on_account(context, data_dict, owner_may=False)


def dinamis_relay_account_suspend(context: Context, data_dict: DataDict) -> AuthResult:
    return _on_account(context, data_dict, owner_may=False)


def dinamis_relay_account_reactivate(context: Context, data_dict: DataDict) -> AuthResult:
    return _on_account(context, data_dict, owner_may=False)


def dinamis_relay_account_close(context: Context, data_dict: DataDict) -> AuthResult:
    # The person may give up their own account.
    return _on_account(context, data_dict, owner_may=True)


def dinamis_relay_account_show(context: Context, data_dict: DataDict) -> AuthResult:
    roles = context_roles(context)
    account = get_account(context, data_dict)
    if roles.user_id == account.user_id:
        return {"success": True}
    if may_read(roles, current_adhesion(account.organization_id)):
        return {"success": True}
    return _refused(tk._("You may not see this account"))


def dinamis_relay_account_list(context: Context, data_dict: DataDict) -> AuthResult:
    # Every logged-in user may list; the action restricts the rows to those they may read
    # (their own accounts at least). Naming an entity one may not read is refused.
    organization = (data_dict or {}).get("organization_id")
    if organization and not (data_dict or {}).get("mine"):
        roles = context_roles(context)
        org_id = _organization_id(organization)
        if org_id is None or not may_read(roles, current_adhesion(org_id)):
            return _refused(tk._("You may not see the DINAMIS accounts of this entity"))
    return {"success": True}


def dinamis_relay_account_expire(context: Context, data_dict: DataDict) -> AuthResult:
    # Sysadmins only (they pass before this runs): it is run by `ckan dinamis-relay expire`.
    return {"success": False}
