"""Who may use the procedure actions (issue 15): the adherent check, registration of
existing adhesions, waves of relay applications and quotas."""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.types import AuthResult, Context, DataDict

from ...access import active_account_org_ids
from ...access.roles import context_roles
from ...model import Adhesion


def _result(allowed: bool, message: str) -> AuthResult:
    return {"success": True} if allowed else {"success": False, "msg": message}


@tk.auth_allow_anonymous_access
def dinamis_relay_adherent_check(context: Context, data_dict: DataDict) -> AuthResult:
    # Public by design: the answer names no person and the action bounds and limits it.
    return {"success": True}


def dinamis_relay_adhesion_register(context: Context, data_dict: DataDict) -> AuthResult:
    from ..action.registration import may_register

    roles = context_roles(context)
    return _result(
        may_register(roles, str(data_dict.get("mode") or "classic")),
        tk._(
            "Only DINAMIS instructors register existing adhesions "
            "(super-referents: those of relay partners)"
        ),
    )


def dinamis_relay_adhesion_register_import(context: Context, data_dict: DataDict) -> AuthResult:
    roles = context_roles(context)
    return _result(
        roles.is_instructor or roles.super_referent,
        tk._(
            "Only DINAMIS instructors register existing adhesions "
            "(super-referents: those of relay partners)"
        ),
    )


def _super_referent(context: Context) -> AuthResult:
    return _result(
        context_roles(context).is_super_referent,
        tk._("Only super-referents prepare waves of relay applications"),
    )


def dinamis_relay_adhesion_wave_import(context: Context, data_dict: DataDict) -> AuthResult:
    return _super_referent(context)


def dinamis_relay_adhesion_bulk(context: Context, data_dict: DataDict) -> AuthResult:
    # Each adhesion is then checked by the auth function of its own action.
    return _super_referent(context)


def dinamis_relay_quota_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Staff, the entity referent, and people with an active account of the entity."""
    roles = context_roles(context)
    organization_id = str(data_dict.get("organization_id") or "")
    if roles.is_instructor or organization_id in roles.referent_of:
        return {"success": True}
    if roles.super_referent:
        mode = model.Session.execute(
            sa.select(Adhesion.mode).where(
                Adhesion.organization_id == organization_id, Adhesion.is_current.is_(True)
            )
        ).scalar()
        if mode == "relay":
            return {"success": True}
    return _result(
        organization_id in active_account_org_ids(roles.user_id),
        tk._("You may not see the quotas of this entity"),
    )


def dinamis_relay_quota_set(context: Context, data_dict: DataDict) -> AuthResult:
    return _result(
        context_roles(context).is_instructor, tk._("Only DINAMIS instructors set quotas")
    )


def dinamis_relay_quota_list(context: Context, data_dict: DataDict) -> AuthResult:
    roles = context_roles(context)
    return _result(
        roles.is_instructor or roles.super_referent,
        tk._("Only DINAMIS instructors and super-referents see the quotas of every entity"),
    )
