"""Who may do what with adhesions.

Auth decides *who*; the actions decide *when* (a transition from the wrong state is a
ValidationError, not an auth failure), so these functions ignore the adhesion's state except
for instructors, who never see drafts.

- classic mode: the entity referent (and the organization's admins, who create the draft
  and designate the referent) edit; the referent submits;
- relay mode: super-referents edit, check eligibility and submit;
- instructors decide, suspend, reinstate and terminate; sysadmins may do everything;
- the legal representative acts through a signed link: the token is the authority.
"""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.types import AuthResult, Context, DataDict

from ...model import Adhesion
from ...model.adhesion import DRAFT
from ...roles import Roles, context_roles


def admin_org_ids_query(user_id: str) -> sa.Select:
    """Ids of the organizations the user administers (a subquery for list filters)."""
    return sa.select(model.Member.group_id).where(
        model.Member.table_name == "user",
        model.Member.table_id == user_id,
        model.Member.capacity == "admin",
        model.Member.state == "active",
    )


def is_org_admin(user_id: str | None, organization_id: str) -> bool:
    if not user_id:
        return False
    query = admin_org_ids_query(user_id).where(model.Member.group_id == organization_id)
    return model.Session.execute(query.limit(1)).first() is not None


def find_adhesion(context: Context, data_dict: DataDict) -> Adhesion | None:
    """The adhesion named by `id`, or the current one of `organization_id` (id or name)."""
    cached = context.get("dinamis_relay_adhesion")
    adhesion_id = data_dict.get("id")
    if isinstance(cached, Adhesion) and adhesion_id and cached.id == adhesion_id:
        return cached
    session = context.get("session") or model.Session
    if adhesion_id:
        return session.get(Adhesion, str(adhesion_id))
    org_ref = data_dict.get("organization_id")
    if org_ref:
        group = model.Group.get(str(org_ref))
        if group is None:
            return None
        return session.execute(
            sa.select(Adhesion).where(
                Adhesion.organization_id == group.id, Adhesion.is_current.is_(True)
            )
        ).scalar_one_or_none()
    return None


def can_view(roles: Roles, adhesion: Adhesion, context_user_admin: bool | None = None) -> bool:
    if roles.sysadmin or roles.super_referent:
        return True
    if roles.instructor and adhesion.state != DRAFT:
        return True
    if roles.user_id and adhesion.referent_user_id == roles.user_id:
        return True
    if context_user_admin is None:
        context_user_admin = is_org_admin(roles.user_id, adhesion.organization_id)
    return context_user_admin


def can_edit(roles: Roles, adhesion: Adhesion) -> bool:
    if roles.sysadmin:
        return True
    if adhesion.mode == "relay":
        return roles.super_referent
    if roles.user_id and adhesion.referent_user_id == roles.user_id:
        return True
    return is_org_admin(roles.user_id, adhesion.organization_id)


def can_submit(roles: Roles, adhesion: Adhesion) -> bool:
    if roles.sysadmin:
        return True
    if adhesion.mode == "relay":
        return roles.super_referent
    return bool(roles.user_id) and adhesion.referent_user_id == roles.user_id


def can_apply(roles: Roles, organization_id: str, mode: str) -> bool:
    """May start an application (create, renew) for this organization in this mode."""
    if roles.sysadmin:
        return True
    if mode == "relay":
        return roles.super_referent
    return organization_id in roles.referent_of or is_org_admin(roles.user_id, organization_id)


def _result(allowed: bool, message: str) -> AuthResult:
    return {"success": True} if allowed else {"success": False, "msg": message}


def _with_adhesion(context: Context, data_dict: DataDict, check, message: str) -> AuthResult:
    adhesion = find_adhesion(context, data_dict)
    if adhesion is None:
        # Only sysadmins (who pass auth anyway) may probe for missing adhesions; the action
        # itself then answers "not found".
        return {"success": False, "msg": tk._("Adhesion not found")}
    return _result(check(context_roles(context), adhesion), message)


def dinamis_relay_adhesion_create(context: Context, data_dict: DataDict) -> AuthResult:
    roles = context_roles(context)
    group = model.Group.get(str(data_dict.get("organization_id") or ""))
    if group is None:
        return _result(roles.sysadmin, tk._("Organization not found"))
    mode = data_dict.get("mode") or "classic"
    return _result(
        can_apply(roles, group.id, mode),
        tk._("You may not apply to DINAMIS for this organization"),
    )


def dinamis_relay_adhesion_update(context: Context, data_dict: DataDict) -> AuthResult:
    return _with_adhesion(context, data_dict, can_edit, tk._("You may not edit this adhesion"))


def dinamis_relay_adhesion_patch(context: Context, data_dict: DataDict) -> AuthResult:
    return dinamis_relay_adhesion_update(context, data_dict)


def dinamis_relay_adhesion_show(context: Context, data_dict: DataDict) -> AuthResult:
    return _with_adhesion(context, data_dict, can_view, tk._("You may not see this adhesion"))


def dinamis_relay_adhesion_list(context: Context, data_dict: DataDict) -> AuthResult:
    # Any signed-in user; the action only returns what the caller may see.
    return {"success": True}


def dinamis_relay_adhesion_history(context: Context, data_dict: DataDict) -> AuthResult:
    if data_dict.get("id"):
        return dinamis_relay_adhesion_show(context, data_dict)
    roles = context_roles(context)
    group = model.Group.get(str(data_dict.get("organization_id") or ""))
    if group is None:
        return _result(roles.sysadmin, tk._("Organization not found"))
    allowed = (
        roles.sysadmin
        or roles.super_referent
        or roles.instructor
        or group.id in roles.referent_of
        or is_org_admin(roles.user_id, group.id)
    )
    return _result(allowed, tk._("You may not see the history of this organization"))


def dinamis_relay_adhesion_check_eligibility(context: Context, data_dict: DataDict) -> AuthResult:
    return _with_adhesion(
        context,
        data_dict,
        lambda roles, adhesion: adhesion.mode == "relay" and roles.is_super_referent,
        tk._("Only super-referents check the eligibility of relay-mode applications"),
    )


def dinamis_relay_adhesion_submit(context: Context, data_dict: DataDict) -> AuthResult:
    return _with_adhesion(context, data_dict, can_submit, tk._("You may not submit this adhesion"))


@tk.auth_allow_anonymous_access
def dinamis_relay_adhesion_legal_show(context: Context, data_dict: DataDict) -> AuthResult:
    # The signed link is the authority; the action checks it.
    return {"success": True}


@tk.auth_allow_anonymous_access
def dinamis_relay_adhesion_legal_validate(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


def _instructor(context: Context, data_dict: DataDict) -> AuthResult:
    return _with_adhesion(
        context,
        data_dict,
        lambda roles, adhesion: roles.is_instructor,
        tk._("Only DINAMIS instructors may do this"),
    )


def dinamis_relay_adhesion_decide(context: Context, data_dict: DataDict) -> AuthResult:
    return _instructor(context, data_dict)


def dinamis_relay_adhesion_suspend(context: Context, data_dict: DataDict) -> AuthResult:
    return _instructor(context, data_dict)


def dinamis_relay_adhesion_reinstate(context: Context, data_dict: DataDict) -> AuthResult:
    return _instructor(context, data_dict)


def dinamis_relay_adhesion_terminate(context: Context, data_dict: DataDict) -> AuthResult:
    return _instructor(context, data_dict)


def dinamis_relay_adhesion_renew(context: Context, data_dict: DataDict) -> AuthResult:
    return _with_adhesion(
        context,
        data_dict,
        lambda roles, adhesion: can_apply(roles, adhesion.organization_id, adhesion.mode),
        tk._("You may not renew this adhesion"),
    )


def dinamis_relay_adhesion_expire(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": False, "msg": tk._("Only sysadmins run the expiry")}
