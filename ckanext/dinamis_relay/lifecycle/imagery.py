"""The imagery request lifecycle (DOMAIN.md, "Access to services") and who plays which part.

- The requester: a person with an active account of an entity whose adhesion is accepted.
- The first-level reviewer: the relay's super-referents for relay-mode entities, the entity
  referent for classic-mode ones (`reviewer`, fixed on submission).
- DINAMIS instructors, once a request was forwarded. Sysadmins play every part but the
  requester's.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from .. import labels
from ..access import active_account_org_ids
from ..access.roles import Roles
from ..model import imagery as states
from . import NEW, Errors, Lifecycle, Party, Requirement, Transition

REQUESTER = "requester"
REVIEWER = "reviewer"
DINAMIS = "dinamis"


def parts(roles: Roles, request: Any) -> set[str]:
    """The parts the user plays on this request."""
    played: set[str] = set()
    if roles.user_id and roles.user_id == request.user_id:
        played.add(REQUESTER)
    if roles.sysadmin:
        played.update((REVIEWER, DINAMIS))
    elif request.state not in (NEW, states.DRAFT):
        if request.reviewer == "relay" and roles.super_referent:
            played.add(REVIEWER)
        if request.reviewer == "referent" and request.organization_id in roles.referent_of:
            played.add(REVIEWER)
        if roles.instructor and request.forwarded_at is not None:
            played.add(DINAMIS)
    return played


def _with_account(roles: Roles, request: Any) -> bool:
    return bool(roles.user_id) and request.organization_id in active_account_org_ids(roles.user_id)


def _requester_with_account(roles: Roles, request: Any) -> bool:
    return roles.user_id == request.user_id and _with_account(roles, request)


def _part(name: str) -> Any:
    return lambda roles, request: name in parts(roles, request)


ACCOUNT_HOLDER = Party(
    "account_holder",
    "a person with an active account of the entity (adhesion accepted)",
    _requester_with_account,
)
REQUESTER_PARTY = Party("requester", "the requester", _part(REQUESTER))
REVIEWER_PARTY = Party(
    "reviewer",
    "the first-level reviewer: super-referents (relay mode) or the entity referent "
    "(classic mode); sysadmins",
    _part(REVIEWER),
)
DINAMIS_PARTY = Party(
    "dinamis", "DINAMIS instructors once the request is forwarded; sysadmins", _part(DINAMIS)
)


def _comment(_request: Any, data_dict: dict[str, Any]) -> Errors:
    if data_dict.get("comment"):
        return {}
    return {"comment": [tk._("Explain this decision to the requester")]}


COMMENT = Requirement("comment", "a comment for the requester (joins the thread)", _comment)

TRANSITIONS = (
    Transition("create", (NEW,), states.DRAFT, (ACCOUNT_HOLDER,), "create"),
    Transition("update", (states.DRAFT,), None, (ACCOUNT_HOLDER,), "update"),
    Transition(
        "submit",
        (states.DRAFT,),
        states.SUBMITTED,
        (ACCOUNT_HOLDER,),
        "submit",
        follows=("numbered", "the reviewers are emailed"),
    ),
    Transition("review", (states.SUBMITTED,), states.IN_REVIEW, (REVIEWER_PARTY,), "transition"),
    Transition(
        "answer",
        (states.IN_REVIEW,),
        states.ANSWERED,
        (REVIEWER_PARTY,),
        "transition",
        requires=(COMMENT,),
        follows=("the requester is emailed",),
    ),
    Transition(
        "forward",
        (states.IN_REVIEW,),
        states.FORWARDED,
        (REVIEWER_PARTY,),
        "transition",
        follows=("DINAMIS is emailed",),
    ),
    Transition("accept", (states.FORWARDED,), states.ACCEPTED, (DINAMIS_PARTY,), "transition"),
    Transition("start", (states.ACCEPTED,), states.IN_PROGRESS, (DINAMIS_PARTY,), "transition"),
    Transition("deliver", (states.IN_PROGRESS,), states.DELIVERED, (DINAMIS_PARTY,), "transition"),
    Transition(
        "close",
        (states.ANSWERED,),
        states.CLOSED,
        (REQUESTER_PARTY, REVIEWER_PARTY),
        "transition",
    ),
    Transition(
        "close",
        (states.DELIVERED,),
        states.CLOSED,
        (REQUESTER_PARTY, REVIEWER_PARTY, DINAMIS_PARTY),
        "transition",
    ),
    Transition(
        "reject",
        (states.SUBMITTED, states.IN_REVIEW),
        states.REJECTED,
        (REVIEWER_PARTY,),
        "transition",
        requires=(COMMENT,),
    ),
    Transition(
        "reject",
        (states.FORWARDED, states.ACCEPTED),
        states.REJECTED,
        (DINAMIS_PARTY,),
        "transition",
        requires=(COMMENT,),
    ),
    Transition(
        "cancel",
        (states.DRAFT, states.SUBMITTED, states.IN_REVIEW),
        states.CANCELLED,
        (REQUESTER_PARTY,),
        "transition",
    ),
)

IMAGERY = Lifecycle(
    object_type="imagery_request",
    states=states.STATES,
    transitions=TRANSITIONS,
    state_label=lambda state: labels.label("imagery_state", state),
)
# The names `imagery_request_transition` accepts.
TRANSITION_NAMES = tuple(dict.fromkeys(t.name for t in IMAGERY.for_action("transition")))


# The thread is open once the request is submitted and until it is closed or cancelled.
NO_MESSAGES = (states.DRAFT, states.CLOSED, states.CANCELLED)


def may_comment(roles: Roles, request: Any) -> bool:
    return request.state not in NO_MESSAGES and may_read(roles, request)


def may_read(roles: Roles, request: Any) -> bool:
    if parts(roles, request):
        return True
    # The entity referent follows their entity's requests, whoever reviews them.
    return request.state != states.DRAFT and request.organization_id in roles.referent_of


def is_staff(roles: Roles, request: Any) -> bool:
    return bool(parts(roles, request) & {REVIEWER, DINAMIS})
