"""The individual account lifecycle (DOMAIN.md, "Individual accounts") and who may read.

    (new) ──request──▶ requested ──validate──▶ active ──suspend──▶ suspended
    (new) ──create──▶ active           suspended ──reactivate──▶ active
    requested ──refuse──▶ refused      active ──expire──▶ expired ──renew──▶ active
    active/suspended/expired ──close / membership_removed──▶ closed

Validators are the entity referent in classic mode and the super-referents in relay mode
(sysadmins always). An account needs its entity's adhesion accepted, within its validity, to
become or stay active.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from .. import labels, signals
from ..access.roles import Roles
from ..model import Account, Adhesion
from ..model.account import ACTIVE, CLOSED, EXPIRED, REFUSED, REQUESTED, STATES, SUSPENDED
from . import NEW, Errors, Lifecycle, Party, Requirement, Transition

LIVE = (ACTIVE, SUSPENDED, EXPIRED)


def may_manage(roles: Roles, organization_id: str, mode: str | None) -> bool:
    """Validates and manages the accounts of an entity whose current adhesion has `mode`."""
    if roles.sysadmin:
        return True
    if mode == "relay":
        return roles.super_referent
    if mode == "classic":
        return organization_id in roles.referent_of
    return False


def may_read(roles: Roles, organization_id: str, mode: str | None) -> bool:
    """Sees the entity's accounts (a person always sees their own)."""
    if roles.sysadmin or roles.instructor or organization_id in roles.referent_of:
        return True
    return may_manage(roles, organization_id, mode)


def _validator(roles: Roles, account: Any) -> bool:
    return may_manage(
        roles, account.organization_id, Adhesion.current_mode(account.organization_id)
    )


def _owner(roles: Roles, account: Any) -> bool:
    return bool(roles.user_id) and account.user_id == roles.user_id


VALIDATOR = Party(
    "validator",
    "the entity referent (classic mode), super-referents (relay mode), sysadmins",
    _validator,
)
OWNER = Party("owner", "the person themself", _owner)
CRON = Party("cron", "the daily `ckan dinamis-relay expire` (sysadmins)", lambda r, _a: r.sysadmin)
MEMBERSHIP_SYNC = Party(
    "membership_sync",
    "CKAN itself, when any path removes the person from the organization or deletes it",
    lambda _roles, _a: False,
)

ERASURE = Party(
    "erasure",
    "sysadmins erasing the person's data (`personal_data_erase`, user deletion)",
    lambda _roles, _a: False,
)


def _accepted_adhesion(account: Any, _data: dict[str, Any]) -> Errors:
    adhesion = Adhesion.current_for(account.organization_id)
    if adhesion is not None and adhesion.within_validity():
        return {}
    field = "state" if getattr(account, "state", NEW) else "organization_id"
    return {field: [tk._("This entity has no accepted DINAMIS adhesion")]}


def _reason(_account: Any, data_dict: dict[str, Any]) -> Errors:
    if data_dict.get("reason"):
        return {}
    return {"reason": [tk._("Give the reason for this decision")]}


ACCEPTED_ADHESION = Requirement(
    "accepted_adhesion",
    "the entity's adhesion accepted and within its validity",
    _accepted_adhesion,
)
REASON = Requirement("reason", "a reason", _reason)

TRANSITIONS = (
    Transition(
        "request",
        (NEW,),
        REQUESTED,
        (Party("signed_in", "any signed-in user, for themself", lambda r, _a: bool(r.user_id)),),
        "request",
        requires=(ACCEPTED_ADHESION,),
        follows=("the validators are emailed",),
    ),
    Transition(
        "create",
        (NEW,),
        ACTIVE,
        (VALIDATOR,),
        "create",
        requires=(ACCEPTED_ADHESION,),
        follows=("`member` capacity granted", "the person is invited or emailed"),
    ),
    Transition(
        "validate",
        (REQUESTED,),
        ACTIVE,
        (VALIDATOR,),
        "validate",
        requires=(ACCEPTED_ADHESION,),
        follows=("`member` capacity granted", "the person is emailed"),
    ),
    Transition(
        "refuse",
        (REQUESTED,),
        REFUSED,
        (VALIDATOR,),
        "refuse",
        requires=(REASON,),
        follows=("the person is emailed",),
    ),
    Transition(
        "suspend",
        (ACTIVE,),
        SUSPENDED,
        (VALIDATOR,),
        "suspend",
        follows=("membership the plugin created removed", "the person is emailed"),
    ),
    Transition(
        "reactivate",
        (SUSPENDED,),
        ACTIVE,
        (VALIDATOR,),
        "reactivate",
        requires=(ACCEPTED_ADHESION,),
        follows=("`member` capacity granted again", "the person is emailed"),
    ),
    Transition(
        "renew",
        (EXPIRED,),
        ACTIVE,
        (VALIDATOR,),
        "reactivate",
        requires=(ACCEPTED_ADHESION,),
        follows=("a new validity period", "the person is emailed"),
    ),
    Transition(
        "close",
        LIVE,
        CLOSED,
        (VALIDATOR, OWNER),
        "close",
        follows=("membership the plugin created removed", "the person is emailed"),
    ),
    Transition(
        "expire",
        (ACTIVE,),
        EXPIRED,
        (CRON,),
        "expire",
        follows=("access stops at `valid_until` even before this runs", "the person is emailed"),
        automatic=True,
    ),
    Transition(
        "membership_removed",
        (REQUESTED, *LIVE),
        CLOSED,
        (MEMBERSHIP_SYNC,),
        "(CKAN membership actions)",
        automatic=True,
    ),
    # Issue 14: erasing a person's data first closes their live accounts.
    Transition(
        "personal_data_erased",
        (REQUESTED, *LIVE),
        CLOSED,
        (ERASURE,),
        "(personal data erasure)",
        follows=("membership the plugin created removed", "the person's data pseudonymised"),
        automatic=True,
    ),
)

ACCOUNT = Lifecycle(
    object_type="account",
    states=STATES,
    transitions=TRANSITIONS,
    state_label=lambda state: labels.label("account_state", state),
    signal=signals.account_transition,
)


def may_view(roles: Roles, account: Account) -> bool:
    if _owner(roles, account):
        return True
    return may_read(roles, account.organization_id, Adhesion.current_mode(account.organization_id))
