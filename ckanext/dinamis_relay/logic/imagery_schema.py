"""navl schemas of the imagery request and download actions."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey, Schema

from .. import geo
from ..lifecycle.imagery import TRANSITION_NAMES
from ..model import imagery as imagery_model

MAX_PAGE_SIZE = 1000
# The names the lifecycle table declares for imagery_request_transition.
TRANSITIONS = TRANSITION_NAMES
# Which optional fields fall back to defaults on create.
DEFAULTS: dict[str, Any] = {
    "stereo": False,
    "max_cloud_cover": 20,
    "max_viewing_angle": 30,
    "acquisition_mode": "archive",
}


def _v(name: str) -> Any:
    return tk.get_validator(name)


def text(max_length: int, required: bool = True) -> Callable[..., None]:
    """Stripped text of at most max_length characters; blank is missing (or absent)."""

    def validator(
        key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
    ) -> None:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            errors[key].append(tk._("Must be text"))
            raise tk.StopOnError
        stripped = (value or "").strip()
        if not stripped:
            if required:
                errors[key].append(tk._("Missing value"))
            else:
                data[key] = None
            raise tk.StopOnError
        if len(stripped) > max_length:
            errors[key].append(tk._("Must be at most {n} characters").format(n=max_length))
            raise tk.StopOnError
        data[key] = stripped

    return validator


def choice(values: tuple[str, ...]) -> Callable[[Any], Any]:
    def validator(value: Any) -> Any:
        if value not in values:
            raise tk.Invalid(
                tk._("Unknown value {value!r}; use one of: {values}").format(
                    value=value, values=", ".join(values)
                )
            )
        return value

    return validator


def int_between(low: int, high: int) -> Callable[[Any, Context], Any]:
    def validator(value: Any, context: Context) -> Any:
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            raise tk.Invalid(tk._("Must be a whole number")) from None
        if not low <= number <= high:
            raise tk.Invalid(tk._("Must be between {low} and {high}").format(low=low, high=high))
        return number

    return validator


def date_value(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise tk.Invalid(tk._("Not a date (YYYY-MM-DD)")) from None


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
        mode = data.get(("acquisition_mode",)) or DEFAULTS["acquisition_mode"]
        for field, messages in period_errors(start, end, mode).items():
            errors[(field,)].extend(messages)


def _fields(required: bool) -> Schema:
    """Requester's fields; on update every field is optional (absent keeps its value)."""
    need = [_v("not_missing")] if required else [_v("ignore_missing")]
    opt = [_v("ignore_missing")]
    return {
        "title": [*need, text(200)],
        "area": [*need, _v("not_empty"), area],
        "period_start": [*need, _v("not_empty"), date_value],
        "period_end": [*need, _v("not_empty"), date_value],
        "sensor": [*need, _v("not_empty"), choice(imagery_model.SENSORS)],
        "stereo": [*opt, _v("boolean_validator")],
        "max_cloud_cover": [*opt, int_between(0, 100)],
        "max_viewing_angle": [*opt, int_between(0, 60)],
        "acquisition_mode": [*opt, choice(imagery_model.ACQUISITION_MODES)],
        "intended_use": [*need, text(2000)],
        "justification": [*opt, text(5000, required=False)],
    }


def imagery_request_create() -> Schema:
    schema = _fields(required=True)
    schema["organization_id"] = [_v("ignore_missing"), _v("unicode_safe")]
    schema["__after"] = [periods_consistent]
    return schema


def imagery_request_update() -> Schema:
    schema = _fields(required=False)
    schema["id"] = [_v("not_empty"), _v("unicode_safe")]
    return schema


def by_id() -> Schema:
    return {"id": [_v("not_empty"), _v("unicode_safe")]}


def imagery_request_transition() -> Schema:
    return {
        "id": [_v("not_empty"), _v("unicode_safe")],
        "transition": [_v("not_empty"), choice(TRANSITIONS)],
        "comment": [_v("ignore_missing"), text(5000, required=False)],
    }


def imagery_request_comment() -> Schema:
    return {
        "id": [_v("not_empty"), _v("unicode_safe")],
        "body": [_v("not_missing"), text(5000)],
        "internal": [_v("ignore_missing"), _v("boolean_validator")],
    }


def _paging() -> Schema:
    return {
        "limit": [_v("ignore_missing"), int_between(1, MAX_PAGE_SIZE)],
        "offset": [_v("ignore_missing"), int_between(0, 10**9)],
    }


def imagery_request_list() -> Schema:
    return {
        **_paging(),
        "state": [_v("ignore_missing"), choice(imagery_model.STATES)],
        "organization_id": [_v("ignore_missing"), _v("unicode_safe")],
        "user_id": [_v("ignore_missing"), _v("unicode_safe")],
        "queue": [_v("ignore_missing"), choice(("mine", "triage", "dinamis", "all"))],
        "q": [_v("ignore_missing"), text(200, required=False)],
    }


def download_record() -> Schema:
    return by_id()


def download_list() -> Schema:
    return {
        **_paging(),
        "before_id": [_v("ignore_missing"), int_between(1, 2**62)],
        "organization_id": [_v("ignore_missing"), _v("unicode_safe")],
        "user_id": [_v("ignore_missing"), _v("unicode_safe")],
        "dataset_id": [_v("ignore_missing"), _v("unicode_safe")],
        "resource_id": [_v("ignore_missing"), _v("unicode_safe")],
        "since": [_v("ignore_missing"), date_value],
        "until": [_v("ignore_missing"), date_value],
    }
