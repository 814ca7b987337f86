"""Dates and numbers written for people, in the current language ("12 mars 2027", "1 234").

Used by emails (rendered by background jobs inside a request context in the site's default
language) and by messages built in Python; outside any request they fall back to the site's
default locale.
"""

from __future__ import annotations

import datetime
import zoneinfo
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


# How each language writes a time of day: "17 h 56" in French (Imprimerie nationale), "17:56"
# elsewhere.
TIME_PATTERNS = {"fr": "H' h 'mm"}


def display_timezone() -> datetime.tzinfo:
    """CKAN's `ckan.display_timezone` ("server" is the machine's zone); UTC when unset or
    unknown. Stored times are naive UTC."""
    name = tk.config.get("ckan.display_timezone") or "UTC"
    if name == "server":
        return datetime.datetime.now().astimezone().tzinfo or datetime.timezone.utc
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.timezone.utc


def _parse(value: Any) -> datetime.date | str | None:
    """A date or datetime from what dictize() gives (ISO strings), the text itself when it
    is none of these, None for nothing."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return datetime.datetime.fromisoformat(value)
        except ValueError:
            try:
                return datetime.date.fromisoformat(value[:10])
            except ValueError:
                return value
    if isinstance(value, datetime.date):
        return value
    return str(value)


def _local(value: datetime.datetime) -> datetime.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(display_timezone())


def format_date(value: Any) -> str:
    """A date (or datetime, or ISO string as `dictize()` gives) in the long form of the
    current language ("1 décembre 2026"); "" for none, the value itself when it is not a
    date. A datetime is first put in the display time zone."""
    parsed = _parse(value)
    if parsed is None:
        return ""
    if isinstance(parsed, str):
        return parsed
    if isinstance(parsed, datetime.datetime):
        parsed = _local(parsed).date()
    return babel_dates.format_date(parsed, format="long", locale=current_locale())


def format_datetime(value: Any) -> str:
    """A moment in the current language, in the display time zone: "1 décembre 2026 à
    17 h 56", "1 December 2026 at 17:56". A plain date is written as a date."""
    parsed = _parse(value)
    if parsed is None:
        return ""
    if isinstance(parsed, str):
        return parsed
    if not isinstance(parsed, datetime.datetime):
        return format_date(parsed)
    local = _local(parsed)
    locale = current_locale()
    time = babel_dates.format_time(
        local, TIME_PATTERNS.get(locale.language, "HH:mm"), locale=locale
    )
    return tk._("{date} at {time}").format(date=format_date(local), time=time)


def format_decimal(value: float, digits: int = 0) -> str:
    """A number with the current language's separators, rounded to `digits` decimals."""
    return babel_numbers.format_decimal(
        round(value, digits),
        format="#,##0" + ("." + "0" * digits if digits else ""),
        locale=current_locale(),
    )
