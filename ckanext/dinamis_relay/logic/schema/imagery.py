"""navl schemas of the imagery request actions."""

from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey, Schema, Validator

from ... import geo
from ...lifecycle.imagery import TRANSITION_NAMES
from ...model import imagery as imagery_model
from .common import by_id, paging
from .download import download_list, download_record

__all__ = [
    "DEFAULTS",
    "QUEUES",
    "TRANSITIONS",
    "area",
    "by_id",
    "download_list",
    "download_record",
    "imagery_request_comment",
    "imagery_request_create",
    "imagery_request_list",
    "imagery_request_transition",
    "imagery_request_update",
    "period_errors",
    "periods_consistent",
]

# The names the lifecycle table declares for imagery_request_transition.
TRANSITIONS = TRANSITION_NAMES
QUEUES = ("mine", "triage", "dinamis", "all")
# Which optional fields fall back to defaults on create.
DEFAULTS: dict[str, Any] = {
    "stereo": False,
    "max_cloud_cover": 20,
    "max_viewing_angle": 30,
    "acquisition_mode": "archive",
}


def area(value: Any) -> dict[str, Any]:
    """The area as a normalised GeoJSON geometry (see geo.validate_area)."""
    try:
        geometry, _km2 = geo.validate_area(value)
    except geo.AreaError as error:
        raise tk.Invalid(str(error)) from None
    return geometry


def period_errors(
    start: datetime.date, end: datetime.date, acquisition_mode: str
) -> dict[str, list[str]]:
    """The end is not before the start; a new acquisition does not end in the past."""
    errors: dict[str, list[str]] = {}
    if end < start:
        errors["period_end"] = [tk._("The end date is before the start date")]
    elif acquisition_mode == "new_acquisition" and end < datetime.date.today():
        errors["period_end"] = [
            tk._("A new acquisition cannot end in the past; ask for archive imagery")
        ]
    return errors


def periods_consistent(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """`__after` of the create schema: period_errors on the validated values."""
    if errors.get(("period_start",)) or errors.get(("period_end",)):
        return
    start, end = data.get(("period_start",)), data.get(("period_end",))
    if isinstance(start, datetime.date) and isinstance(end, datetime.date):
        mode = data.get(("acquisition_mode",))
        if not isinstance(mode, str) or errors.get(("acquisition_mode",)):
            mode = DEFAULTS["acquisition_mode"]
        for field, messages in period_errors(start, end, mode).items():
            errors.setdefault((field,), []).extend(messages)


@validator_args
def _fields(
    not_missing: Validator,
    not_empty: Validator,
    ignore_missing: Validator,
    dinamis_relay_text: Validator,
    dinamis_relay_date: Validator,
    dinamis_relay_one_of: Validator,
    dinamis_relay_int: Validator,
    dinamis_relay_bool: Validator,
) -> Schema:
    """Requester's fields; on update every field is optional (absent keeps its value)."""
    return {
        "title": [dinamis_relay_text(200), not_empty],
        "area": [not_empty, area],
        "period_start": [dinamis_relay_date, not_empty],
        "period_end": [dinamis_relay_date, not_empty],
        "sensor": [not_empty, dinamis_relay_one_of(imagery_model.SENSORS)],
        "stereo": [ignore_missing, dinamis_relay_bool],
        "max_cloud_cover": [ignore_missing, dinamis_relay_int(0, 100)],
        "max_viewing_angle": [ignore_missing, dinamis_relay_int(0, 60)],
        "acquisition_mode": [
            ignore_missing,
            dinamis_relay_one_of(imagery_model.ACQUISITION_MODES),
        ],
        "intended_use": [dinamis_relay_text(2000), not_empty],
        "justification": [ignore_missing, dinamis_relay_text("long"), _none_if_blank],
    }


def _none_if_blank(value: Any) -> Any:
    return value or None


@validator_args
def imagery_request_create(ignore_missing: Validator, dinamis_relay_id: Validator) -> Schema:
    schema = _fields()
    schema["organization_id"] = [ignore_missing, dinamis_relay_id]
    schema["__after"] = [periods_consistent]
    return schema


@validator_args
def imagery_request_update(
    ignore_missing: Validator, not_empty: Validator, dinamis_relay_id: Validator
) -> Schema:
    # Fields left out keep their value.
    schema = {
        name: chain if chain[0] is ignore_missing else [ignore_missing, *chain]
        for name, chain in _fields().items()
    }
    schema["id"] = [dinamis_relay_id, not_empty]
    return schema


@validator_args
def imagery_request_transition(
    not_empty: Validator,
    ignore_missing: Validator,
    dinamis_relay_id: Validator,
    dinamis_relay_one_of: Validator,
    dinamis_relay_text: Validator,
) -> Schema:
    return {
        "id": [dinamis_relay_id, not_empty],
        "transition": [not_empty, dinamis_relay_one_of(TRANSITIONS)],
        "comment": [ignore_missing, dinamis_relay_text("long"), _none_if_blank],
    }


@validator_args
def imagery_request_comment(
    not_empty: Validator,
    ignore_missing: Validator,
    dinamis_relay_id: Validator,
    dinamis_relay_text: Validator,
    dinamis_relay_bool: Validator,
) -> Schema:
    return {
        "id": [dinamis_relay_id, not_empty],
        "body": [dinamis_relay_text("long"), not_empty],
        "internal": [ignore_missing, dinamis_relay_bool],
    }


@validator_args
def imagery_request_list(
    ignore_missing: Validator,
    dinamis_relay_id: Validator,
    dinamis_relay_one_of: Validator,
    dinamis_relay_text: Validator,
) -> Schema:
    return {
        **paging(),
        "state": [ignore_missing, dinamis_relay_one_of(imagery_model.STATES)],
        "organization_id": [ignore_missing, dinamis_relay_id],
        "user_id": [ignore_missing, dinamis_relay_id],
        "queue": [ignore_missing, dinamis_relay_one_of(QUEUES)],
        "q": [ignore_missing, dinamis_relay_text(200)],
    }
