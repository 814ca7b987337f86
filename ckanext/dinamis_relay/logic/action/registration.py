"""Registering adhesions accepted outside the platform (issue 15, "existing adherents").

A relay starts with partners who already adhered to DINAMIS directly: they are registered with
their DINAMIS number, acceptance date, end of validity and referent, and land `accepted` at
once, without a new procedure, so their people can request accounts the same day.

Its own rule, kept here so that it can join the lifecycle table as one more row:

    (none) | draft | rejected | terminated | expired ──register──▶ accepted
    who: sysadmins and DINAMIS instructors; super-referents for relay-mode partners
    needs: a number not used yet (following `adhesion_number_pattern`, or marked external),
           accepted on a past or present day, valid until a later, not yet past day
    does: no legal link, no emails, no documents (the acte was issued outside; the
          `adhesion_transition` signal is not sent, so no Acte d'adhésion is generated);
          one audit event "register"
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.logic import validate
from ckan.types import Context, DataDict

from ... import labels
from ...access.roles import Roles, context_roles
from ...imports import procedure_csv
from ...lifecycle import audit
from ...lifecycle.adhesion import ADHESION
from ...model import Adhesion, NumberSequence, Registration
from ...model.adhesion import ACCEPTED, ENTITY_FIELDS
from ...model.base import utcnow
from ..schema import procedure as schema

FIELDS = (
    *ENTITY_FIELDS,
    "email_domains",
    "legal_rep_name",
    "legal_rep_title",
    "legal_rep_email",
    "referent_user_id",
    "referent_title",
    "referent_phone",
    "convention_number",
    "amendment_number",
    "dinamis_reference",
)
CSV_REQUIRED = ("organization", "number", "accepted_on", "valid_until", "referent")
CSV_OPTIONAL = (
    "mode",
    "legal_name",
    "acronym",
    "siret",
    "city",
    "postcode",
    "department",
    "referent_title",
    "dinamis_reference",
    "convention_number",
    "note",
)


def may_register(roles: Roles, mode: str) -> bool:
    """Sysadmins and instructors register any adhesion; super-referents their partners'."""
    return roles.is_instructor or (mode == "relay" and roles.super_referent)


def _pattern_regex() -> re.Pattern[str]:
    """The adhesion number pattern as a regex with `year` and `seq` groups."""
    pattern = tk.config["ckanext.dinamis_relay.adhesion_number_pattern"]
    parts = re.split(r"(\{year\}|\{seq(?::[^}]*)?\})", pattern)
    regex = ""
    for part in parts:
        if part == "{year}":
            regex += r"(?P<year>\d{4})"
        elif part.startswith("{seq"):
            regex += r"(?P<seq>\d+)"
        else:
            regex += re.escape(part)
    return re.compile(regex + r"\Z")


def _number_errors(number: str) -> tuple[bool, list[str]]:
    """(external?, errors) for a registered number."""
    session = model.Session
    if session.execute(sa.select(Adhesion.id).where(Adhesion.number == number)).first():
        return False, [tk._("This number is already used by another adhesion")]
    match = _pattern_regex().match(number)
    if match is None:
        return True, []
    year, seq = int(match["year"]), int(match["seq"])
    if year >= datetime.date.today().year:
        issued = session.execute(
            sa.select(NumberSequence.last_value).where(
                NumberSequence.kind == "adhesion", NumberSequence.year == year
            )
        ).scalar()
        if seq > (issued or 0):
            # The platform would issue this very number to a later application.
            return False, [
                tk._(
                    "This number follows the platform's own numbering but has not been issued "
                    "yet; check it with DINAMIS"
                )
            ]
    return False, []


def _current(organization_id: str, lock: bool) -> Adhesion | None:
    query = sa.select(Adhesion).where(
        Adhesion.organization_id == organization_id, Adhesion.is_current.is_(True)
    )
    if lock:
        query = query.with_for_update()
    return model.Session.execute(query).scalar_one_or_none()


def _check(
    roles: Roles, data: dict[str, Any], lock: bool
) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """Errors of one registration (as field → messages) and what the write needs."""
    errors: dict[str, list[str]] = {}
    found: dict[str, Any] = {}
    today = datetime.date.today()
    accepted_on = data.get("accepted_on")
    valid_until = data.get("valid_until")
    if isinstance(accepted_on, datetime.datetime):
        accepted_on = data["accepted_on"] = accepted_on.date()
    if isinstance(valid_until, datetime.datetime):
        valid_until = data["valid_until"] = valid_until.date()
    if accepted_on and accepted_on > today:
        errors["accepted_on"] = [tk._("The acceptance date cannot be in the future")]
    if accepted_on and valid_until and valid_until <= accepted_on:
        errors["valid_until"] = [tk._("The end of validity must come after the acceptance date")]
    elif valid_until and valid_until < today:
        errors["valid_until"] = [
            tk._("This adhesion has already ended: there is nothing to register")
        ]
    if data.get("number"):
        found["number_external"], number_errors = _number_errors(data["number"])
        if number_errors:
            errors["number"] = number_errors
    organization_id = data.get("organization_id")
    if organization_id:
        current = _current(organization_id, lock)
        if current is not None and ADHESION.rule("register", current.state) is None:
            errors["organization_id"] = [
                tk._("This organization already has an adhesion ({state})").format(
                    state=labels.label("adhesion_state", current.state)
                )
            ]
        found["previous"] = current
    if data.get("siret"):
        other = model.Session.execute(
            sa.select(model.Group.name)
            .join(Adhesion, Adhesion.organization_id == model.Group.id)
            .where(
                Adhesion.siret == data["siret"],
                Adhesion.is_current.is_(True),
                Adhesion.state == ACCEPTED,
                Adhesion.organization_id != (organization_id or ""),
            )
            .limit(1)
        ).scalar()
        if other:
            errors["siret"] = [
                tk._("This SIRET is already an adherent, as the organization {name}").format(
                    name=other
                )
            ]
    return errors, found


def _write(data: dict[str, Any], found: dict[str, Any], actor_id: str | None) -> Adhesion:
    """Insert the accepted adhesion, its registration and the audit event (no commit)."""
    session = model.Session
    previous: Adhesion | None = found.get("previous")
    group = model.Group.get(data["organization_id"])
    if previous is not None:
        previous.is_current = False
        session.flush()
    accepted_on: datetime.date = data["accepted_on"]
    adhesion = Adhesion(
        organization_id=data["organization_id"],
        is_current=True,
        previous_id=previous.id if previous is not None else None,
        mode=data.get("mode") or "classic",
        state=ACCEPTED,
        number=data["number"],
        email_domains=list(data.get("email_domains") or []),
        valid_from=accepted_on,
        valid_until=data["valid_until"],
        decided_at=datetime.datetime.combine(accepted_on, datetime.time()),
        created_by=actor_id,
        **{f: data.get(f) or None for f in FIELDS if f != "email_domains"},
    )
    if not adhesion.legal_name and group is not None:
        adhesion.legal_name = group.title or group.name
    session.add(adhesion)
    session.flush()
    registration = Registration(
        adhesion_id=adhesion.id,
        number_external=bool(found.get("number_external")),
        accepted_on=accepted_on,
        registered_by=actor_id,
        registered_at=utcnow(),
        note=data.get("note") or None,
    )
    session.add(registration)
    audit.record(
        object_type="adhesion",
        object_id=adhesion.id,
        organization_id=adhesion.organization_id,
        action="register",
        from_state=None,
        to_state=ACCEPTED,
        user_id=actor_id,
        comment=data.get("note") or None,
        data={
            "number": adhesion.number,
            "number_external": registration.number_external,
            "accepted_on": accepted_on.isoformat(),
            "valid_until": adhesion.valid_until.isoformat() if adhesion.valid_until else None,
            "previous_id": adhesion.previous_id,
        },
    )
    return adhesion


def _result(adhesion: Adhesion) -> dict[str, Any]:
    data = adhesion.dictize()
    data.pop("legal_token_nonce", None)
    registration = model.Session.get(Registration, adhesion.id)
    data["registration"] = registration.dictize() if registration else None
    return data


@validate(schema.adhesion_register)
def dinamis_relay_adhesion_register(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Register an adhesion accepted outside the platform: it lands ``accepted`` at once.

    :param organization_id: the entity (id or name); its current adhesion, if any, must be a
        draft or over (rejected, terminated, expired): it stays in the history
    :param number: the DINAMIS number; one following ``adhesion_number_pattern`` is checked
        against the platform's numbering, any other is kept and marked external
    :param accepted_on: date of DINAMIS's acceptance (not in the future)
    :param valid_until: end of validity (after the acceptance, not past)
    :param referent_user_id: the entity referent (CKAN user id or name)
    :param mode: classic (default) or relay
    :param note: optional comment for the journal; any adhesion field may be given too
    :returns: the adhesion, with ``registration`` {number_external, accepted_on,
        registered_by, registered_at, note}
    """
    tk.check_access("dinamis_relay_adhesion_register", context, data_dict)
    roles = context_roles(context)
    errors, found = _check(roles, data_dict, lock=True)
    if errors:
        model.Session.rollback()
        raise tk.ValidationError(errors)
    adhesion = _write(data_dict, found, roles.user_id)
    if not context.get("defer_commit"):
        model.Session.commit()
    return _result(adhesion)


def _resolve_referent(value: str) -> str | None:
    user = model.User.get(value)
    if user is None and "@" in value:
        user = model.Session.execute(
            sa.select(model.User).where(
                sa.func.lower(model.User.email) == value.lower(), model.User.state == "active"
            )
        ).scalar()
    return user.id if user is not None and user.state == "active" else None


@validate(schema.csv_import)
def dinamis_relay_adhesion_register_import(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Register existing adhesions from a CSV file: every row, or none.

    Columns: organization, number, accepted_on, valid_until (YYYY-MM-DD), referent (user
    name, id or email) required; mode, legal_name, acronym, siret, city, postcode,
    department, referent_title, dinamis_reference, convention_number, note optional.

    :param upload: the CSV file, or :param csv: its text
    :param dry_run: only check the rows
    :returns: ``{"registered": n, "rows": n, "dry_run", "adhesions": [ids]}``; errors come
        back as ``ValidationError({"rows": ["Row 3: siret: ..."]})`` and nothing is written.
    """
    tk.check_access("dinamis_relay_adhesion_register_import", context, data_dict)
    roles = context_roles(context)
    rows = procedure_csv.rows_from(data_dict, CSV_REQUIRED, CSV_OPTIONAL)
    register_schema = schema.adhesion_register()
    checked: list[tuple[dict[str, Any], dict[str, Any]]] = []
    messages: list[str] = []
    seen: dict[str, dict[str, int]] = {"organization_id": {}, "siret": {}, "number": {}}
    for line, row in rows:
        values: dict[str, Any] = {k: v for k, v in row.items() if v != ""}
        values["organization_id"] = values.pop("organization", "")
        referent = values.pop("referent", "")
        values["referent_user_id"] = _resolve_referent(referent) if referent else ""
        data, errors = tk.navl_validate(values, register_schema, context)
        errors = {k: v for k, v in errors.items() if v}
        if referent and not values["referent_user_id"]:
            errors["referent"] = [tk._("User not found")]
            errors.pop("referent_user_id", None)
        if "organization_id" in errors:
            errors["organization"] = errors.pop("organization_id")
        if (
            not errors.get("organization")
            and data.get("organization_id")
            and not may_register(roles, data.get("mode") or "classic")
        ):
            errors["mode"] = [tk._("You may register relay-mode partners only")]
        for field in seen:
            value = data.get(field)
            if value and not errors.get(field):
                if value in seen[field]:
                    label = "organization" if field == "organization_id" else field
                    errors.setdefault(label, []).append(
                        tk._("Same value as row {row}").format(row=seen[field][value])
                    )
                seen[field].setdefault(value, line)
        if not errors:
            more, found = _check(roles, data, lock=True)
            if "organization_id" in more:
                more["organization"] = more.pop("organization_id")
            errors.update(more)
        else:
            found = {}
        messages += procedure_csv.row_messages(line, errors)
        checked.append((data, found))
    if messages:
        model.Session.rollback()
        raise tk.ValidationError({"rows": messages})
    if data_dict["dry_run"]:
        model.Session.rollback()
        return {"registered": 0, "rows": len(checked), "dry_run": True, "adhesions": []}
    try:
        written = [_write(data, found, roles.user_id) for data, found in checked]
        ids = [adhesion.id for adhesion in written]
        if not context.get("defer_commit"):
            model.Session.commit()
    except Exception:
        # One failure undoes every row: nothing was committed.
        model.Session.rollback()
        raise
    return {"registered": len(ids), "rows": len(checked), "dry_run": False, "adhesions": ids}
