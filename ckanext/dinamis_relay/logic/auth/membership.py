"""Super-referents manage the `member` capacity of their partners with CKAN's own member
pages and API, and never more.

The power holds only on an organization whose current adhesion is in relay mode **and**
accepted within its validity — never on the relay's or DINAMIS's own organization, never to
grant or touch admin or editor, never with an empty capacity. Anything else is left to
CKAN's own decision.
"""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.types import AuthFunction, AuthResult, Context, DataDict

from ...access.roles import context_roles, staff_organization_ids
from ...model import Adhesion

MEMBER = "member"


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


def partner_organization(context: Context, organization: object) -> model.Group | None:
    """The organization if the caller is a super-referent and it is one of the relay's
    partners with an accepted adhesion; otherwise None (the power does not apply)."""
    if not context_roles(context).super_referent or not isinstance(organization, str):
        return None
    group = model.Group.get(organization)
    if group is None or not group.is_organization or group.state != "active":
        return None
    if group.id in staff_organization_ids():
        return None
    adhesion = Adhesion.current_for(group.id)
    if adhesion is None or adhesion.mode != "relay" or not adhesion.within_validity():
        return None
    return group


def super_referent_grant(
    context: Context,
    organization: object,
    user: object,
    capacity: object,
    *,
    removing: bool = False,
) -> AuthResult | None:
    """Decision for a super-referent on a partner organization; None when the power does
    not apply. Granting needs exactly the `member` capacity; removing (no capacity) only
    touches members."""
    group = partner_organization(context, organization)
    if group is None:
        return None
    if not (removing and capacity is None) and capacity != MEMBER:
        return {"success": False, "msg": tk._("Super-referents may only grant the member capacity")}
    if isinstance(user, str) and user and _capacity(user, group.id) not in (None, MEMBER):
        return {"success": False, "msg": tk._("Super-referents may not change an admin or editor")}
    return {"success": True}


def _or_super_referent(
    result: AuthResult,
    context: Context,
    organization: object,
    user: object,
    capacity: object,
    removing: bool = False,
) -> AuthResult:
    if result.get("success"):
        return result
    return super_referent_grant(context, organization, user, capacity, removing=removing) or result


@tk.chained_auth_function
def member_create(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    result = next_auth(context, data_dict)
    if data_dict.get("object_type") != "user":
        return result
    return _or_super_referent(
        result, context, data_dict.get("id"), data_dict.get("object"), data_dict.get("capacity")
    )


@tk.chained_auth_function
def member_delete(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    # Core's member_delete asks member_create without a capacity: removing is decided here.
    result = next_auth(context, data_dict)
    if data_dict.get("object_type") != "user":
        return result
    return _or_super_referent(
        result, context, data_dict.get("id"), data_dict.get("object"), None, removing=True
    )


@tk.chained_auth_function
def organization_member_create(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    # Without a role it is CKAN's member pages asking whether to show the form; the
    # membership itself is then decided by member_create, which needs `member` exactly.
    result = next_auth(context, data_dict)
    role = data_dict.get("role")
    return _or_super_referent(
        result,
        context,
        data_dict.get("id"),
        data_dict.get("username"),
        MEMBER if role is None else role,
    )


@tk.chained_auth_function
def group_edit_permissions(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    # Opens CKAN's "manage members" page of partner organizations to super-referents.
    result = next_auth(context, data_dict)
    if result.get("success") or partner_organization(context, data_dict.get("id")) is None:
        return result
    return {"success": True}


@tk.chained_auth_function
def user_invite(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    # Inviting by email from the member page: a new user, so only the capacity matters.
    result = next_auth(context, data_dict)
    return _or_super_referent(
        result, context, data_dict.get("group_id"), None, data_dict.get("role")
    )


__all__ = [
    "group_edit_permissions",
    "member_create",
    "member_delete",
    "organization_member_create",
    "user_invite",
]
