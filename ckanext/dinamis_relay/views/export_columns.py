"""Columns of the dashboard's CSV exports as people read them: headers in the request's
language, codes turned into labels (the codes stay, in a column of their own, for machines),
dates in ISO 8601 to the second.

The export action gives machine columns and values (`dashboard.EXPORT_COLUMNS`); this module
only names and writes them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk

from .. import labels

Cell = Callable[[dict[str, Any]], Any]


def iso(value: Any) -> Any:
    """ISO 8601 without microseconds ("2026-12-01 17:56:03"); dates stay dates."""
    if not value:
        return value
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0, tzinfo=None).isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _headers() -> dict[str, str]:
    _ = tk._
    headers = {
        "organization_id": _("Organization id"),
        "organization_name": _("Organization (name)"),
        "organization_title": _("Organization"),
        "adhesion_number": _("Adhesion number"),
        "adhesion_state": _("Adhesion status"),
        "mode": _("Procedure"),
        "entity_type": _("Type of entity"),
        "eligibility_category": _("DINAMIS eligibility category"),
        "siret": _("SIRET number"),
        "department": _("Département"),
        "postcode": _("Postcode"),
        "city": _("City"),
        "valid_from": _("Valid from"),
        "valid_until": _("Valid until"),
        "downloads": _("Downloads"),
        "account_id": _("Account id"),
        "user_name": _("User name"),
        "user_fullname": _("Full name"),
        "user_email": _("Email"),
        "state": _("Status"),
        "job_title": _("Job title"),
        "email_domain_mismatch": _("Email domain mismatch"),
        "created": _("Date"),
        "validated_at": _("Validated on"),
        "event_id": _("Event id"),
        "object_type": _("Object"),
        "object_id": _("Object id"),
        "action": _("Event"),
        "from_state": _("From status"),
        "to_state": _("To status"),
        "actor_label": _("Actor"),
        "comment": _("Comment"),
    }
    for state, label in labels.account_states().items():
        headers[f"accounts_{state}"] = _("Accounts: {state}").format(state=label)
    return headers


def _state_labels() -> dict[str, dict[str, str]]:
    return {
        "adhesion": labels.adhesion_states(),
        "account": labels.account_states(),
        "imagery_request": labels.imagery_states(),
    }


def _event_labels() -> dict[str, Callable[[str], str]]:
    return {
        "adhesion": tk.h.dinamis_relay_event_label,
        "account": tk.h.dinamis_relay_account_event_label,
        "imagery_request": lambda a: labels.label("imagery_event", a),
    }


def _objects() -> dict[str, str]:
    return {
        "adhesion": tk._("Adhesion"),
        "account": tk._("Individual account"),
        "imagery_request": tk._("Imagery request"),
    }


# Columns holding a code: shown by their label, the code kept in a "(code)" column after it.
CODED = {
    "adhesion_state",
    "mode",
    "entity_type",
    "eligibility_category",
    "state",
    "object_type",
    "action",
    "from_state",
    "to_state",
}
DATES = {"valid_from", "valid_until", "created", "validated_at"}


def columns(kind: str, names: list[str]) -> list[tuple[str, Cell]]:
    """(header, cell of a row given as {machine column: value}) for each column to write."""
    headers = _headers()
    states = _state_labels()
    events = _event_labels()
    objects = _objects()
    simple = {
        "adhesion_state": labels.adhesion_states(),
        "mode": labels.modes(),
        "entity_type": labels.entity_types(),
        "eligibility_category": labels.eligibility_categories(),
        "state": labels.account_states(),
    }
    code_header = tk._("{column} (code)")
    result: list[tuple[str, Cell]] = []
    for name in names:
        header = headers.get(name, name)
        if name == "email_domain_mismatch":
            result.append((header, _yes_no(name)))
        elif name in DATES:
            result.append((header, _iso(name)))
        elif name in CODED:
            result.append((header, _label(name, simple, states, events, objects)))
            result.append((code_header.format(column=header), _raw(name)))
        else:
            result.append((header, _raw(name)))
    return result


def _raw(name: str) -> Cell:
    return lambda row: row.get(name)


def _iso(name: str) -> Cell:
    return lambda row: iso(row.get(name))


def _yes_no(name: str) -> Cell:
    return lambda row: tk._("yes") if row.get(name) else tk._("no")


def _label(
    name: str,
    simple: dict[str, dict[str, str]],
    states: dict[str, dict[str, str]],
    events: dict[str, Callable[[str], str]],
    objects: dict[str, str],
) -> Cell:
    def cell(row: dict[str, Any]) -> Any:
        value = row.get(name)
        if not value:
            return value
        if name in simple and "object_type" not in row:
            return simple[name].get(value, value)
        kind = row.get("object_type") or ""
        if name == "object_type":
            return objects.get(value, value)
        if name == "action":
            return events[kind](value) if kind in events else value
        return states.get(kind, {}).get(value, value)

    return cell
