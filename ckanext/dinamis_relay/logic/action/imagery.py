"""New imagery requests: drafting, submission, first-level review, DINAMIS, thread.

The lifecycle is declared once in `lifecycle/imagery.py`; every state change goes through
`lifecycle.apply` on a locked row.
"""

from __future__ import annotations

import datetime
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.types import Context, DataDict
from shapely.geometry import shape

from ... import geo, lifecycle
from ...access import active_account_org_ids
from ...access.roles import Roles, context_roles
from ...lifecycle.imagery import (
    IMAGERY,
    NO_MESSAGES,
    TRANSITION_NAMES,
    is_staff,
    may_comment,
)
from ...model import Adhesion, AuditEvent, ImageryRequest, ImageryRequestComment
from ...model import imagery as states
from ...model.base import utcnow
from ...model.sequence import next_value
from ...notifications import imagery as imagery_notify
from ...personal_data import pseudonyms
from ...procedure import quotas
from ..auth import imagery as auth
from ..schema import imagery as schema
from ..schema import validate
from .coverage import for_request as coverage_for_request

OBJECT_TYPE = "imagery_request"
REVIEW_QUEUE_STATES = (states.SUBMITTED, states.IN_REVIEW)
DINAMIS_QUEUE_STATES = (states.FORWARDED, states.ACCEPTED, states.IN_PROGRESS)


def _session(context: Context) -> Any:
    return lifecycle.session_of(context)


def _roles(context: Context) -> Roles:
    return context_roles(context)


def _load(context: Context, data_dict: DataDict, lock: bool = False) -> ImageryRequest:
    """The request by `id`; locked if asked, so concurrent transitions queue up."""
    request = auth.get_request(context, data_dict)
    if lock:
        request = ImageryRequest.locked(_session(context), request.id)
        context["_dinamis_relay_imagery"] = request
    return request


def _reviewer(organization_id: str) -> str:
    """Relay-mode entities are reviewed by the relay, classic ones by their referent."""
    return "referent" if Adhesion.current_mode(organization_id) == "classic" else "relay"


def _area_km2(geometry: dict[str, Any]) -> float:
    return round(geo.area_km2(shape(geometry)), 3)


# ---------------------------------------------------------------- dictizing


def _names(user_ids: set[str], organization_ids: set[str]) -> tuple[dict, dict]:
    """Display names of users and organizations: two queries at most."""
    users: dict[str, str] = {}
    organizations: dict[str, dict[str, str]] = {}
    if user_ids:
        for id_, name, fullname in model.Session.execute(
            sa.select(model.User.id, model.User.name, model.User.fullname).where(
                model.User.id.in_(sorted(user_ids))
            )
        ):
            users[id_] = fullname or name
        users.update(pseudonyms.display_names(user_ids))
    if organization_ids:
        for id_, name, title in model.Session.execute(
            sa.select(model.Group.id, model.Group.name, model.Group.title).where(
                model.Group.id.in_(sorted(organization_ids))
            )
        ):
            organizations[id_] = {"name": name, "title": title or name}
    return users, organizations


def _summary(request: ImageryRequest, users: dict, organizations: dict) -> dict[str, Any]:
    data = request.dictize()
    organization = organizations.get(request.organization_id) or {}
    data.update(
        user_display_name=users.get(request.user_id),
        organization_name=organization.get("name"),
        organization_title=organization.get("title"),
    )
    return data


def _full(context: Context, request: ImageryRequest) -> dict[str, Any]:
    """The request with its thread (internal notes for staff only), history and the
    transitions the caller may apply."""
    roles = _roles(context)
    staff = roles.sysadmin or is_staff(roles, request)
    comments_query = sa.select(ImageryRequestComment).where(
        ImageryRequestComment.request_id == request.id
    )
    if not staff:
        comments_query = comments_query.where(ImageryRequestComment.internal.is_(False))
    comments = (
        _session(context).execute(comments_query.order_by(ImageryRequestComment.id)).scalars()
    )
    comments = list(comments)
    history = list(
        _session(context)
        .execute(
            sa.select(AuditEvent)
            .where(AuditEvent.object_type == OBJECT_TYPE, AuditEvent.object_id == request.id)
            .order_by(AuditEvent.id)
        )
        .scalars()
    )
    user_ids = {request.user_id} | {c.user_id for c in comments}
    user_ids |= {e.user_id for e in history if e.user_id}
    users, organizations = _names(user_ids, {request.organization_id})
    data = _summary(request, users, organizations)
    data["comments"] = [
        {**c.dictize(), "user_display_name": users.get(c.user_id)} for c in comments
    ]
    data["history"] = [
        {**e.dictize(), "user_display_name": users.get(e.user_id or "") or e.actor_label}
        for e in history
    ]
    # What the caller may do now, from the lifecycle table: the page shows these buttons.
    data["actions"] = IMAGERY.allowed(roles, request)
    data["allowed_transitions"] = [n for n in data["actions"] if n in TRANSITION_NAMES]
    data["can_edit"] = "update" in data["actions"]
    data["can_comment"] = may_comment(roles, request)
    data["is_staff"] = staff
    data["quota"] = quotas.for_request(_session(context), request)
    return data


# ---------------------------------------------------------------- drafting


@validate(schema.imagery_request_create)
def dinamis_relay_imagery_request_create(context: Context, data_dict: DataDict) -> dict:
    """Create a draft request.

    Fields: `title`, `area` (GeoJSON Polygon/MultiPolygon, Feature or FeatureCollection, as
    an object or a JSON string), `period_start`, `period_end` (YYYY-MM-DD), `sensor`
    (spot67 | pleiades | pleiades_neo), `stereo` (bool), `max_cloud_cover` (0-100, default
    20), `max_viewing_angle` (0-60, default 30), `acquisition_mode` (archive |
    new_acquisition), `intended_use`, optional `justification`, and `organization_id` (the
    entity; may be left out when the caller has an active account with one entity only).
    """
    tk.check_access("dinamis_relay_imagery_request_create", context, data_dict)
    roles = _roles(context)
    organization_id = data_dict.get("organization_id")
    if not organization_id:
        organizations = active_account_org_ids(roles.user_id)
        if len(organizations) != 1:
            raise tk.ValidationError(
                {"organization_id": [tk._("Choose the entity this request is made for")]}
            )
        organization_id = next(iter(organizations))
    else:
        group = model.Group.get(organization_id)
        if group is None or not group.is_organization or group.state != "active":
            raise tk.ValidationError({"organization_id": [tk._("Unknown entity")]})
        organization_id = group.id
    values = {**schema.DEFAULTS, **data_dict}
    request = ImageryRequest(
        user_id=roles.user_id,
        organization_id=organization_id,
        reviewer=_reviewer(organization_id),
        area_km2=_area_km2(values["area"]),
        **{field: values.get(field) for field in states.EDITABLE_FIELDS},
    )
    lifecycle.apply(context, IMAGERY, request, "create", data_dict, actor_id=roles.user_id, data={})
    return _full(context, request)


@validate(schema.imagery_request_update)
def dinamis_relay_imagery_request_update(context: Context, data_dict: DataDict) -> dict:
    """Change a draft (`id` and any of the create fields; fields left out keep their value)."""
    request = _load(context, data_dict, lock=True)
    lifecycle.check_access(context, "dinamis_relay_imagery_request_update", data_dict)
    if IMAGERY.rule("update", request.state) is None:
        lifecycle.refuse(context, tk.ValidationError({"id": [tk._("Only a draft can be changed")]}))
    merged = {f: data_dict.get(f, getattr(request, f)) for f in states.EDITABLE_FIELDS}
    errors = schema.period_errors(
        merged["period_start"], merged["period_end"], merged["acquisition_mode"]
    )
    if errors:
        lifecycle.refuse(context, tk.ValidationError(errors))
    for field, value in merged.items():
        setattr(request, field, value)
    if "area" in data_dict:
        request.area_km2 = _area_km2(request.area)
    request.modified = utcnow()
    lifecycle.finish(context)
    return _full(context, request)


def _number() -> str:
    year = datetime.date.today().year
    seq = next_value(model.Session(), "imagery_request", year)
    pattern = tk.config.get("ckanext.dinamis_relay.imagery.number_pattern") or (
        "IMG-{year}-{seq:05d}"
    )
    return pattern.format(year=year, seq=seq)


@validate(schema.by_id)
def dinamis_relay_imagery_request_submit(context: Context, data_dict: DataDict) -> dict:
    """Submit a draft (`id`) for first-level review; it gets its number and the reviewers
    are emailed. Needs an active account with the request's entity."""
    request = _load(context, data_dict, lock=True)
    lifecycle.check_access(context, "dinamis_relay_imagery_request_submit", data_dict)

    audit_data: dict[str, Any] = {}

    def prepare(request: ImageryRequest) -> None:
        request.reviewer = _reviewer(request.organization_id)
        request.submitted_at = utcnow()
        if not request.number:
            request.number = _number()
        audit_data["number"] = request.number

    actor_id = _roles(context).user_id
    lifecycle.apply(
        context,
        IMAGERY,
        request,
        "submit",
        data_dict,
        actor_id=actor_id,
        prepare=prepare,
        data=audit_data,
        follow=lambda request: imagery_notify.transition(
            _session(context), request.id, "submit", actor_id
        ),
    )
    return _full(context, request)


# ---------------------------------------------------------------- review and thread


@validate(schema.imagery_request_transition)
def dinamis_relay_imagery_request_transition(context: Context, data_dict: DataDict) -> dict:
    """Apply `transition` to request `id`, with an optional `comment` (required to answer
    and to reject) that joins the thread.

    review, answer, forward, reject (reviewer: relay or referent); accept, start, deliver,
    reject (DINAMIS, once forwarded); close (requester, reviewer, DINAMIS once delivered);
    cancel (requester, before forwarding).
    """
    name = data_dict["transition"]
    request = _load(context, data_dict, lock=True)
    lifecycle.check_access(context, "dinamis_relay_imagery_request_transition", data_dict)
    rule = IMAGERY.rule(name, request.state)
    roles = _roles(context)
    if rule is not None and not rule.allows(roles, request):
        lifecycle.refuse(
            context, tk.NotAuthorized(tk._("You may not do this at this stage of the request"))
        )
    comment = data_dict.get("comment")
    comment_ids: list[int] = []

    def prepare(request: ImageryRequest) -> None:
        now = request.modified
        if request.state == states.FORWARDED:
            request.forwarded_at = now
        if request.state in states.FINAL_STATES:
            request.closed_at = now
        # Quotas (quotas.py): accepting consumes the area, rejecting or cancelling gives it
        # back; beyond the remaining quota the acceptance is refused.
        quotas.on_transition(_session(context), request, request.state)
        if comment:
            message = ImageryRequestComment(
                request_id=request.id, user_id=roles.user_id, body=comment, transition=name
            )
            _session(context).add(message)
            _session(context).flush()
            comment_ids.append(message.id)

    lifecycle.apply(
        context,
        IMAGERY,
        request,
        name,
        data_dict,
        actor_id=roles.user_id,
        prepare=prepare,
        comment=comment,
        data={"number": request.number},
        follow=lambda request: imagery_notify.transition(
            _session(context),
            request.id,
            name,
            roles.user_id,
            comment_ids[0] if comment_ids else None,
        ),
    )
    return _full(context, request)


@validate(schema.imagery_request_comment)
def dinamis_relay_imagery_request_comment(context: Context, data_dict: DataDict) -> dict:
    """Add a message (`body`) to the thread of request `id`. Staff may mark it `internal`
    (hidden from the requester). Not on drafts, nor once closed or cancelled."""
    request = _load(context, data_dict)
    tk.check_access("dinamis_relay_imagery_request_comment", context, data_dict)
    if request.state in NO_MESSAGES:
        raise tk.ValidationError(
            {
                "body": [
                    tk._(
                        "Messages are possible once the request is submitted and until it is closed"
                    )
                ]
            }
        )
    message = ImageryRequestComment(
        request_id=request.id,
        user_id=_roles(context).user_id,
        body=data_dict["body"],
        internal=bool(data_dict.get("internal")),
    )
    _session(context).add(message)
    _session(context).flush()
    comment = message.dictize()
    imagery_notify.comment(_session(context), request.id, comment["id"])
    lifecycle.finish(context)
    return comment


# ---------------------------------------------------------------- reading


@tk.side_effect_free
@validate(schema.by_id)
def dinamis_relay_imagery_request_show(context: Context, data_dict: DataDict) -> dict:
    """One request (`id`) with its thread, history, `allowed_transitions` and `coverage`:
    the catalogue's DINAMIS datasets covering its area (dinamis_relay_coverage)."""
    request = _load(context, data_dict)
    tk.check_access("dinamis_relay_imagery_request_show", context, data_dict)
    data = _full(context, request)
    data["coverage"] = coverage_for_request(context, request)
    return data


def _scope(roles: Roles) -> sa.ColumnElement[bool] | None:
    """What the caller may read (None: everything)."""
    if roles.sysadmin:
        return None
    submitted = ImageryRequest.state != states.DRAFT
    conditions: list[sa.ColumnElement[bool]] = [ImageryRequest.user_id == roles.user_id]
    if roles.super_referent:
        conditions.append(sa.and_(submitted, ImageryRequest.reviewer == "relay"))
    if roles.referent_of:
        conditions.append(
            sa.and_(submitted, ImageryRequest.organization_id.in_(sorted(roles.referent_of)))
        )
    if roles.instructor:
        conditions.append(ImageryRequest.forwarded_at.isnot(None))
    return sa.or_(*conditions)


def _queue(roles: Roles, queue: str) -> tuple[list[sa.ColumnElement[bool]], tuple[str, ...]]:
    """Conditions of a queue, and the states it shows unless a state is asked for."""
    if queue == "mine":
        return [ImageryRequest.user_id == roles.user_id], ()
    if queue == "triage":
        if roles.sysadmin:
            return [], REVIEW_QUEUE_STATES
        mine: list[sa.ColumnElement[bool]] = [sa.false()]
        if roles.super_referent:
            mine.append(ImageryRequest.reviewer == "relay")
        if roles.referent_of:
            mine.append(
                sa.and_(
                    ImageryRequest.reviewer == "referent",
                    ImageryRequest.organization_id.in_(sorted(roles.referent_of)),
                )
            )
        return [sa.or_(*mine)], REVIEW_QUEUE_STATES
    if queue == "dinamis":
        allowed = sa.true() if roles.is_instructor else sa.false()
        return [ImageryRequest.forwarded_at.isnot(None), allowed], DINAMIS_QUEUE_STATES
    return [], ()


@tk.side_effect_free
@validate(schema.imagery_request_list)
def dinamis_relay_imagery_request_list(context: Context, data_dict: DataDict) -> dict:
    """Requests the caller may read, newest first. Filters: `queue` (mine | triage: waiting
    for my first-level review | dinamis: forwarded, with DINAMIS | all), `state`,
    `organization_id`, `user_id`, `q` (in title and number); `limit` (default 20) and
    `offset`. Returns {"count", "results"} in two queries plus one for names."""
    tk.check_access("dinamis_relay_imagery_request_list", context, data_dict)
    roles = _roles(context)
    conditions: list[sa.ColumnElement[bool]] = []
    scope = _scope(roles)
    if scope is not None:
        conditions.append(scope)
    queue_conditions, queue_states = _queue(roles, data_dict.get("queue") or "all")
    conditions += queue_conditions
    if data_dict.get("state"):
        conditions.append(ImageryRequest.state == data_dict["state"])
    elif queue_states:
        conditions.append(ImageryRequest.state.in_(queue_states))
    for field in ("organization_id", "user_id"):
        if data_dict.get(field):
            conditions.append(getattr(ImageryRequest, field) == data_dict[field])
    if data_dict.get("q"):
        pattern = "%{}%".format(
            data_dict["q"].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        )
        conditions.append(
            sa.or_(ImageryRequest.title.ilike(pattern), ImageryRequest.number.ilike(pattern))
        )
    session = _session(context)
    count = session.execute(
        sa.select(sa.func.count()).select_from(ImageryRequest).where(*conditions)
    ).scalar_one()
    rows = list(
        session.execute(
            sa.select(ImageryRequest)
            .where(*conditions)
            .order_by(ImageryRequest.modified.desc(), ImageryRequest.id)
            .limit(data_dict.get("limit") or 20)
            .offset(data_dict.get("offset") or 0)
        ).scalars()
    )
    users, organizations = _names({r.user_id for r in rows}, {r.organization_id for r in rows})
    results = []
    for request in rows:
        item = _summary(request, users, organizations)
        item.pop("area", None)  # lists stay light; the detail has the geometry
        results.append(item)
    return {"count": count, "results": results}
