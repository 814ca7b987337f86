"""Adhesion actions: the application of an organization to DINAMIS and its lifecycle.

Lifecycle (DOMAIN.md):

    draft/returned ──submit──▶ pending_legal_validation ──legal accept──▶ pending_instruction
    pending_legal_validation ──legal decline / link expires──▶ returned
    pending_instruction ──accept──▶ accepted | ──reject──▶ rejected | ──return──▶ returned
    accepted ──suspend──▶ suspended ──reinstate──▶ accepted
    accepted ──terminate──▶ terminated     accepted ──(validity ends)──▶ expired
    expired ──renew──▶ a new draft (new row, previous_id = the expired one)

Every transition locks the adhesion row, checks the state, writes an audit event in the same
transaction, commits, then sends `signals.adhesion_transition` and queues the emails.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.logic import validate
from ckan.types import Context, DataDict
from sqlalchemy.exc import IntegrityError

from ... import audit, choices, notify, numbers, signals, texts, tokens
from ...model import Acceptance, Adhesion, AuditEvent, EligibilityCheck
from ...model.adhesion import (
    ACCEPTED,
    DRAFT,
    ENTITY_FIELDS,
    EXPIRED,
    PENDING_INSTRUCTION,
    PENDING_LEGAL,
    PEOPLE_FIELDS,
    REJECTED,
    RETURNED,
    SUSPENDED,
    TERMINATED,
)
from ...model.base import utcnow
from ...roles import context_roles
from .. import schema
from ..auth import adhesion as auth

log = logging.getLogger(__name__)

EDITABLE = (DRAFT, RETURNED)
# A new application may replace the current one only once that one is over.
CLOSED = (REJECTED, TERMINATED, EXPIRED)
EDITABLE_FIELDS = (
    *ENTITY_FIELDS,
    "email_domains",
    *PEOPLE_FIELDS,
    "convention_number",
    "amendment_number",
)
# Fields a new application copies from the previous one (renewal, new application).
COPIED_FIELDS = tuple(f for f in EDITABLE_FIELDS if f != "amendment_number")
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


# Plumbing


def _session(context: Context) -> Any:
    return context.get("session") or model.Session


def _commit(context: Context) -> None:
    if not context.get("defer_commit"):
        _session(context).commit()


def _rollback(context: Context) -> None:
    _session(context).rollback()


def _load(context: Context, data_dict: DataDict, lock: bool = False) -> Adhesion:
    """The adhesion by `id` or the current one of `organization_id`; locked if asked, so
    concurrent transitions of one adhesion queue up and the second sees the new state."""
    adhesion = auth.find_adhesion(context, data_dict)
    if adhesion is None:
        raise tk.ObjectNotFound(tk._("Adhesion not found"))
    if lock:
        adhesion = (
            _session(context)
            .execute(
                sa.select(Adhesion)
                .where(Adhesion.id == adhesion.id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
            .scalar_one()
        )
    context["dinamis_relay_adhesion"] = adhesion
    return adhesion


def _check(context: Context, action: str, adhesion: Adhesion, data_dict: DataDict) -> None:
    context["dinamis_relay_adhesion"] = adhesion
    tk.check_access(f"dinamis_relay_adhesion_{action}", context, {**data_dict, "id": adhesion.id})


def _require_state(adhesion: Adhesion, allowed: tuple[str, ...]) -> None:
    if adhesion.state not in allowed:
        raise tk.ValidationError(
            {
                "state": [
                    tk._('This is not possible while the adhesion is "{state}".').format(
                        state=choices.label(choices.state_choices(), adhesion.state)
                    )
                ]
            }
        )


def _user_id(context: Context) -> str | None:
    return context_roles(context).user_id


def _record(
    context: Context,
    adhesion: Adhesion,
    action: str,
    from_state: str | None,
    comment: str | None = None,
    data: dict[str, Any] | None = None,
    actor_label: str | None = None,
    user_id: str | None = "context",
) -> None:
    audit.record(
        object_type="adhesion",
        object_id=adhesion.id,
        organization_id=adhesion.organization_id,
        action=action,
        from_state=from_state,
        to_state=adhesion.state,
        user_id=_user_id(context) if user_id == "context" else user_id,
        actor_label=actor_label,
        comment=comment,
        data=data,
    )


def _after_commit(
    context: Context,
    adhesion: Adhesion,
    action: str,
    from_state: str | None,
    legal_link: str | None = None,
) -> None:
    """Queue emails and tell subscribers, once the transition is stored.

    The transition is committed by now: a failing subscriber is logged, not reported to the
    caller as if nothing had happened. (With `defer_commit` the caller commits right after.)
    """
    notify.adhesion_transition(adhesion.id, action, legal_link=legal_link)
    try:
        signals.adhesion_transition.send(
            adhesion.id,
            action=action,
            from_state=from_state,
            to_state=adhesion.state,
            user_id=_user_id(context),
        )
    except Exception:
        log.exception("A subscriber of adhesion_transition failed (%s %s)", action, adhesion.id)
        if not context.get("defer_commit"):
            _session(context).rollback()


def _transition(
    context: Context,
    adhesion: Adhesion,
    action: str,
    to_state: str,
    comment: str | None = None,
    data: dict[str, Any] | None = None,
    **audit_kwargs: Any,
) -> dict[str, Any]:
    from_state = adhesion.state
    adhesion.state = to_state
    adhesion.modified = utcnow()
    _record(context, adhesion, action, from_state, comment=comment, data=data, **audit_kwargs)
    _commit(context)
    _after_commit(context, adhesion, action, from_state)
    return _dictize(context, adhesion)


def _organizations(ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    rows = model.Session.execute(
        sa.select(model.Group.id, model.Group.name, model.Group.title).where(
            model.Group.id.in_(ids)
        )
    ).all()
    return {row.id: {"id": row.id, "name": row.name, "title": row.title} for row in rows}


def _allowed_actions(context: Context, adhesion: Adhesion) -> list[str]:
    """What the caller may do now: the web pages show these buttons and no others."""
    roles = context_roles(context)
    state = adhesion.state
    allowed = []
    if state in EDITABLE and auth.can_edit(roles, adhesion):
        allowed.append("update")
    if state in EDITABLE and adhesion.mode == "relay" and roles.is_super_referent:
        allowed.append("check_eligibility")
    if state in EDITABLE and auth.can_submit(roles, adhesion):
        allowed.append("submit")
    if roles.is_instructor:
        allowed += {
            PENDING_INSTRUCTION: ["decide"],
            ACCEPTED: ["suspend", "terminate"],
            SUSPENDED: ["reinstate"],
        }.get(state, [])
    if state == EXPIRED and auth.can_apply(roles, adhesion.organization_id, adhesion.mode):
        allowed.append("renew")
    return allowed


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
    data["actions"] = _allowed_actions(context, adhesion)
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


def _visible_filter(context: Context) -> Any:
    """WHERE clause of the adhesions the caller may see (None: all), built from roles."""
    roles = context_roles(context)
    if roles.sysadmin or roles.super_referent:
        return None
    if not roles.user_id:
        return sa.false()
    conditions = [
        Adhesion.referent_user_id == roles.user_id,
        Adhesion.organization_id.in_(auth.admin_org_ids_query(roles.user_id)),
    ]
    if roles.instructor:
        conditions.append(Adhesion.state != DRAFT)
    return sa.or_(*conditions)


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
    visible = _visible_filter(context)
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
        condition = sa.and_(
            AuditEvent.object_type == "adhesion", AuditEvent.organization_id == group.id
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
    """A new current draft, copying entity and people fields from `previous`."""
    session = _session(context)
    adhesion = Adhesion(
        organization_id=organization_id,
        mode=mode,
        state=DRAFT,
        is_current=True,
        email_domains=[],
        created_by=_user_id(context),
    )
    if previous is not None:
        for field in COPIED_FIELDS:
            setattr(adhesion, field, getattr(previous, field))
        adhesion.email_domains = list(previous.email_domains or [])
        adhesion.previous_id = previous.id
        previous.is_current = False
        # The old row must stop being current before the new one is inserted (unique index).
        session.flush()
    session.add(adhesion)
    try:
        session.flush()
    except IntegrityError as error:
        # Someone created an adhesion for this organization at the same moment.
        _rollback(context)
        raise tk.ValidationError(
            {"organization_id": [tk._("This organization already has an adhesion in progress")]}
        ) from error
    return adhesion


def _current(context: Context, organization_id: str, lock: bool = False) -> Adhesion | None:
    query = sa.select(Adhesion).where(
        Adhesion.organization_id == organization_id, Adhesion.is_current.is_(True)
    )
    if lock:
        query = query.with_for_update()
    return _session(context).execute(query).scalar_one_or_none()


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

    In classic mode the referent defaults to the caller. Refused while the organization's
    current adhesion is in progress or accepted; after a rejection, termination or expiry
    the new draft copies the previous entity and people fields (`previous_id`).
    """
    tk.check_access("dinamis_relay_adhesion_create", context, data_dict)
    organization_id = data_dict["organization_id"]
    previous = _current(context, organization_id, lock=True)
    if previous is not None and previous.state not in CLOSED:
        _rollback(context)
        raise tk.ValidationError(
            {
                "organization_id": [
                    tk._("This organization already has an adhesion ({state})").format(
                        state=choices.label(choices.state_choices(), previous.state)
                    )
                ]
            }
        )
    adhesion = _new_adhesion(context, organization_id, data_dict["mode"], previous)
    values = {field: getattr(adhesion, field) for field in EDITABLE_FIELDS}
    values.update({k: v for k, v in data_dict.items() if k in EDITABLE_FIELDS})
    if not values.get("legal_name"):
        group = model.Group.get(organization_id)
        values["legal_name"] = group.title if group is not None else None
    if adhesion.mode == "classic" and not values.get("referent_user_id"):
        values["referent_user_id"] = _user_id(context)
    _apply_fields(adhesion, values)
    _record(
        context,
        adhesion,
        "create",
        None,
        data={"previous_id": previous.id} if previous is not None else None,
    )
    _commit(context)
    _after_commit(context, adhesion, "create", None)
    return _dictize(context, adhesion)


@validate(schema.adhesion_update)
def dinamis_relay_adhesion_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Replace the editable fields of a draft or returned adhesion (see create; fields left
    out are emptied — use patch to change some only). `id` required."""
    adhesion = _load(context, data_dict, lock=True)
    try:
        _check(context, "update", adhesion, data_dict)
        _require_state(adhesion, EDITABLE)
    except (tk.NotAuthorized, tk.ValidationError):
        _rollback(context)
        raise
    return _save_fields(context, adhesion, data_dict)


def _save_fields(context: Context, adhesion: Adhesion, values: DataDict) -> dict[str, Any]:
    """Write the editable fields of a locked adhesion, journal the change, commit."""
    changed = _apply_fields(adhesion, values)
    if changed:
        adhesion.modified = utcnow()
        _record(context, adhesion, "update", adhesion.state, data={"fields": sorted(changed)})
    _commit(context)
    return _dictize(context, adhesion)


@validate(schema.adhesion_patch)
def dinamis_relay_adhesion_patch(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Change only the given editable fields of a draft or returned adhesion. `id` required."""
    # Lock first, then merge into the values read under the lock: a patch of another field
    # committed meanwhile is kept instead of being written back with its old value.
    adhesion = _load(context, data_dict, lock=True)
    try:
        _check(context, "patch", adhesion, data_dict)
        _require_state(adhesion, EDITABLE)
        merged = {field: getattr(adhesion, field) for field in EDITABLE_FIELDS}
        merged.update({k: v for k, v in data_dict.items() if k in EDITABLE_FIELDS})
        merged["id"] = adhesion.id
        # The checks across fields (postcode and department) on the merged whole.
        merged, errors = tk.navl_validate(merged, schema.adhesion_update(), context)
        if errors:
            raise tk.ValidationError(errors)
    except (tk.NotAuthorized, tk.ValidationError):
        _rollback(context)
        raise
    return _save_fields(context, adhesion, merged)


@validate(schema.adhesion_check_eligibility)
def dinamis_relay_adhesion_check_eligibility(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Record a super-referent's eligibility check of a relay-mode draft: `id`, `eligible`
    (bool), `note`. Submitting a relay-mode adhesion needs the latest check positive."""
    adhesion = _load(context, data_dict, lock=True)
    try:
        _check(context, "check_eligibility", adhesion, data_dict)
        _require_state(adhesion, EDITABLE)
    except (tk.NotAuthorized, tk.ValidationError):
        _rollback(context)
        raise
    check = EligibilityCheck(
        adhesion_id=adhesion.id,
        eligible=bool(data_dict["eligible"]),
        note=data_dict.get("note") or None,
        checked_by=_user_id(context) or "",
        checked_at=utcnow(),
    )
    _session(context).add(check)
    adhesion.modified = utcnow()
    _record(
        context,
        adhesion,
        "check_eligibility",
        adhesion.state,
        comment=check.note,
        data={"eligible": check.eligible},
    )
    _commit(context)
    return _dictize(context, adhesion)


# Submission and the legal representative


def _submit_errors(context: Context, adhesion: Adhesion) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    missing = tk._("Missing value")
    for field in REQUIRED_ON_SUBMIT:
        if not getattr(adhesion, field):
            errors[field] = [missing]
    if (
        adhesion.eligibility_category in choices.JUSTIFIED_CATEGORIES
        and not adhesion.eligibility_justification
    ):
        errors["eligibility_justification"] = [
            tk._("Explain why this company is eligible for DINAMIS")
        ]
    if adhesion.referent_user_id:
        referent = model.User.get(adhesion.referent_user_id)
        if referent is None or referent.state != "active":
            errors["referent_user_id"] = [tk._("User not found")]
    if adhesion.mode == "relay":
        if not adhesion.convention_number:
            errors["convention_number"] = [missing]
        latest = (
            _session(context)
            .execute(
                sa.select(EligibilityCheck.eligible)
                .where(EligibilityCheck.adhesion_id == adhesion.id)
                .order_by(EligibilityCheck.checked_at.desc(), EligibilityCheck.id)
                .limit(1)
            )
            .scalar()
        )
        if latest is not True:
            errors["eligibility"] = [
                tk._("A super-referent must record a positive eligibility check first")
            ]
    return errors


@validate(schema.adhesion_id)
def dinamis_relay_adhesion_submit(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Submit a complete draft (or a returned adhesion): `id`. The legal representative is
    emailed a signed, single-use link valid `legal_link_hours`. In relay mode an empty
    amendment number is generated."""
    adhesion = _load(context, data_dict, lock=True)
    try:
        _check(context, "submit", adhesion, data_dict)
        _require_state(adhesion, EDITABLE)
        errors = _submit_errors(context, adhesion)
        if errors:
            raise tk.ValidationError(errors)
    except (tk.NotAuthorized, tk.ValidationError):
        _rollback(context)
        raise
    if adhesion.mode == "relay" and not adhesion.amendment_number:
        adhesion.amendment_number = numbers.next_number("amendment")
    now = utcnow()
    adhesion.legal_token_nonce = tokens.new_nonce()
    adhesion.legal_token_expires = now + datetime.timedelta(hours=tokens.link_hours())
    adhesion.legal_accepted_at = None
    adhesion.submitted_by = _user_id(context)
    adhesion.submitted_at = now
    from_state = adhesion.state
    adhesion.state = PENDING_LEGAL
    adhesion.modified = now
    _record(context, adhesion, "submit", from_state)
    _commit(context)
    link = tokens.legal_link_url(tokens.make_token(adhesion.id, adhesion.legal_token_nonce))
    _after_commit(context, adhesion, "submit", from_state, legal_link=link)
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
        required = texts.required_texts(adhesion.mode)
        if data_dict["decision"] == "accept" and not all(t.available for t in required):
            raise tk.ValidationError(
                {"token": [tk._("The texts to accept are missing; contact the platform.")]}
            )
    except tk.ValidationError:
        _rollback(context)
        raise
    now = utcnow()
    from_state = adhesion.state
    actor = f"{adhesion.legal_rep_name} <{adhesion.legal_rep_email}>"
    comment = data_dict.get("comment") or None
    adhesion.legal_token_nonce = None
    adhesion.legal_token_expires = None
    adhesion.modified = now
    if data_dict["decision"] == "accept":
        action = "legal_accept"
        adhesion.legal_accepted_at = now
        adhesion.state = PENDING_INSTRUCTION
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
    else:
        action = "legal_decline"
        adhesion.state = RETURNED
        adhesion.decision_reason = comment or tk._("Declined by the legal representative")
    _record(
        context,
        adhesion,
        action,
        from_state,
        comment=comment,
        data={"texts": [f"{t.code}:{t.version}" for t in required]},
        actor_label=actor,
        user_id=None,
    )
    _commit(context)
    _after_commit(context, adhesion, action, from_state)
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
    adhesion = _load(context, data_dict, lock=True)
    try:
        _check(context, "decide", adhesion, data_dict)
        _require_state(adhesion, (PENDING_INSTRUCTION,))
        if decision in ("reject", "return") and not data_dict.get("reason"):
            raise tk.ValidationError({"reason": [tk._("Give the reason for this decision")]})
    except (tk.NotAuthorized, tk.ValidationError):
        _rollback(context)
        raise
    adhesion.decided_by = _user_id(context)
    adhesion.decided_at = utcnow()
    adhesion.decision_reason = data_dict.get("reason") or None
    if data_dict.get("dinamis_reference"):
        adhesion.dinamis_reference = data_dict["dinamis_reference"]
    data: dict[str, Any] = {"dinamis_reference": adhesion.dinamis_reference}
    if decision == "accept":
        # Same transaction as the state change: concurrent accepts queue on the counter row.
        adhesion.number = numbers.next_number("adhesion")
        today = datetime.date.today()
        adhesion.valid_from = today
        adhesion.valid_until = _add_years(
            today, int(tk.config["ckanext.dinamis_relay.adhesion_validity_years"])
        )
        adhesion.reminder_sent_at = None
        data["number"] = adhesion.number
    to_state = {"accept": ACCEPTED, "reject": REJECTED, "return": RETURNED}[decision]
    return _transition(
        context, adhesion, decision, to_state, comment=adhesion.decision_reason, data=data
    )


def _simple_transition(
    context: Context,
    data_dict: DataDict,
    action: str,
    from_states: tuple[str, ...],
    to_state: str,
) -> dict[str, Any]:
    adhesion = _load(context, data_dict, lock=True)
    try:
        _check(context, action, adhesion, data_dict)
        _require_state(adhesion, from_states)
    except (tk.NotAuthorized, tk.ValidationError):
        _rollback(context)
        raise
    return _transition(context, adhesion, action, to_state, comment=data_dict.get("reason"))


@validate(schema.adhesion_reasoned)
def dinamis_relay_adhesion_suspend(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Suspend an accepted adhesion: `id`, `reason` (required). Instructors."""
    return _simple_transition(context, data_dict, "suspend", (ACCEPTED,), SUSPENDED)


@validate(schema.adhesion_reinstate)
def dinamis_relay_adhesion_reinstate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Reinstate a suspended adhesion: `id`, optional `reason`. Instructors."""
    return _simple_transition(context, data_dict, "reinstate", (SUSPENDED,), ACCEPTED)


@validate(schema.adhesion_reasoned)
def dinamis_relay_adhesion_terminate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Terminate an accepted adhesion for good: `id`, `reason` (required). Instructors."""
    return _simple_transition(context, data_dict, "terminate", (ACCEPTED,), TERMINATED)


@validate(schema.adhesion_reference)
def dinamis_relay_adhesion_renew(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Start the renewal of an expired adhesion (`id` or `organization_id`): a new draft
    copying the entity and people fields, `previous_id` pointing to the expired one."""
    if not data_dict.get("id") and not data_dict.get("organization_id"):
        raise tk.ValidationError({"id": [tk._("Give an adhesion id or an organization")]})
    previous = _load(context, data_dict, lock=True)
    try:
        _check(context, "renew", previous, data_dict)
        _require_state(previous, (EXPIRED,))
        if not previous.is_current:
            raise tk.ValidationError(
                {"id": [tk._("This adhesion has already been renewed or replaced")]}
            )
    except (tk.NotAuthorized, tk.ValidationError):
        _rollback(context)
        raise
    adhesion = _new_adhesion(context, previous.organization_id, previous.mode, previous)
    _record(context, adhesion, "renew", None, data={"previous_id": previous.id})
    _commit(context)
    _after_commit(context, adhesion, "renew", None)
    return _dictize(context, adhesion)


# Expiry (cron)


@validate(schema.adhesion_expire)
def dinamis_relay_adhesion_expire(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Daily housekeeping (`ckan dinamis-relay expire`), sysadmins only:

    - accepted adhesions whose `valid_until` has passed become `expired`;
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

    done: list[tuple[Adhesion, str, str]] = []
    for adhesion in expired:
        done.append((adhesion, "expire", adhesion.state))
        adhesion.state = EXPIRED
    for adhesion in links:
        done.append((adhesion, "legal_link_expired", adhesion.state))
        adhesion.state = RETURNED
        adhesion.legal_token_nonce = None
        adhesion.legal_token_expires = None
        adhesion.decision_reason = tk._("The legal representative's link expired")
    for adhesion, action, from_state in done:
        adhesion.modified = utcnow()
        _record(context, adhesion, action, from_state, comment=adhesion.decision_reason)
    for adhesion in reminded:
        adhesion.reminder_sent_at = utcnow()
        _record(
            context,
            adhesion,
            "reminder",
            adhesion.state,
            data={"valid_until": str(adhesion.valid_until)},
        )
    _commit(context)
    for adhesion, action, from_state in done:
        _after_commit(context, adhesion, action, from_state)
    for adhesion in reminded:
        notify.adhesion_transition(adhesion.id, "reminder")
    return result
