"""navl schemas of the account actions."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey, Schema, Validator

from ...model import account as account_states
from .common import by_id, paging

KeyValidator = Any


def required_text(max_length: int) -> KeyValidator:
    """Text of at most max_length characters, not blank once stripped."""
    text = tk.get_validator("dinamis_relay_text")(max_length)

    def validator(
        key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
    ) -> None:
        text(key, data, errors, context)
        if data.get(key) in (None, "", tk.missing):
            errors.setdefault(key, []).append(tk._("Missing value"))
            raise tk.StopOnError

    return validator


def optional_text(max_length: int) -> KeyValidator:
    """Text of at most max_length characters; blank becomes absent."""
    text = tk.get_validator("dinamis_relay_text")(max_length)

    def validator(
        key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
    ) -> None:
        text(key, data, errors, context)
        if data.get(key) in (None, "", tk.missing):
            data.pop(key, None)
            raise tk.StopOnError

    return validator


def terms_accepted(value: Any) -> Any:
    if value is not True:
        raise tk.Invalid(tk._("You must accept the terms of use"))
    return value


@validator_args
def _profile(dinamis_relay_phone: Validator) -> Schema:
    return {
        "job_title": [required_text(200)],
        "department": [optional_text(200)],
        "phone": [optional_text(40), dinamis_relay_phone],
        "intended_use": [required_text(2000)],
    }


@validator_args
def account_request(default: Validator, dinamis_relay_bool: Validator) -> Schema:
    return {
        "organization_id": [required_text(200)],
        **_profile(),
        "accept_terms": [default(False), dinamis_relay_bool, terms_accepted],
    }


@validator_args
def account_create(dinamis_relay_email: Validator) -> Schema:
    return {
        "organization_id": [required_text(200)],
        # Either an existing user (name or id) or the email (and name) of a new person.
        "user": [optional_text(200)],
        "email": [optional_text(254), dinamis_relay_email],
        "fullname": [optional_text(200)],
        **_profile(),
    }


def account_id() -> Schema:
    return by_id()


def account_refuse() -> Schema:
    return {"id": [required_text(200)], "reason": [required_text(2000)]}


def account_with_comment() -> Schema:
    return {"id": [required_text(200)], "reason": [optional_text(2000)]}


@validator_args
def account_list(
    ignore_missing: Validator,
    default: Validator,
    dinamis_relay_bool: Validator,
    dinamis_relay_one_of: Validator,
) -> Schema:
    return {
        **paging(),
        "organization_id": [optional_text(200)],
        "state": [ignore_missing, dinamis_relay_one_of(account_states.STATES)],
        "q": [optional_text(200)],
        "mine": [default(False), dinamis_relay_bool],
        "manageable": [default(False), dinamis_relay_bool],
        "email_domain_mismatch": [ignore_missing, dinamis_relay_bool],
    }


def csv_text(value: Any) -> Any:
    """The CSV as text (the `upload` field carries files), within the declared size."""
    from ...imports import account_csv

    if not isinstance(value, str):
        raise tk.Invalid(tk._("Give the CSV file's content as text"))
    if len(value) > account_csv.max_bytes():
        raise tk.Invalid(account_csv.too_large_message())
    return value


@validator_args
def account_import(
    ignore_missing: Validator, default: Validator, dinamis_relay_bool: Validator
) -> Schema:
    return {
        "organization_id": [optional_text(200)],
        "csv": [ignore_missing, csv_text],
        # A file object (multipart upload); read by the action with account_csv.read_upload.
        "upload": [ignore_missing],
        "dry_run": [default(False), dinamis_relay_bool],
    }


@validator_args
def account_expire(default: Validator, dinamis_relay_bool: Validator) -> Schema:
    return {"dry_run": [default(False), dinamis_relay_bool]}
