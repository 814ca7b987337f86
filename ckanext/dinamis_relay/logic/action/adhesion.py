"""Adhesion actions: the application of an organization to DINAMIS and its lifecycle.

The lifecycle — which transition from which state, who, what it requires, what follows —
is declared once in `lifecycle/adhesion.py`; every state change here goes through
`lifecycle.apply`, which locks, checks, journals, commits and signals after the commit.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.types import Context, DataDict
from sqlalchemy.exc import IntegrityError

from ... import lifecycle, texts
from ...access.roles import context_roles
from ...lifecycle import audit
from ...lifecycle.adhesion import ADHESION, visible_clause
from ...model import Acceptance, Adhesion, AuditEvent, EligibilityCheck
from ...model.adhesion import (
    ACCEPTED,
    ENTITY_FIELDS,
    PENDING_LEGAL,
    PEOPLE_FIELDS,
)
from ...model.base import utcnow
from ...notifications import adhesion as notify
from ...procedure import numbers, tokens
from ..auth import adhesion as auth
from ..schema import adhesion as schema
from ..schema import validate

log = logging.getLogger(__name__)

EDITABLE_FIELDS = (
    *ENTITY_FIELDS,
    "email_domains",
    *PEOPLE_FIELDS,
    "convention_number",
    "amendment_number",
)
# Fields a new application copies from the previous one (renewal, new application).
COPIED_FIELDS = tuple(f for f in EDITABLE_FIELDS if f != "amendment_number")


# Plumbing


def _session(context: Context) -> Any:
    return lifecycle.session_of(context)


def _load(context: Context, data_dict: DataDict, lock: bool = False) -> Adhesion:
    """The adhesion by `id` or the current one of `organization_id`; locked if asked, so
    concurrent transitions of one adhesion queue up and the second sees the new state."""
    adhesion = auth.find_adhesion(context, data_dict)
    if adhesion is None:
        raise tk.ObjectNotFound(tk._("Adhesion not found"))
    if lock:
        adhesion = Adhesion.locked(_session(context), adhesion.id)
    context[auth.CACHE_KEY] = adhesion
    return adhesion


def _check(context: Context, action: str, adhesion: Adhesion, data_dict: DataDict) -> None:
    """Auth for `action` on this adhesion; a refusal rolls back the row lock."""
    context[auth.CACHE_KEY] = adhesion
    lifecycle.check_access(
        context, f"dinamis_relay_adhesion_{action}", {**data_dict, "id": adhesion.id}
    )


def _locked_for(context: Context, action: str, data_dict: DataDict) -> Adhesion:
    adhesion = _load(context, data_dict, lock=True)
    _check(context, action, adhesion, data_dict)
    return adhesion


def _user_id(context: Context) -> str | None:
    return context_roles(context).user_id


def _apply(
    context: Context,
    adhesion: Adhesion,
    name: str,
    data_dict: DataDict | None = None,
    **kwargs: Any,
) -> Adhesion:
    """`lifecycle.apply` for adhesions: the caller's id, and the emails and documents the
    transition calls for written into the outbox in its transaction."""
    kwargs.setdefault("actor_id", _user_id(context))
    legal_link = kwargs.pop("legal_link", None)

    def follow(adhesion: Adhesion) -> None:
        notify.transition(
            _session(context),
            adhesion,
            name,
            legal_link=legal_link() if callable(legal_link) else None,
            user_id=kwargs["actor_id"],
        )

    lifecycle.apply(context, ADHESION, adhesion, name, data_dict, follow=follow, **kwargs)
    return adhesion


def _organizations(ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    rows = model.Session.execute(
        sa.select(model.Group.id, model.Group.name, model.Group.title).where(
            model.Group.id.in_(ids)
        )
    ).all()
    return {row.id: {"id": row.id, "name": row.name, "title": row.title} for row in rows}


def _dictize(context: Context, adhesion: Adhesion, full: bool = True) -> dict[str, Any]:
    data = adhesion.dictize()
    data["organization"] = _organizations([adhesion.organization_id]).get(adhesion.organization_id)
    if not full:
        return data
    session = _session(context)
    data["eligibility_checks"] = [
        check.dictize()
        for check in session.execute(
            sa.select(EligibilityCheck)
            .where(EligibilityCheck.adhesion_id == adhesion.id)
            .order_by(EligibilityCheck.checked_at.desc())
        ).scalars()
    ]
    data["acceptances"] = [
        acceptance.dictize()
        for acceptance in session.execute(
            sa.select(Acceptance)
            .where(Acceptance.adhesion_id == adhesion.id)
            .order_by(Acceptance.accepted_at, Acceptance.text_kind, Acceptance.text_code)
        ).scalars()
    ]
    referent = model.User.get(adhesion.referent_user_id) if adhesion.referent_user_id else None
    data["referent"] = (
        {"id": referent.id, "name": referent.name, "fullname": referent.fullname}
        if referent
        else None
    )
    # What the caller may do now, from the lifecycle table: the pages show these buttons.
    data["actions"] = ADHESION.allowed(context_roles(context), adhesion)
    return data


# Reading


@tk.side_effect_free
@validate(schema.adhesion_reference)
def dinamis_relay_adhesion_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One adhesion, by `id`, or the current adhesion of `organization_id` (id or name).

    Returns the adhesion's fields, `organization` {id, name, title}, `referent`,
    `eligibility_checks`, `acceptances` and `actions` (what the caller may do now).
    """
    if not data_dict.get("id") and not data_dict.get("organization_id"):
        raise tk.ValidationError({"id": [tk._("Give an adhesion id or an organization")]})
    adhesion = _load(context, data_dict)
    _check(context, "show", adhesion, data_dict)
    return _dictize(context, adhesion)


@tk.side_effect_free
@validate(schema.adhesion_list)
def dinamis_relay_adhesion_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Adhesions the caller may see, newest change first: {"count", "results"}.

    Filters: `state`, `mode`, `organization_id` (id or name), `q` (in the legal name, acronym
    or SIRET), `include_previous` (past applications too; default only current ones).
    Paging: `limit` (default 20, at most 1000), `offset`. Two queries whatever the page size.
    """
    tk.check_access("dinamis_relay_adhesion_list", context, data_dict)
    conditions = []
    visible = visible_clause(context_roles(context))
    if visible is not None:
        conditions.append(visible)
    if not data_dict.get("include_previous"):
        conditions.append(Adhesion.is_current.is_(True))
    for field in ("state", "mode", "organization_id"):
        if data_dict.get(field):
            conditions.append(getattr(Adhesion, field) == data_dict[field])
    if data_dict.get("q"):
        pattern = "%" + data_dict["q"].replace("\\", "\\\\").replace("%", r"\%") + "%"
        conditions.append(
            sa.or_(
                Adhesion.legal_name.ilike(pattern),
                Adhesion.acronym.ilike(pattern),
                Adhesion.siret.like(pattern),
            )
        )
    session = _session(context)
    count = session.execute(
        sa.select(sa.func.count()).select_from(Adhesion).where(*conditions)
    ).scalar_one()
    rows = session.execute(
        sa.select(Adhesion, model.Group.name, model.Group.title)
        .outerjoin(model.Group, model.Group.id == Adhesion.organization_id)
        .where(*conditions)
        .order_by(Adhesion.modified.desc(), Adhesion.id)
        .limit(data_dict["limit"])
        .offset(data_dict["offset"])
    ).all()
    results = []
    for adhesion, name, title in rows:
        item = adhesion.dictize()
        item["organization"] = {"id": adhesion.organization_id, "name": name, "title": title}
        results.append(item)
    return {"count": count, "results": results}


@tk.side_effect_free
@validate(schema.adhesion_history)
def dinamis_relay_adhesion_history(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Audit events of an adhesion (`id`) or of all adhesions of an organization
    (`organization_id`), newest first, paged (`limit`, `offset`): {"count", "results"}.
    Each event carries `user_name` and `user_fullname` when made by a CKAN user."""
    if data_dict.get("id"):
        adhesion = _load(context, data_dict)
        _check(context, "history", adhesion, data_dict)
        condition = sa.and_(
            AuditEvent.object_type == "adhesion", AuditEvent.object_id == adhesion.id
        )
    elif data_dict.get("organization_id"):
        group = model.Group.get(data_dict["organization_id"])
        if group is None or not group.is_organization:
            raise tk.ObjectNotFound(tk._("Organization not found"))
        tk.check_access("dinamis_relay_adhesion_history", context, {"organization_id": group.id})
        visible = sa.select(Adhesion.id).where(Adhesion.organization_id == group.id)
        clause = visible_clause(context_roles(context))
        if clause is not None:
            visible = visible.where(clause)
        condition = sa.and_(
            AuditEvent.object_type == "adhesion",
            AuditEvent.organization_id == group.id,
            AuditEvent.object_id.in_(visible),
        )
    else:
        raise tk.ValidationError({"id": [tk._("Give an adhesion id or an organization")]})
    session = _session(context)
    count = session.execute(
        sa.select(sa.func.count()).select_from(AuditEvent).where(condition)
    ).scalar_one()
    rows = session.execute(
        sa.select(AuditEvent, model.User.name, model.User.fullname)
        .outerjoin(model.User, model.User.id == AuditEvent.user_id)
        .where(condition)
        .order_by(AuditEvent.id.desc())
        .limit(data_dict["limit"])
        .offset(data_dict["offset"])
    ).all()
    results = []
    for event, name, fullname in rows:
        item = event.dictize()
        item["user_name"] = name
        item["user_fullname"] = fullname
        results.append(item)
    return {"count": count, "results": results}


# Drafting


def _new_adhesion(
    context: Context, organization_id: str, mode: str, previous: Adhesion | None
) -> Adhesion:
    """A new current draft (not yet in the session), copying entity and people fields."""
    adhesion = Adhesion(
        organization_id=organization_id,
        mode=mode,
        is_current=True,
        email_domains=[],
        created_by=_user_id(context),
    )
    if previous is not None:
        for field in COPIED_FIELDS:
            setattr(adhesion, field, getattr(previous, field))
        adhesion.email_domains = list(previous.email_domains or [])
        adhesion.previous_id = previous.id
    return adhesion


def _replacing(context: Context, previous: Adhesion | None) -> Any:
    """`prepare` of a new application: the previous one stops being current first (the
    unique index allows one current row), then the new row is inserted; a concurrent
    application for the same organization is a clean error."""

    def prepare(adhesion: Adhesion) -> None:
        session = _session(context)
        if previous is not None:
            previous.is_current = False
            session.flush()
        session.add(adhesion)
        try:
            session.flush()
        except IntegrityError as error:
            raise tk.ValidationError(
                {"organization_id": [tk._("This organization already has an adhesion in progress")]}
            ) from error

    return prepare


def _already_applied(previous: Adhesion) -> tk.ValidationError:
    """Why no new application may start while `previous` is the current one."""
    if ADHESION.rule("renew", previous.state) is not None:
        message = tk._("This organization's adhesion has expired: renew it instead.")
    else:
        message = tk._("This organization already has an adhesion ({state})").format(
            state=ADHESION.state_label(previous.state)
        )
    return tk.ValidationError({"organization_id": [message]})


def _apply_fields(adhesion: Adhesion, data_dict: DataDict) -> dict[str, Any]:
    """Set the editable fields (missing ones are emptied); return the changed ones."""
    changed = {}
    for field in EDITABLE_FIELDS:
        value = data_dict.get(field)
        if field == "email_domains":
            value = value or []
        elif value == "":
            value = None
        if getattr(adhesion, field) != value:
            changed[field] = value
            setattr(adhesion, field, value)
    return changed


@validate(schema.adhesion_create)
def dinamis_relay_adhesion_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Start an application (a draft) for an organization.

    `organization_id` (id or name), `mode` (classic | relay), and any of the editable fields:
    legal_name, acronym, siret, entity_type, eligibility_category, eligibility_justification,
    address, postcode, city, department, website, phone, email_domains, legal_rep_name,
    legal_rep_title, legal_rep_email, referent_user_id (id or name), referent_title,
    referent_phone, convention_number, amendment_number.

    In classic mode the referent defaults to the caller. Possible when the organization has
    no adhesion or its current one was rejected or terminated (an expired one is renewed
    with `adhesion_renew`); the new draft copies the previous entity and people fields
    (`previous_id`).
    """
    tk.check_access("dinamis_relay_adhesion_create", context, data_dict)
    organization_id = data_dict["organization_id"]
    # Locked: two applications for one organization at once queue up here.
    previous = Adhesion.current_for(organization_id, _session(context), lock=True)
    if previous is not None and ADHESION.rule("create", previous.state) is None:
        lifecycle.refuse(context, _already_applied(previous))
    adhesion = _new_adhesion(context, organization_id, data_dict["mode"], previous)
    values = {field: getattr(adhesion, field) for field in EDITABLE_FIELDS}
    values.update({k: v for k, v in data_dict.items() if k in EDITABLE_FIELDS})
    if not values.get("legal_name"):
        group = model.Group.get(organization_id)
        values["legal_name"] = group.title if group is not None else None
    if adhesion.mode == "classic" and not values.get("referent_user_id"):
        values["referent_user_id"] = _user_id(context)
    _apply_fields(adhesion, values)
    _apply(
        context,
        adhesion,
        "create",
        data_dict,
        rule_state=previous.state if previous is not None else lifecycle.NEW,
        prepare=_replacing(context, previous),
        data={"previous_id": previous.id} if previous is not None else None,
    )
    return _dictize(context, adhesion)


def _save_fields(
    context: Context, adhesion: Adhesion, values: DataDict, data_dict: DataDict
) -> dict[str, Any]:
    """Write the editable fields of a locked adhesion through the `update` transition
    (a journalled change; nothing is journalled when nothing changed)."""
    changed = _apply_fields(adhesion, values)
    if changed:
        _apply(context, adhesion, "update", data_dict, data={"fields": sorted(changed)})
    else:
        lifecycle.finish(context)
    return _dictize(context, adhesion)


def _require_editable(context: Context, adhesion: Adhesion) -> None:
    if ADHESION.rule("update", adhesion.state) is None:
        lifecycle.refuse(context, ADHESION.state_error("update", adhesion.state))


@validate(schema.adhesion_update)
def dinamis_relay_adhesion_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Replace the editable fields of a draft or returned adhesion (see create; fields left
    out are emptied — use patch to change some only). `id` required."""
    adhesion = _locked_for(context, "update", data_dict)
    _require_editable(context, adhesion)
    return _save_fields(context, adhesion, data_dict, data_dict)


@validate(schema.adhesion_patch)
def dinamis_relay_adhesion_patch(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Change only the given editable fields of a draft or returned adhesion. `id` required."""
    # Lock first, then merge into the values read under the lock: a patch of another field
    # committed meanwhile is kept instead of being written back with its old value.
    adhesion = _locked_for(context, "patch", data_dict)
    _require_editable(context, adhesion)
    merged = {field: getattr(adhesion, field) for field in EDITABLE_FIELDS}
    merged.update({k: v for k, v in data_dict.items() if k in EDITABLE_FIELDS})
    merged["id"] = adhesion.id
    # The checks across fields (postcode and department) on the merged whole.
    merged, errors = tk.navl_validate(merged, schema.adhesion_update(), context)
    if errors:
        lifecycle.refuse(context, tk.ValidationError(errors))
    return _save_fields(context, adhesion, merged, data_dict)


@validate(schema.adhesion_check_eligibility)
def dinamis_relay_adhesion_check_eligibility(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Record a super-referent's eligibility check of a relay-mode draft: `id`, `eligible`
    (bool), `note`. Submitting a relay-mode adhesion needs the latest check positive."""
    adhesion = _locked_for(context, "check_eligibility", data_dict)
    eligible = bool(data_dict["eligible"])
    note = data_dict.get("note") or None

    def record_check(adhesion: Adhesion) -> None:
        _session(context).add(
            EligibilityCheck(
                adhesion_id=adhesion.id,
                eligible=eligible,
                note=note,
                checked_by=_user_id(context) or "",
                checked_at=utcnow(),
            )
        )

    _apply(
        context,
        adhesion,
        "check_eligibility",
        data_dict,
        prepare=record_check,
        comment=note,
        data={"eligible": eligible},
    )
    return _dictize(context, adhesion)


# Submission and the legal representative


@validate(schema.adhesion_id)
def dinamis_relay_adhesion_submit(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Submit a complete draft (or a returned adhesion): `id`. The legal representative is
    emailed a signed, single-use link valid `legal_link_hours`. In relay mode an empty
    amendment number is generated."""
    adhesion = _locked_for(context, "submit", data_dict)
    now = utcnow()
    # The link is made from the nonce drawn once the rule has passed.
    link: dict[str, str] = {}

    def prepare(adhesion: Adhesion) -> None:
        if adhesion.mode == "relay" and not adhesion.amendment_number:
            adhesion.amendment_number = numbers.next_number("amendment")
        adhesion.legal_token_nonce = tokens.new_nonce()
        adhesion.legal_token_expires = now + datetime.timedelta(hours=tokens.link_hours())
        adhesion.legal_accepted_at = None
        adhesion.submitted_by = _user_id(context)
        adhesion.submitted_at = now
        link["url"] = tokens.legal_link_url(
            tokens.make_token(adhesion.id, adhesion.legal_token_nonce)
        )

    _apply(context, adhesion, "submit", data_dict, prepare=prepare, legal_link=lambda: link["url"])
    return _dictize(context, adhesion)


def _legal_adhesion(context: Context, token: str, lock: bool) -> Adhesion:
    """The adhesion a legal link is for, if the link is still usable; else ValidationError."""
    try:
        payload = tokens.read_token(token)
    except tokens.TokenError as error:
        raise tk.ValidationError({"token": [str(error)]}) from error
    query = sa.select(Adhesion).where(Adhesion.id == payload.adhesion_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    adhesion = _session(context).execute(query).scalar_one_or_none()
    if adhesion is None:
        raise tk.ValidationError({"token": [tk._("This validation link is invalid.")]})
    if (
        adhesion.state != PENDING_LEGAL
        or not adhesion.legal_token_nonce
        or adhesion.legal_token_nonce != payload.nonce
    ):
        raise tk.ValidationError(
            {"token": [tk._("This validation link has already been used or replaced.")]}
        )
    if adhesion.legal_token_expires and adhesion.legal_token_expires < utcnow():
        raise tk.ValidationError(
            {
                "token": [
                    tk._("This validation link has expired. Ask the applicant to submit again.")
                ]
            }
        )
    return adhesion


@tk.side_effect_free
@validate(schema.legal_token)
def dinamis_relay_adhesion_legal_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """For the legal representative's page (anonymous; the `token` is the authority): a
    summary of the application and the `texts` to accept (kind, code, version, title, html)."""
    tk.check_access("dinamis_relay_adhesion_legal_show", context, data_dict)
    adhesion = _legal_adhesion(context, data_dict["token"], lock=False)
    organization = _organizations([adhesion.organization_id]).get(adhesion.organization_id)
    referent = model.User.get(adhesion.referent_user_id) if adhesion.referent_user_id else None
    summary_fields = (
        "id",
        "mode",
        "state",
        *ENTITY_FIELDS,
        "email_domains",
        "legal_rep_name",
        "legal_rep_title",
        "legal_rep_email",
        "referent_title",
        "convention_number",
        "amendment_number",
        "submitted_at",
        "legal_token_expires",
    )
    full = adhesion.dictize()
    return {
        "adhesion": {field: full.get(field) for field in summary_fields},
        "organization": organization,
        "referent_name": (referent.fullname or referent.name) if referent else None,
        "relay_label": tk.config.get("ckanext.dinamis_relay.relay_label") or "",
        "texts": [text.as_dict() for text in texts.required_texts(adhesion.mode)],
    }


@validate(schema.adhesion_legal_validate)
def dinamis_relay_adhesion_legal_validate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The legal representative accepts or declines (`token`, `decision` accept | decline,
    optional `comment`). Accepting records one acceptance per text (charter, licences, relay
    amendment) and sends the application to DINAMIS; declining returns it to the applicant.
    The link then stops working. Returns {"state", "organization"} (no personal data)."""
    tk.check_access("dinamis_relay_adhesion_legal_validate", context, data_dict)
    try:
        adhesion = _legal_adhesion(context, data_dict["token"], lock=True)
    except tk.ValidationError as error:
        lifecycle.refuse(context, error)
    required = texts.required_texts(adhesion.mode)
    accept = data_dict["decision"] == "accept"
    if accept and not all(t.available for t in required):
        lifecycle.refuse(
            context,
            tk.ValidationError(
                {"token": [tk._("The texts to accept are missing; contact the platform.")]}
            ),
        )
    now = utcnow()
    comment = data_dict.get("comment") or None

    def prepare(adhesion: Adhesion) -> None:
        adhesion.legal_token_nonce = None
        adhesion.legal_token_expires = None
        if not accept:
            adhesion.decision_reason = comment or tk._("Declined by the legal representative")
            return
        adhesion.legal_accepted_at = now
        for text in required:
            _session(context).add(
                Acceptance(
                    adhesion_id=adhesion.id,
                    text_kind=text.kind,
                    text_code=text.code,
                    text_version=text.version,
                    accepted_by_name=adhesion.legal_rep_name or "",
                    accepted_by_email=adhesion.legal_rep_email or "",
                    accepted_at=now,
                )
            )

    _apply(
        context,
        adhesion,
        "legal_accept" if accept else "legal_decline",
        data_dict,
        actor_id=None,
        actor_label=f"{adhesion.legal_rep_name} <{adhesion.legal_rep_email}>",
        prepare=prepare,
        comment=comment,
        data={"texts": [f"{t.code}:{t.version}" for t in required]},
    )
    organizations = _organizations([adhesion.organization_id])
    return {"state": adhesion.state, "organization": organizations.get(adhesion.organization_id)}


# DINAMIS decisions


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@validate(schema.adhesion_decide)
def dinamis_relay_adhesion_decide(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """An instructor's decision on a pending application: `id`, `decision` (accept | reject |
    return), `reason` (required to reject or return), optional `dinamis_reference`.
    Accepting gives the adhesion its number and validity (`adhesion_validity_years`)."""
    decision = data_dict["decision"]
    adhesion = _locked_for(context, "decide", data_dict)
    data: dict[str, Any] = {}

    def prepare(adhesion: Adhesion) -> None:
        adhesion.decided_by = _user_id(context)
        adhesion.decided_at = utcnow()
        adhesion.decision_reason = data_dict.get("reason") or None
        if data_dict.get("dinamis_reference"):
            adhesion.dinamis_reference = data_dict["dinamis_reference"]
        data["dinamis_reference"] = adhesion.dinamis_reference
        if decision == "accept":
            # Same transaction as the state change: concurrent accepts queue on the counter.
            adhesion.number = numbers.next_number("adhesion")
            today = datetime.date.today()
            adhesion.valid_from = today
            adhesion.valid_until = _add_years(
                today, int(tk.config["ckanext.dinamis_relay.adhesion_validity_years"])
            )
            adhesion.reminder_sent_at = None
            data["number"] = adhesion.number

    _apply(
        context,
        adhesion,
        decision,
        data_dict,
        prepare=prepare,
        comment=data_dict.get("reason") or None,
        data=data,
    )
    return _dictize(context, adhesion)


def _simple_transition(context: Context, data_dict: DataDict, name: str) -> dict[str, Any]:
    adhesion = _locked_for(context, name, data_dict)
    _apply(context, adhesion, name, data_dict, comment=data_dict.get("reason") or None)
    return _dictize(context, adhesion)


@validate(schema.adhesion_reasoned)
def dinamis_relay_adhesion_suspend(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Suspend an accepted adhesion: `id`, `reason` (required). Instructors."""
    return _simple_transition(context, data_dict, "suspend")


@validate(schema.adhesion_reinstate)
def dinamis_relay_adhesion_reinstate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Reinstate a suspended adhesion: `id`, optional `reason`. Instructors."""
    return _simple_transition(context, data_dict, "reinstate")


@validate(schema.adhesion_reasoned)
def dinamis_relay_adhesion_terminate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Terminate an accepted adhesion for good: `id`, `reason` (required). Instructors."""
    return _simple_transition(context, data_dict, "terminate")


@validate(schema.adhesion_reference)
def dinamis_relay_adhesion_renew(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Start the renewal of an expired adhesion (`id` or `organization_id`): a new draft
    copying the entity and people fields, `previous_id` pointing to the expired one."""
    if not data_dict.get("id") and not data_dict.get("organization_id"):
        raise tk.ValidationError({"id": [tk._("Give an adhesion id or an organization")]})
    previous = _locked_for(context, "renew", data_dict)
    if not previous.is_current:
        lifecycle.refuse(
            context,
            tk.ValidationError(
                {"id": [tk._("This adhesion has already been renewed or replaced")]}
            ),
        )
    adhesion = _new_adhesion(context, previous.organization_id, previous.mode, previous)
    _apply(
        context,
        adhesion,
        "renew",
        data_dict,
        rule_state=previous.state,
        prepare=_replacing(context, previous),
        data={"previous_id": previous.id},
    )
    return _dictize(context, adhesion)


# Expiry (cron)


@validate(schema.adhesion_expire)
def dinamis_relay_adhesion_expire(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Daily housekeeping (`ckan dinamis-relay expire`), sysadmins only:

    - accepted adhesions whose `valid_until` has passed become `expired` (access already
      stopped at `valid_until`: access is computed from the dates, not from this run);
    - accepted adhesions ending within `reminder_days` get one reminder email;
    - pending legal validations whose link has expired go back to `returned`.

    `dry_run` reports without changing anything; `today` (ISO date) is for tests.
    Returns lists of adhesion ids: {"expired", "reminded", "links_expired"}.
    """
    tk.check_access("dinamis_relay_adhesion_expire", context, data_dict)
    today_value = data_dict.get("today")
    today = today_value.date() if today_value else datetime.date.today()
    now = datetime.datetime.combine(today, utcnow().time()) if today_value else utcnow()
    reminder_limit = today + datetime.timedelta(
        days=int(tk.config["ckanext.dinamis_relay.reminder_days"])
    )
    session = _session(context)

    def _select(*conditions: Any) -> list[Adhesion]:
        query = sa.select(Adhesion).where(*conditions).order_by(Adhesion.id)
        if not data_dict["dry_run"]:
            query = query.with_for_update(skip_locked=True)
        return list(session.execute(query).scalars())

    expired = _select(Adhesion.state == ACCEPTED, Adhesion.valid_until < today)
    reminded = _select(
        Adhesion.state == ACCEPTED,
        Adhesion.valid_until >= today,
        Adhesion.valid_until <= reminder_limit,
        Adhesion.reminder_sent_at.is_(None),
    )
    links = _select(Adhesion.state == PENDING_LEGAL, Adhesion.legal_token_expires < now)
    result = {
        "expired": [a.id for a in expired],
        "reminded": [a.id for a in reminded],
        "links_expired": [a.id for a in links],
    }
    if data_dict["dry_run"]:
        return result

    for adhesion in expired:
        _apply(context, adhesion, "expire", data_dict, commit=False)

    def link_expired(adhesion: Adhesion) -> None:
        adhesion.legal_token_nonce = None
        adhesion.legal_token_expires = None
        adhesion.decision_reason = tk._("The legal representative's link expired")

    for adhesion in links:
        _apply(
            context,
            adhesion,
            "legal_link_expired",
            data_dict,
            prepare=link_expired,
            comment=tk._("The legal representative's link expired"),
            commit=False,
        )
    for adhesion in reminded:
        # A reminder is an event, not a transition: the state stays.
        adhesion.reminder_sent_at = utcnow()
        audit.record(
            object_type="adhesion",
            object_id=adhesion.id,
            organization_id=adhesion.organization_id,
            action="reminder",
            from_state=adhesion.state,
            to_state=adhesion.state,
            user_id=_user_id(context),
            data={"valid_until": str(adhesion.valid_until)},
        )
        notify.transition(session, adhesion, "reminder", user_id=_user_id(context))
    lifecycle.finish(context)
    return result
