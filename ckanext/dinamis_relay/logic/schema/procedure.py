"""navl schemas of the procedure actions (issue 15): adherent check, registration of
existing adhesions, waves of relay applications, quotas."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator

from ...model.adhesion import MODES
from ...model.imagery import SENSORS
from .adhesion import _adhesion_fields

BULK_OPERATIONS = ("check_eligibility", "submit")
MAX_BULK = 500


def _bounded_text(maximum: int) -> Validator:
    def validator(value: Any) -> Any:
        if value is None or value == "":
            return value
        text = str(value).strip()
        if len(text) > maximum:
            raise tk.Invalid(tk._("At most {maximum} characters").format(maximum=maximum))
        return text

    return validator


def _id_list(value: Any) -> list[str]:
    """A list of ids, or text separated by commas or spaces; at most MAX_BULK."""
    if isinstance(value, str):
        items = value.replace(",", " ").split()
    elif isinstance(value, (list, tuple)):
        items = [str(item).strip() for item in value]
    else:
        raise tk.Invalid(tk._("Give a list of adhesion ids"))
    items = list(dict.fromkeys(item for item in items if item))
    if not items:
        raise tk.Invalid(tk._("Missing value"))
    if len(items) > MAX_BULK:
        raise tk.Invalid(tk._("At most {maximum} adhesions at once").format(maximum=MAX_BULK))
    return items


@validator_args
def adherent_check(
    ignore_missing: Validator, unicode_safe: Validator, dinamis_relay_siret: Validator
) -> Schema:
    return {
        "siret": [ignore_missing, unicode_safe, dinamis_relay_siret],
        "q": [ignore_missing, unicode_safe, _bounded_text(200)],
    }


@validator_args
def adhesion_register(
    not_empty: Validator,
    ignore_missing: Validator,
    unicode_safe: Validator,
    default: Validator,
    isodate: Validator,
    dinamis_relay_organization_id: Validator,
    dinamis_relay_mode: Validator,
    dinamis_relay_user_id: Validator,
) -> Schema:
    schema = _adhesion_fields()
    schema.update(
        {
            "organization_id": [not_empty, unicode_safe, dinamis_relay_organization_id],
            "mode": [default("classic"), unicode_safe, dinamis_relay_mode],
            "number": [not_empty, unicode_safe, _bounded_text(100)],
            "accepted_on": [not_empty, isodate],
            "valid_until": [not_empty, isodate],
            "referent_user_id": [not_empty, unicode_safe, dinamis_relay_user_id],
            "dinamis_reference": [ignore_missing, unicode_safe, _bounded_text(200)],
            "note": [ignore_missing, unicode_safe, _bounded_text(2000)],
        }
    )
    return schema


@validator_args
def csv_import(
    ignore_missing: Validator, unicode_safe: Validator, default: Validator, boolean_validator
) -> Schema:
    return {
        "upload": [ignore_missing],
        "csv": [ignore_missing, unicode_safe],
        "dry_run": [default(False), boolean_validator],
    }


@validator_args
def adhesion_bulk(
    not_empty: Validator,
    unicode_safe: Validator,
    one_of: Validator,
    ignore_missing: Validator,
    boolean_validator: Validator,
    strip_value: Validator,
) -> Schema:
    return {
        "ids": [not_empty, _id_list],
        "operation": [not_empty, unicode_safe, one_of(list(BULK_OPERATIONS))],
        "eligible": [ignore_missing, boolean_validator],
        "note": [ignore_missing, unicode_safe, strip_value],
    }


@validator_args
def quota_show(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"organization_id": [not_empty, unicode_safe]}


@validator_args
def quota_set(
    not_empty: Validator,
    unicode_safe: Validator,
    one_of: Validator,
    ignore_missing: Validator,
    int_validator: Validator,
    natural_number_validator: Validator,
    dinamis_relay_organization_id: Validator,
) -> Schema:
    return {
        "organization_id": [not_empty, unicode_safe, dinamis_relay_organization_id],
        "sensor": [not_empty, unicode_safe, one_of(list(SENSORS))],
        # Left out (or empty): back to the configured default.
        "km2": [ignore_missing, int_validator, natural_number_validator],
    }


@validator_args
def quota_list(
    default: Validator,
    int_validator: Validator,
    natural_number_validator: Validator,
    ignore_missing: Validator,
    unicode_safe: Validator,
) -> Schema:
    return {
        "limit": [default(50), int_validator, natural_number_validator, _at_most(500)],
        "offset": [default(0), int_validator, natural_number_validator],
        "mode": [ignore_missing, unicode_safe, tk.get_validator("one_of")(list(MODES))],
    }


def _at_most(maximum: int) -> Validator:
    def validator(value: int) -> int:
        if value > maximum:
            raise tk.Invalid(tk._("At most {maximum}").format(maximum=maximum))
        return value

    return validator
