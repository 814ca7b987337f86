"""The adhesion lifecycle (DOMAIN.md, "Adhesion") and who may see an adhesion.

draft/returned ──submit──▶ pending_legal_validation ──legal_accept──▶ pending_instruction
pending_legal_validation ──legal_decline / legal_link_expired──▶ returned
pending_instruction ──accept──▶ accepted | ──reject──▶ rejected | ──return──▶ returned
accepted ──suspend──▶ suspended ──reinstate──▶ accepted
accepted ──terminate──▶ terminated     accepted ──expire──▶ expired
(none)/rejected/terminated ──create──▶ draft (a new row)
expired ──renew──▶ draft (a new row, previous_id = the expired one)
"""

from __future__ import annotations

import dataclasses
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from .. import labels, signals
from ..access.roles import Roles, staff_organization_ids
from ..model import Adhesion, EligibilityCheck
from ..model.adhesion import (
    ACCEPTED,
    DRAFT,
    EXPIRED,
    JUSTIFIED_CATEGORIES,
    PENDING_INSTRUCTION,
    PENDING_LEGAL,
    REJECTED,
    RETURNED,
    STATES,
    SUSPENDED,
    TERMINATED,
)
from . import NEW, Errors, Lifecycle, Party, Requirement, Transition

EDITABLE = (DRAFT, RETURNED)

# Fields an application needs before it can be submitted (creation needs only the
# organization and the mode); the README lists them from here.
REQUIRED_ON_SUBMIT = (
    "legal_name",
    "siret",
    "entity_type",
    "eligibility_category",
    "address",
    "postcode",
    "city",
    "department",
    "phone",
    "email_domains",
    "legal_rep_name",
    "legal_rep_title",
    "legal_rep_email",
    "referent_user_id",
    "referent_title",
    "referent_phone",
)
REQUIRED_ON_SUBMIT_RELAY = ("convention_number",)


@dataclasses.dataclass(frozen=True)
class Application:
    """What a new application is for, before its row exists (the subject of `create`)."""

    organization_id: str
    mode: str
    referent_user_id: str | None = None
    state: str | None = NEW


# --- Parties ---------------------------------------------------------------------------


def _relay_staff(roles: Roles, adhesion: Any) -> bool:
    return adhesion.mode == "relay" and roles.is_super_referent


def _classic_referent(roles: Roles, adhesion: Any) -> bool:
    if adhesion.mode != "classic":
        return False
    return roles.sysadmin or bool(roles.user_id and adhesion.referent_user_id == roles.user_id)


def _classic_applicant(roles: Roles, adhesion: Any) -> bool:
    if adhesion.mode != "classic":
        return False
    if roles.sysadmin or adhesion.organization_id in roles.admin_of:
        return True
    if roles.user_id and adhesion.referent_user_id == roles.user_id:
        return True
    # Whoever the current adhesion names as referent may also start the next application.
    return adhesion.organization_id in roles.referent_of


RELAY_STAFF = Party(
    "relay_staff", "super-referents, for relay-mode adhesions (sysadmins too)", _relay_staff
)
CLASSIC_REFERENT = Party(
    "classic_referent",
    "the entity referent, for classic-mode adhesions (sysadmins too)",
    _classic_referent,
)
CLASSIC_APPLICANT = Party(
    "classic_applicant",
    "the entity referent and the organization's admins, for classic-mode adhesions (sysadmins too)",
    _classic_applicant,
)
INSTRUCTOR = Party(
    "instructor", "DINAMIS instructors and sysadmins", lambda roles, _a: roles.is_instructor
)
# The legal representative has no account: the signed single-use link is the authority, so
# no caller's roles make them this party (the link's action checks the token).
LEGAL_REPRESENTATIVE = Party(
    "legal_representative",
    "the legal representative, through the signed single-use link",
    lambda _roles, _a: False,
)
SYSTEM = Party(
    "system",
    "the daily `ckan dinamis-relay expire` (sysadmins)",
    lambda roles, _a: roles.sysadmin,
)

# --- Requirements ----------------------------------------------------------------------


def _reason(_adhesion: Any, data_dict: dict[str, Any]) -> Errors:
    if data_dict.get("reason"):
        return {}
    return {"reason": [tk._("Give the reason for this decision")]}


def _complete(adhesion: Any, _data: dict[str, Any]) -> Errors:
    errors: Errors = {}
    required = REQUIRED_ON_SUBMIT + (REQUIRED_ON_SUBMIT_RELAY if adhesion.mode == "relay" else ())
    for field in required:
        if not getattr(adhesion, field):
            errors[field] = [tk._("Missing value")]
    if (
        adhesion.eligibility_category in JUSTIFIED_CATEGORIES
        and not adhesion.eligibility_justification
    ):
        errors["eligibility_justification"] = [
            tk._("Explain why this company is eligible for DINAMIS")
        ]
    if adhesion.referent_user_id:
        referent = model.User.get(adhesion.referent_user_id)
        if referent is None or referent.state != "active":
            errors["referent_user_id"] = [tk._("User not found")]
    return errors


def latest_eligibility(adhesion_id: str) -> bool | None:
    return model.Session.execute(
        sa.select(EligibilityCheck.eligible)
        .where(EligibilityCheck.adhesion_id == adhesion_id)
        .order_by(EligibilityCheck.checked_at.desc(), EligibilityCheck.id)
        .limit(1)
    ).scalar()


def _eligible(adhesion: Any, _data: dict[str, Any]) -> Errors:
    if adhesion.mode != "relay" or latest_eligibility(adhesion.id) is True:
        return {}
    return {
        "eligibility": [tk._("A super-referent must record a positive eligibility check first")]
    }


def _an_entity(subject: Any, _data: dict[str, Any]) -> Errors:
    if subject.organization_id not in staff_organization_ids():
        return {}
    return {
        "organization_id": [
            tk._("The relay's and DINAMIS's own organizations do not apply to DINAMIS")
        ]
    }


REASON = Requirement("reason", "a reason", _reason)
COMPLETE = Requirement(
    "complete",
    "every field required at submission (see below), an active referent",
    _complete,
)
ELIGIBLE = Requirement(
    "eligible", "relay mode: the latest eligibility check is positive", _eligible
)
AN_ENTITY = Requirement("an_entity", "not the relay's or DINAMIS's own organization", _an_entity)

# --- The table -------------------------------------------------------------------------

# A new application may replace the current one once that one is over (an expired one is
# renewed instead, which keeps its history).
CLOSED_FOR_CREATE = (REJECTED, TERMINATED)
APPLICANTS = (CLASSIC_APPLICANT, RELAY_STAFF)

TRANSITIONS = (
    Transition(
        "create",
        (NEW, *CLOSED_FOR_CREATE),
        DRAFT,
        APPLICANTS,
        "create",
        requires=(AN_ENTITY,),
    ),
    Transition("update", EDITABLE, None, APPLICANTS, "update"),
    Transition("check_eligibility", EDITABLE, None, (RELAY_STAFF,), "check_eligibility"),
    Transition(
        "submit",
        EDITABLE,
        PENDING_LEGAL,
        (CLASSIC_REFERENT, RELAY_STAFF),
        "submit",
        requires=(COMPLETE, ELIGIBLE),
        follows=(
            "the legal representative is emailed a signed link",
            "instructors and the relay are told",
        ),
    ),
    Transition(
        "legal_accept",
        (PENDING_LEGAL,),
        PENDING_INSTRUCTION,
        (LEGAL_REPRESENTATIVE,),
        "legal_validate",
        follows=("one acceptance per text", "instructors are emailed", "avenant (relay mode)"),
    ),
    Transition(
        "legal_decline",
        (PENDING_LEGAL,),
        RETURNED,
        (LEGAL_REPRESENTATIVE,),
        "legal_validate",
        follows=("the applicant is emailed",),
    ),
    Transition(
        "legal_link_expired",
        (PENDING_LEGAL,),
        RETURNED,
        (SYSTEM,),
        "expire",
        follows=("the applicant is emailed",),
        automatic=True,
    ),
    Transition(
        "accept",
        (PENDING_INSTRUCTION,),
        ACCEPTED,
        (INSTRUCTOR,),
        "decide",
        follows=("number and validity issued", "Acte d'adhésion", "the applicant is emailed"),
    ),
    Transition(
        "reject",
        (PENDING_INSTRUCTION,),
        REJECTED,
        (INSTRUCTOR,),
        "decide",
        requires=(REASON,),
        follows=("the applicant is emailed",),
    ),
    Transition(
        "return",
        (PENDING_INSTRUCTION,),
        RETURNED,
        (INSTRUCTOR,),
        "decide",
        requires=(REASON,),
        follows=("the applicant is emailed",),
    ),
    Transition(
        "suspend",
        (ACCEPTED,),
        SUSPENDED,
        (INSTRUCTOR,),
        "suspend",
        requires=(REASON,),
        follows=("access stops", "the applicant is emailed"),
    ),
    Transition(
        "reinstate",
        (SUSPENDED,),
        ACCEPTED,
        (INSTRUCTOR,),
        "reinstate",
        follows=("the applicant is emailed",),
    ),
    Transition(
        "terminate",
        (ACCEPTED,),
        TERMINATED,
        (INSTRUCTOR,),
        "terminate",
        requires=(REASON,),
        follows=("access stops", "the applicant is emailed"),
    ),
    Transition(
        "expire",
        (ACCEPTED,),
        EXPIRED,
        (SYSTEM,),
        "expire",
        follows=("access stops at `valid_until` even before this runs",),
        automatic=True,
    ),
    Transition("renew", (EXPIRED,), DRAFT, APPLICANTS, "renew"),
    # An adhesion accepted outside the platform (logic/action/registration.py).
    Transition(
        "register",
        (NEW, DRAFT, *CLOSED_FOR_CREATE, EXPIRED),
        ACCEPTED,
        (INSTRUCTOR, RELAY_STAFF),
        "register",
        follows=("no legal link, email or document: the acte was issued outside",),
    ),
)

ADHESION = Lifecycle(
    object_type="adhesion",
    states=STATES,
    transitions=TRANSITIONS,
    state_label=lambda state: labels.label("adhesion_state", state),
    signal=signals.adhesion_transition,
)

# --- Who may see an adhesion -----------------------------------------------------------


def may_view(roles: Roles, adhesion: Adhesion) -> bool:
    """Sysadmins; super-referents for relay-mode adhesions; instructors from the submission
    on (drafts are not theirs); the entity referent and the organization's admins."""
    if roles.sysadmin:
        return True
    if roles.super_referent and adhesion.mode == "relay":
        return True
    if roles.instructor and adhesion.submitted_at is not None:
        return True
    if roles.user_id and adhesion.referent_user_id == roles.user_id:
        return True
    return adhesion.organization_id in roles.admin_of


def visible_clause(roles: Roles) -> Any:
    """`may_view` as SQL on Adhesion (None: everything)."""
    if roles.sysadmin:
        return None
    if not roles.user_id:
        return sa.false()
    conditions = [Adhesion.referent_user_id == roles.user_id]
    if roles.admin_of:
        conditions.append(Adhesion.organization_id.in_(sorted(roles.admin_of)))
    if roles.super_referent:
        conditions.append(Adhesion.mode == "relay")
    if roles.instructor:
        conditions.append(Adhesion.submitted_at.is_not(None))
    return sa.or_(*conditions)


def may_follow_organization(roles: Roles, organization_id: str, mode: str | None) -> bool:
    """May read an organization's applications page and history, given the mode of its
    current adhesion (None: none yet); each adhesion's events are then filtered with
    `visible_clause`."""
    return bool(
        roles.sysadmin
        or (roles.super_referent and mode in (None, "relay"))
        or roles.instructor
        or organization_id in roles.referent_of
        or organization_id in roles.admin_of
    )
