"""Dates and numbers written for people, in the current language ("12 mars 2027", "1 234").

Used by emails (rendered by background jobs inside a request context in the site's default
language) and by messages built in Python; outside any request they fall back to the site's
default locale.
"""

from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk
import flask
import flask_babel
from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers


def current_locale() -> Locale:
    """The request's locale, else `ckan.locale_default`, else English."""
    locale = flask_babel.get_locale() if flask.has_request_context() else None
    if locale is not None:
        return locale
    try:
        return Locale.parse(tk.config.get("ckan.locale_default") or "en")
    except (ValueError, UnknownLocaleError):
        return Locale("en")


def format_date(value: Any) -> str:
    """A date (or datetime, or ISO string as `dictize()` gives) in the long form of the
    current language; "" for none, the value itself when it is not a date."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        return str(value)
    return babel_dates.format_date(value, format="long", locale=current_locale())


def format_decimal(value: float, digits: int = 0) -> str:
    """A number with the current language's separators, rounded to `digits` decimals."""
    return babel_numbers.format_decimal(
        round(value, digits),
        format="#,##0" + ("." + "0" * digits if digits else ""),
        locale=current_locale(),
    )
