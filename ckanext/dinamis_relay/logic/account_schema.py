"""navl schemas of the account actions."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey, Schema

from ..model import account as account_states

PHONE_RE = re.compile(r"^\+?[0-9 .()\-]{6,25}$")
MAX_PAGE_SIZE = 100


def required_text(max_length: int) -> Callable[..., None]:
    """Present, not blank once stripped, and not longer than max_length."""

    def validator(
        key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
    ) -> None:
        value = data.get(key)
        text = value.strip() if isinstance(value, str) else ""
        if not text:
            errors[key].append(tk._("Missing value"))
            raise tk.StopOnError
        if len(text) > max_length:
            errors[key].append(tk._("Must be at most {n} characters").format(n=max_length))
            raise tk.StopOnError
        data[key] = text

    return validator


def optional_text(max_length: int) -> Callable[..., None]:
    """Stripped text; blank becomes absent."""

    def validator(
        key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
    ) -> None:
        value = data.get(key)
        text = value.strip() if isinstance(value, str) else ""
        if not text:
            data.pop(key, None)
            raise tk.StopOnError
        if len(text) > max_length:
            errors[key].append(tk._("Must be at most {n} characters").format(n=max_length))
            raise tk.StopOnError
        data[key] = text

    return validator


def phone_number(value: Any) -> Any:
    if not PHONE_RE.match(value):
        raise tk.Invalid(tk._("Not a phone number"))
    return value


def terms_accepted(value: Any) -> Any:
    if value is not True:
        raise tk.Invalid(tk._("You must accept the terms of use"))
    return value


def page_size(value: Any) -> Any:
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise tk.Invalid(tk._("Must be between 1 and {n}").format(n=MAX_PAGE_SIZE))
    return value


def _v(name: str) -> Any:
    return tk.get_validator(name)


def _profile() -> Schema:
    return {
        "job_title": [required_text(200)],
        "department": [optional_text(200)],
        "phone": [optional_text(40), phone_number],
        "intended_use": [required_text(2000)],
    }


def account_request() -> Schema:
    return {
        "organization_id": [required_text(200)],
        **_profile(),
        "accept_terms": [_v("default")(False), _v("boolean_validator"), terms_accepted],
    }


def account_create() -> Schema:
    return {
        "organization_id": [required_text(200)],
        # Either an existing user (name or id) or the email (and name) of a new person.
        "user": [optional_text(200)],
        "email": [optional_text(254), _v("email_validator")],
        "fullname": [optional_text(200)],
        **_profile(),
    }


def account_id() -> Schema:
    return {"id": [required_text(200)]}


def account_refuse() -> Schema:
    return {"id": [required_text(200)], "reason": [required_text(2000)]}


def account_with_comment() -> Schema:
    return {"id": [required_text(200)], "reason": [optional_text(2000)]}


def account_list() -> Schema:
    return {
        "organization_id": [optional_text(200)],
        "state": [_v("ignore_missing"), _v("one_of")(list(account_states.STATES))],
        "q": [optional_text(200)],
        "mine": [_v("default")(False), _v("boolean_validator")],
        "manageable": [_v("default")(False), _v("boolean_validator")],
        "email_domain_mismatch": [_v("ignore_missing"), _v("boolean_validator")],
        "page": [_v("default")(1), _v("is_positive_integer")],
        "limit": [_v("default")(20), _v("int_validator"), page_size],
    }


def account_import() -> Schema:
    return {
        "organization_id": [optional_text(200)],
        "csv": [_v("ignore_missing")],
        "upload": [_v("ignore_missing")],
        "dry_run": [_v("default")(False), _v("boolean_validator")],
    }


def account_expire() -> Schema:
    return {"dry_run": [_v("default")(False), _v("boolean_validator")]}
