"""Who may do what with new imagery requests.

- The requester: a person with an active account of an entity whose adhesion is accepted
  (access.py). They create, edit (while draft), submit, cancel and close their requests.
- The first-level reviewer: the relay's super-referents for relay-mode entities, the entity
  referent for classic-mode ones (`reviewer`, fixed on submission). They review, answer,
  forward to DINAMIS, reject and close.
- DINAMIS instructors, once a request was forwarded: accept, start, deliver, reject, close.
- The entity referent may also read their entity's submitted requests. Sysadmins may do all.
"""

from __future__ import annotations

import dataclasses

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ...access import active_account_org_ids
from ...model import ImageryRequest
from ...model import imagery as states
from ...roles import Roles, context_roles

REQUESTER = "requester"
REVIEWER = "reviewer"
DINAMIS = "dinamis"


@dataclasses.dataclass(frozen=True)
class Rule:
    name: str
    from_states: tuple[str, ...]
    to_state: str
    actors: tuple[str, ...]
    needs_comment: bool = False


RULES = (
    Rule("review", (states.SUBMITTED,), states.IN_REVIEW, (REVIEWER,)),
    Rule("answer", (states.IN_REVIEW,), states.ANSWERED, (REVIEWER,), needs_comment=True),
    Rule("forward", (states.IN_REVIEW,), states.FORWARDED, (REVIEWER,)),
    Rule("accept", (states.FORWARDED,), states.ACCEPTED, (DINAMIS,)),
    Rule("start", (states.ACCEPTED,), states.IN_PROGRESS, (DINAMIS,)),
    Rule("deliver", (states.IN_PROGRESS,), states.DELIVERED, (DINAMIS,)),
    Rule("close", (states.ANSWERED,), states.CLOSED, (REQUESTER, REVIEWER)),
    Rule("close", (states.DELIVERED,), states.CLOSED, (REQUESTER, REVIEWER, DINAMIS)),
    Rule(
        "reject",
        (states.SUBMITTED, states.IN_REVIEW),
        states.REJECTED,
        (REVIEWER,),
        needs_comment=True,
    ),
    Rule(
        "reject",
        (states.FORWARDED, states.ACCEPTED),
        states.REJECTED,
        (DINAMIS,),
        needs_comment=True,
    ),
    Rule(
        "cancel",
        (states.DRAFT, states.SUBMITTED, states.IN_REVIEW),
        states.CANCELLED,
        (REQUESTER,),
    ),
)
TRANSITION_NAMES = tuple(dict.fromkeys(rule.name for rule in RULES))


def get_request(context: Context, data_dict: DataDict) -> ImageryRequest:
    """The request named by data_dict["id"], loaded once per context."""
    request_id = (data_dict or {}).get("id")
    cached = context.get("_dinamis_relay_imagery")
    if cached is not None and cached.id == request_id:
        return cached
    found = model.Session.get(ImageryRequest, request_id) if isinstance(request_id, str) else None
    if found is None:
        raise tk.ObjectNotFound(tk._("Imagery request not found"))
    context["_dinamis_relay_imagery"] = found
    return found


def actor_roles(roles: Roles, request: ImageryRequest) -> set[str]:
    """The parts the user plays on this request."""
    parts: set[str] = set()
    if roles.user_id and roles.user_id == request.user_id:
        parts.add(REQUESTER)
    if roles.sysadmin:
        parts.update((REVIEWER, DINAMIS))
    elif request.state != states.DRAFT:
        if request.reviewer == "relay" and roles.super_referent:
            parts.add(REVIEWER)
        if request.reviewer == "referent" and request.organization_id in roles.referent_of:
            parts.add(REVIEWER)
        if roles.instructor and request.forwarded_at is not None:
            parts.add(DINAMIS)
    return parts


def is_staff(roles: Roles, request: ImageryRequest) -> bool:
    return bool(actor_roles(roles, request) & {REVIEWER, DINAMIS})


def may_read(roles: Roles, request: ImageryRequest) -> bool:
    if actor_roles(roles, request):
        return True
    # The entity referent follows their entity's requests, whoever reviews them.
    return request.state != states.DRAFT and request.organization_id in roles.referent_of


def allowed_transitions(roles: Roles, request: ImageryRequest) -> list[str]:
    """Transitions the user may apply now, in the order of RULES."""
    parts = actor_roles(roles, request)
    names = [
        rule.name
        for rule in RULES
        if request.state in rule.from_states and parts & set(rule.actors)
    ]
    return list(dict.fromkeys(names))


def find_rule(name: str, state: str) -> Rule | None:
    return next((r for r in RULES if r.name == name and state in r.from_states), None)


def _no(message: str) -> AuthResult:
    return {"success": False, "msg": message}


def _needs_account() -> AuthResult:
    return _no(
        tk._(
            "You need an active DINAMIS account with an entity whose adhesion is accepted "
            "to request imagery."
        )
    )


def _roles(context: Context) -> Roles:
    return context_roles(context)


def dinamis_relay_imagery_request_create(context: Context, data_dict: DataDict) -> AuthResult:
    roles = _roles(context)
    organizations = active_account_org_ids(roles.user_id)
    wanted = (data_dict or {}).get("organization_id")
    if wanted:
        # API clients may name the entity by name or by id.
        group = model.Group.get(wanted)
        wanted = group.id if group is not None else wanted
    if not organizations or (wanted and wanted not in organizations):
        return _needs_account()
    return {"success": True}


def _requester_with_account(context: Context, data_dict: DataDict) -> AuthResult:
    roles = _roles(context)
    request = get_request(context, data_dict)
    if roles.user_id != request.user_id:
        return _no(tk._("Only the requester may change this request"))
    if request.organization_id not in active_account_org_ids(roles.user_id):
        return _needs_account()
    return {"success": True}


def dinamis_relay_imagery_request_update(context: Context, data_dict: DataDict) -> AuthResult:
    return _requester_with_account(context, data_dict)


def dinamis_relay_imagery_request_submit(context: Context, data_dict: DataDict) -> AuthResult:
    return _requester_with_account(context, data_dict)


def dinamis_relay_imagery_request_transition(context: Context, data_dict: DataDict) -> AuthResult:
    """Whether the user plays a part allowed to apply `transition` (any transition when not
    given); whether the current state allows it is the action's business."""
    roles = _roles(context)
    request = get_request(context, data_dict)
    parts = actor_roles(roles, request)
    name = (data_dict or {}).get("transition")
    rules = [r for r in RULES if not name or r.name == name]
    if any(parts & set(rule.actors) for rule in rules):
        return {"success": True}
    return _no(tk._("You may not change the state of this request"))


def dinamis_relay_imagery_request_comment(context: Context, data_dict: DataDict) -> AuthResult:
    roles = _roles(context)
    request = get_request(context, data_dict)
    if not may_read(roles, request):
        return _no(tk._("You may not comment on this request"))
    if tk.asbool((data_dict or {}).get("internal")) and not is_staff(roles, request):
        return _no(tk._("Only the relay, the referent and DINAMIS write internal notes"))
    return {"success": True}


def dinamis_relay_imagery_request_show(context: Context, data_dict: DataDict) -> AuthResult:
    if may_read(_roles(context), get_request(context, data_dict)):
        return {"success": True}
    return _no(tk._("You may not see this request"))


def dinamis_relay_imagery_request_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user; the action only lists what they may read."""
    if not _roles(context).user_id:
        return _no(tk._("Log in to see imagery requests"))
    return {"success": True}
