"""Who may do what with adhesions: read from the lifecycle table (lifecycle/adhesion.py).

Auth decides *who* — whether the caller plays a part the table allows for the action, in
some state; the action decides *when* (a transition from the wrong state is a
ValidationError naming the state, not an auth failure). Visibility is `may_view`.
The legal representative acts through a signed link: the token is the authority.
"""

from __future__ import annotations

from collections.abc import Callable

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthFunction, AuthResult, Context, DataDict

from ...access.roles import context_roles
from ...lifecycle.adhesion import ADHESION, Application, may_follow_organization, may_view
from ...model import Adhesion

CACHE_KEY = "dinamis_relay_adhesion"


def find_adhesion(context: Context, data_dict: DataDict) -> Adhesion | None:
    """The adhesion named by `id`, or the current one of `organization_id` (id or name);
    the action's locked copy when it already loaded it."""
    cached = context.get(CACHE_KEY)
    adhesion_id = data_dict.get("id")
    if isinstance(cached, Adhesion) and adhesion_id and cached.id == adhesion_id:
        return cached
    session = context.get("session") or model.Session
    if isinstance(adhesion_id, str) and adhesion_id:
        return session.get(Adhesion, adhesion_id)
    org_ref = data_dict.get("organization_id")
    if isinstance(org_ref, str) and org_ref:
        group = model.Group.get(org_ref)
        return Adhesion.current_for(group.id, session) if group is not None else None
    return None


def _result(allowed: bool, message: str) -> AuthResult:
    return {"success": True} if allowed else {"success": False, "msg": message}


def _not_found() -> AuthResult:
    # Only sysadmins (who pass auth anyway) may probe for missing adhesions; the action
    # itself then answers "not found".
    return {"success": False, "msg": tk._("Adhesion not found")}


def _party_to(action: str, message: Callable[[], str]) -> AuthFunction:
    """The auth function of a transition action: the caller plays a part the table allows
    (`message` is translated when refused, inside the request)."""

    def auth(context: Context, data_dict: DataDict) -> AuthResult:
        adhesion = find_adhesion(context, data_dict)
        if adhesion is None:
            return _not_found()
        return _result(ADHESION.may_ever(context_roles(context), adhesion, action), message())

    auth.__name__ = f"dinamis_relay_adhesion_{action}"
    return auth


def _organization(data_dict: DataDict) -> model.Group | None:
    reference = data_dict.get("organization_id")
    if not isinstance(reference, str) or not reference:
        return None
    group = model.Group.get(reference)
    return group if group is not None and group.is_organization else None


def dinamis_relay_adhesion_create(context: Context, data_dict: DataDict) -> AuthResult:
    roles = context_roles(context)
    group = _organization(data_dict)
    if group is None:
        return _result(roles.sysadmin, tk._("Organization not found"))
    mode = data_dict.get("mode")
    modes = (mode,) if isinstance(mode, str) and mode else ("classic", "relay")
    allowed = any(
        ADHESION.may_ever(roles, Application(group.id, candidate), "create") for candidate in modes
    )
    return _result(allowed, tk._("You may not apply to DINAMIS for this organization"))


dinamis_relay_adhesion_update = _party_to("update", lambda: tk._("You may not edit this adhesion"))


def dinamis_relay_adhesion_patch(context: Context, data_dict: DataDict) -> AuthResult:
    return dinamis_relay_adhesion_update(context, data_dict)


def dinamis_relay_adhesion_show(context: Context, data_dict: DataDict) -> AuthResult:
    adhesion = find_adhesion(context, data_dict)
    if adhesion is None:
        return _not_found()
    return _result(
        may_view(context_roles(context), adhesion), tk._("You may not see this adhesion")
    )


def dinamis_relay_adhesion_list(context: Context, data_dict: DataDict) -> AuthResult:
    # Signed-in users; the action only returns what the caller may see.
    return _result(bool(context_roles(context).user_id), tk._("Log in to see applications"))


def dinamis_relay_adhesion_history(context: Context, data_dict: DataDict) -> AuthResult:
    if data_dict.get("id"):
        return dinamis_relay_adhesion_show(context, data_dict)
    roles = context_roles(context)
    group = _organization(data_dict)
    if group is None:
        return _result(roles.sysadmin, tk._("Organization not found"))
    return _result(
        may_follow_organization(roles, group.id, Adhesion.current_mode(group.id)),
        tk._("You may not see the history of this organization"),
    )


dinamis_relay_adhesion_check_eligibility = _party_to(
    "check_eligibility",
    lambda: tk._("Only super-referents check the eligibility of relay-mode applications"),
)
dinamis_relay_adhesion_submit = _party_to(
    "submit", lambda: tk._("You may not submit this adhesion")
)


@tk.auth_allow_anonymous_access
def dinamis_relay_adhesion_legal_show(context: Context, data_dict: DataDict) -> AuthResult:
    # The signed link is the authority; the action checks it.
    return {"success": True}


@tk.auth_allow_anonymous_access
def dinamis_relay_adhesion_legal_validate(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


def _instructors_only() -> str:
    return tk._("Only DINAMIS instructors may do this")


dinamis_relay_adhesion_decide = _party_to("decide", _instructors_only)
dinamis_relay_adhesion_suspend = _party_to("suspend", _instructors_only)
dinamis_relay_adhesion_reinstate = _party_to("reinstate", _instructors_only)
dinamis_relay_adhesion_terminate = _party_to("terminate", _instructors_only)
dinamis_relay_adhesion_renew = _party_to("renew", lambda: tk._("You may not renew this adhesion"))


def dinamis_relay_adhesion_expire(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": False, "msg": tk._("Only sysadmins run the expiry")}
