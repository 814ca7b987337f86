"""Super-referents manage `member` capacity of relay-mode organizations with CKAN's own
member pages and API, and never more: granting or touching admin or editor stays with the
organization's admins."""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.types import AuthFunction, AuthResult, Context, DataDict

from ...roles import context_roles
from .account import current_adhesion


def _capacity(user_ref: str, organization_id: str) -> str | None:
    user = model.User.get(user_ref)
    if user is None:
        return None
    return model.Session.execute(
        sa.select(model.Member.capacity).where(
            model.Member.table_name == "user",
            model.Member.table_id == user.id,
            model.Member.group_id == organization_id,
            model.Member.state == "active",
        )
    ).scalar()


def super_referent_grant(
    context: Context, organization: str | None, user: str | None, capacity: str | None
) -> AuthResult | None:
    """Decision for a super-referent on a relay-mode organization; None when it does not
    apply (not a super-referent, not a relay-mode organization)."""
    roles = context_roles(context)
    if not roles.super_referent or not organization:
        return None
    group = model.Group.get(organization)
    if group is None or not group.is_organization:
        return None
    adhesion = current_adhesion(group.id)
    if adhesion is None or adhesion.mode != "relay":
        return None
    if capacity not in (None, "", "member"):
        return {
            "success": False,
            "msg": tk._("Super-referents may only grant the member capacity"),
        }
    if user and _capacity(user, group.id) not in (None, "member"):
        return {
            "success": False,
            "msg": tk._("Super-referents may not change an admin or editor"),
        }
    return {"success": True}


def _or_super_referent(
    result: AuthResult,
    context: Context,
    organization: str | None,
    user: str | None,
    capacity: str | None,
) -> AuthResult:
    if result.get("success"):
        return result
    return super_referent_grant(context, organization, user, capacity) or result


@tk.chained_auth_function
def member_create(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    # Also decides member_delete, whose core auth asks member_create (without a capacity).
    result = next_auth(context, data_dict)
    if data_dict.get("object_type") != "user":
        return result
    return _or_super_referent(
        result, context, data_dict.get("id"), data_dict.get("object"), data_dict.get("capacity")
    )


@tk.chained_auth_function
def organization_member_create(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    result = next_auth(context, data_dict)
    return _or_super_referent(
        result, context, data_dict.get("id"), data_dict.get("username"), data_dict.get("role")
    )


@tk.chained_auth_function
def group_edit_permissions(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    # Opens CKAN's "manage members" page of relay-mode organizations to super-referents.
    result = next_auth(context, data_dict)
    return _or_super_referent(result, context, data_dict.get("id"), None, None)


@tk.chained_auth_function
def user_invite(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    # Inviting by email from the member page: a new user, so only the capacity matters.
    result = next_auth(context, data_dict)
    return _or_super_referent(
        result, context, data_dict.get("group_id"), None, data_dict.get("role")
    )


__all__ = ["group_edit_permissions", "member_create", "organization_member_create", "user_invite"]
