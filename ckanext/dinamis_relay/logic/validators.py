"""Validators registered with CKAN (tk.blanket.validators registers the names in __all__).

One validator per idea, reused by every schema of logic/schema/: text (bounded), integers
(bounded, ASCII digits only), booleans, dates (sane years), one-of choices, paging (limit and
offset, one maximum), references to organizations (id, name or title) and users, phone
numbers (one normalisation), email addresses (email-validator, length checked first).

Every validator checks the type of the value before comparing it, so that no input reaches
SQL or Python code that would crash on it; messages are translated and quote at most a
short excerpt of the bad value.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import email_validator
import sqlalchemy as sa
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey

from ..model.adhesion import ELIGIBILITY_CATEGORIES, ENTITY_TYPES

__all__ = [
    "dinamis_relay_bool",
    "dinamis_relay_date",
    "dinamis_relay_department",
    "dinamis_relay_eligibility_category",
    "dinamis_relay_email",
    "dinamis_relay_email_domains",
    "dinamis_relay_entity_type",
    "dinamis_relay_id",
    "dinamis_relay_int",
    "dinamis_relay_limit",
    "dinamis_relay_mode",
    "dinamis_relay_offset",
    "dinamis_relay_one_of",
    "dinamis_relay_organization_id",
    "dinamis_relay_phone",
    "dinamis_relay_postcode",
    "dinamis_relay_postcode_matches_department",
    "dinamis_relay_siret",
    "dinamis_relay_text",
    "dinamis_relay_user_id",
    "dinamis_relay_website",
]

Invalid = tk.Invalid

# La Poste's establishments share one SIREN and do not follow Luhn (INSEE rule: the sum of
# the SIRET's digits is a multiple of 5 instead).
LA_POSTE_SIREN = "356000000"

DEPARTMENTS = (
    [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"] + [str(n) for n in range(971, 977)]
)

# Dates outside these years are typing mistakes, and near datetime's limits they overflow.
MIN_YEAR = 1900
MAX_YEAR = 2200
# Offsets beyond this are refused before they reach SQL (no list is that long).
MAX_OFFSET = 10**9
# An id, a name or a title: nothing longer is ever a reference.
MAX_REFERENCE_LENGTH = 200
EXCERPT_LENGTH = 40
MAX_EMAIL_LENGTH = 254
MAX_DOMAINS = 100

_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_INTEGER_RE = re.compile(r"[+-]?[0-9]{1,19}")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def excerpt(value: Any) -> str:
    """At most EXCERPT_LENGTH characters of a value, for an error message."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= EXCERPT_LENGTH else text[:EXCERPT_LENGTH] + "…"


def bad_characters(text: str) -> str | None:
    """The translated reason a string may not be stored (NUL, lone surrogate), or None."""
    if "\x00" in text:
        return tk._("Must not contain a NUL character")
    if _SURROGATE_RE.search(text):
        return tk._("Contains characters that are not valid Unicode")
    return None


def text_limit(kind: str) -> int:
    """The declared length limit of a kind of text field: `short` or `long`."""
    key = f"ckanext.dinamis_relay.input.max_{kind}_text_length"
    return int(tk.config.get(key) or (500 if kind == "short" else 5000))


def _empty(value: Any) -> bool:
    return value is None or value == "" or value is tk.missing


def _string(value: Any) -> str:
    """The value as text; anything else (numbers, lists, objects) is refused."""
    if not isinstance(value, str):
        raise Invalid(tk._("Must be text"))
    problem = bad_characters(value)
    if problem:
        raise Invalid(problem)
    return value


def _short_string(value: Any, limit: int = MAX_REFERENCE_LENGTH) -> str:
    text = _string(value).strip()
    if len(text) > limit:
        raise Invalid(tk._("Must be at most {n} characters").format(n=limit))
    return text


# ---------------------------------------------------------------- generic types
#
# Key-level validators: on a bad value they record the error and stop the field's chain
# (StopOnError), so no validator after them ever sees a value of the wrong type and a
# field gets one message, not one per validator.

KeyValidator = Callable[[FlattenKey, FlattenDataDict, FlattenErrorDict, Context], None]


def checked(check: Callable[[Any], Any]) -> KeyValidator:
    """A key-level validator from `check(value) -> clean value` (raising Invalid); absent,
    None and empty values are left as they are for the required/default validators."""

    def validator(
        key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
    ) -> None:
        value = data.get(key)
        if _empty(value):
            return
        try:
            data[key] = check(value)
        except Invalid as error:
            errors.setdefault(key, []).append(error.error)
            raise tk.StopOnError from None

    return validator


def dinamis_relay_text(limit: int | str = "short") -> KeyValidator:
    """Text, stripped, of at most `limit` characters (a number, or `short` / `long`: the
    limits declared in config_declaration.yaml). Put `not_empty` after it for a required
    field (a blank value is then missing), `ignore_missing` before it for an optional one."""

    def check(value: Any) -> str:
        return _short_string(value, limit if isinstance(limit, int) else text_limit(limit))

    return checked(check)


def _id(value: Any) -> str:
    return _short_string(value)


dinamis_relay_id = checked(_id)
dinamis_relay_id.__doc__ = "An id (or name) of a stored object: short text, checked first."


def whole_number(value: Any, low: int, high: int) -> int:
    """An int, or ASCII digits as typed in a form (not a float, a boolean, full-width or
    Arabic-Indic digits), from `low` to `high`."""
    if isinstance(value, bool):
        raise Invalid(tk._("Must be a whole number"))
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _INTEGER_RE.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        raise Invalid(tk._("Must be a whole number"))
    if not low <= number <= high:
        raise Invalid(tk._("Must be between {low} and {high}").format(low=low, high=high))
    return number


def dinamis_relay_int(low: int, high: int) -> KeyValidator:
    """A whole number from `low` to `high` (see whole_number)."""
    return checked(lambda value: whole_number(value, low, high))


_TRUE = ("true", "yes", "on", "1", "t", "y")
_FALSE = ("false", "no", "off", "0", "f", "n")


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and len(value) <= 10:
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise Invalid(tk._("Give true or false"))


def dinamis_relay_bool(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """true/false, yes/no, on/off, 1/0 (JSON, form checkboxes, query strings); absent or
    empty is false."""
    value = data.get(key)
    if _empty(value):
        data[key] = False
        return
    checked(_bool)(key, data, errors, context)


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    elif isinstance(value, str) and len(value) <= 40 and _DATE_RE.fullmatch(value.strip()[:10]):
        try:
            day = datetime.date.fromisoformat(value.strip()[:10])
        except ValueError:
            raise Invalid(tk._("Not a date (YYYY-MM-DD)")) from None
    else:
        raise Invalid(tk._("Not a date (YYYY-MM-DD)"))
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise Invalid(
            tk._("Give a date between the years {low} and {high}").format(
                low=MIN_YEAR, high=MAX_YEAR
            )
        )
    return day


dinamis_relay_date = checked(_date)
dinamis_relay_date.__doc__ = "A date (YYYY-MM-DD, or a date object) from 1900 to 2200."


def dinamis_relay_one_of(values: Iterable[str]) -> KeyValidator:
    """One of the given codes; the message lists them and never echoes the value."""
    allowed = tuple(values)

    def check(value: Any) -> str:
        if not isinstance(value, str) or value not in allowed:
            raise Invalid(
                tk._("Unknown value; use one of: {values}").format(values=", ".join(allowed))
            )
        return value

    return checked(check)


def list_max_limit() -> int:
    """The one maximum page size of every list action (config_declaration.yaml)."""
    return int(tk.config.get("ckanext.dinamis_relay.list_max_limit") or 1000)


dinamis_relay_limit = checked(lambda value: whole_number(value, 1, list_max_limit()))
dinamis_relay_limit.__doc__ = "Page size of a list: 1 to ckanext.dinamis_relay.list_max_limit."
dinamis_relay_offset = checked(lambda value: whole_number(value, 0, MAX_OFFSET))
dinamis_relay_offset.__doc__ = "Rows a list skips: 0 to a billion."


# ---------------------------------------------------------------- references


def core_reference(data_dict: Any, field: str) -> str | None:
    """The id or name in `data_dict[field]` that a chained core action may look up, or None
    when absent; anything else (a list, an object, NUL, a lone surrogate, too long) is a
    ValidationError naming the field, before any query sees it."""
    value = data_dict.get(field) if isinstance(data_dict, dict) else None
    if value is None or value == "":
        return None
    try:
        return _short_string(value)
    except Invalid as error:
        raise tk.ValidationError({field: [error.error]}) from None


def organization_by_reference(reference: str) -> model.Group | None:
    """An active organization by id, name or (when only one has it) title."""
    group = model.Group.get(reference)
    if group is not None and group.is_organization and group.state == "active":
        return group
    matches = (
        model.Session.execute(
            sa.select(model.Group).where(
                model.Group.title == reference,
                model.Group.is_organization.is_(True),
                model.Group.state == "active",
            )
        )
        .scalars()
        .all()
    )
    return matches[0] if len(matches) == 1 else None


def organization_id(value: Any) -> str:
    """The id of the active organization `value` names (id, name or title)."""
    group = organization_by_reference(_short_string(value))
    if group is None:
        raise Invalid(tk._("Organization not found"))
    return group.id


def user_id(value: Any) -> str:
    """The id of the active CKAN user `value` names (id or name)."""
    user = model.User.get(_short_string(value))
    if user is None or user.state != "active":
        raise Invalid(tk._("User not found"))
    return user.id


dinamis_relay_organization_id = checked(organization_id)
dinamis_relay_organization_id.__doc__ = "An active organization (id, name or title) → its id."
dinamis_relay_user_id = checked(user_id)
dinamis_relay_user_id.__doc__ = "An active CKAN user (id or name) → its id."


# ---------------------------------------------------------------- adhesion fields


def luhn_valid(digits: str) -> bool:
    """Luhn checksum (INSEE's SIREN/SIRET key): doubling every second digit from the right."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def siret_valid(siret: str) -> bool:
    if not re.fullmatch(r"[0-9]{14}", siret):
        return False
    if siret.startswith(LA_POSTE_SIREN):
        return luhn_valid(siret) or sum(int(c) for c in siret) % 5 == 0
    return luhn_valid(siret)


def dinamis_relay_siret(value: Any, context: Context) -> Any:
    """14 ASCII digits (spaces and dots allowed when typed) with a valid Luhn key; La
    Poste's exception. Full-width or other scripts' digits are refused."""
    if _empty(value):
        return value
    siret = re.sub(r"[\s.]", "", _short_string(value, 40))
    if not re.fullmatch(r"[0-9]{14}", siret):
        raise Invalid(tk._("A SIRET number has 14 digits"))
    if not siret_valid(siret):
        raise Invalid(tk._("This SIRET number is not valid (wrong check digit)"))
    return siret


def dinamis_relay_postcode(value: Any, context: Context) -> Any:
    """French postcode: five digits, in metropolitan France (Corsica: 20xxx) or 971-976."""
    if _empty(value):
        return value
    postcode = re.sub(r"\s", "", _short_string(value, 20))
    if not re.fullmatch(r"[0-9]{5}", postcode):
        raise Invalid(tk._("A postcode has 5 digits"))
    prefix = int(postcode[:2])
    if not (1 <= prefix <= 95 or 971 <= int(postcode[:3]) <= 976):
        raise Invalid(tk._("This is not a French postcode"))
    return postcode


def dinamis_relay_department(value: Any, context: Context) -> Any:
    """Département code: 01-95, 2A, 2B (Corsica), 971-976 (overseas)."""
    if _empty(value):
        return value
    code = _short_string(value, 20).upper()
    if len(code) == 1 and code in "123456789":
        code = "0" + code
    if code not in DEPARTMENTS:
        raise Invalid(tk._("Unknown département code"))
    return code


def department_of_postcode(postcode: str) -> tuple[str, ...]:
    """The département(s) a postcode may belong to (Corsica's 20xxx: 2A or 2B)."""
    if postcode.startswith("97"):
        return (postcode[:3],)
    if postcode.startswith("20"):
        return ("2A", "2B")
    return (postcode[:2],)


def dinamis_relay_postcode_matches_department(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """Cross-field check (in `__after`): the postcode lies in the given département.

    Postcodes follow département numbers, except some mail-sorting codes near borders; the
    check is therefore only made when both are present and valid on their own.
    """
    postcode = data.get(("postcode",))
    department = data.get(("department",))
    if not isinstance(postcode, str) or not isinstance(department, str):
        return
    if not postcode or not department or errors.get(("postcode",)):
        return
    if errors.get(("department",)):
        return
    if department not in department_of_postcode(postcode):
        errors.setdefault(("postcode",), []).append(
            tk._("This postcode is not in département {department}").format(department=department)
        )


def dinamis_relay_phone(value: Any, context: Context) -> Any:
    """Phone numbers, one normalisation for every form: separators ignored; French numbers
    (0 or +33 prefix) written `05 57 00 00 00`; other international numbers `+` and digits."""
    if _empty(value):
        return value
    raw = _short_string(value, 40)
    compact = re.sub(r"[\s.\-()/]", "", raw)
    compact = compact.replace("+33(0)", "+33").replace("+330", "+33")
    if compact.startswith("0033"):
        compact = "+33" + compact[4:]
    if re.fullmatch(r"0[1-9][0-9]{8}", compact):
        return " ".join(compact[i : i + 2] for i in range(0, 10, 2))
    if re.fullmatch(r"\+33[1-9][0-9]{8}", compact):
        national = "0" + compact[3:]
        return " ".join(national[i : i + 2] for i in range(0, 10, 2))
    # Overseas (+262, +590, ...) and other international numbers.
    if re.fullmatch(r"\+[0-9]{8,15}", compact):
        return compact
    raise Invalid(tk._("This phone number is not valid"))


def dinamis_relay_email(value: Any, context: Context) -> Any:
    """An email address: the length first (no parser sees a huge value), then the syntax
    (email-validator, without network look-ups). Returned as typed, stripped."""
    if _empty(value):
        return value
    email = _string(value).strip()
    if len(email) > MAX_EMAIL_LENGTH:
        raise Invalid(tk._("This email address is not valid"))
    try:
        email_validator.validate_email(email, check_deliverability=False)
    except email_validator.EmailNotValidError:
        raise Invalid(tk._("This email address is not valid")) from None
    return email


def dinamis_relay_email_domains(value: Any, context: Context) -> Any:
    """Comma/space separated text or a list → a list of distinct lowercase domains (at most
    100, kept in the order given; de-duplicated in linear time)."""
    if value is None or value == "" or value is tk.missing:
        return []
    if isinstance(value, str):
        if len(value) > MAX_DOMAINS * 254:
            raise Invalid(tk._("At most {n} email domains").format(n=MAX_DOMAINS))
        items: list[Any] = re.split(r"[\s,;]+", _string(value))
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise Invalid(tk._("Give email domains as a list or as text separated by commas"))
    domains: dict[str, None] = {}
    for item in items:
        if not isinstance(item, str):
            raise Invalid(tk._("Give email domains as a list or as text separated by commas"))
        domain = _short_string(item, 254).lower().lstrip("@")
        if not domain:
            continue
        if not _DOMAIN_RE.match(domain):
            raise Invalid(
                tk._("{domain} is not a valid domain name").format(domain=excerpt(item.strip()))
            )
        domains[domain] = None
        if len(domains) > MAX_DOMAINS:
            raise Invalid(tk._("At most {n} email domains").format(n=MAX_DOMAINS))
    return list(domains)


def dinamis_relay_website(value: Any, context: Context) -> Any:
    """An http(s) address; `www.example.fr` is read as https://www.example.fr."""
    if _empty(value):
        return value
    url = _short_string(value, 2000)
    if not re.match(r"^[a-z][a-z0-9+.-]*://", url, re.I):
        url = "https://" + url
    match = re.match(r"^(https?)://([^/\s:?#]+)(:[0-9]{1,5})?([/?#]\S*)?$", url, re.I)
    if not match or not _DOMAIN_RE.match(match.group(2).lower()):
        raise Invalid(tk._("This website address is not valid"))
    return url


def _choice(value: Any, allowed: tuple[str, ...], message: str) -> Any:
    if _empty(value):
        return value
    if not isinstance(value, str) or value not in allowed:
        raise Invalid(message)
    return value


def dinamis_relay_entity_type(value: Any, context: Context) -> Any:
    return _choice(value, ENTITY_TYPES, tk._("Unknown entity type"))


def dinamis_relay_eligibility_category(value: Any, context: Context) -> Any:
    return _choice(value, ELIGIBILITY_CATEGORIES, tk._("Unknown eligibility category"))


def dinamis_relay_mode(value: Any, context: Context) -> Any:
    from ..model.adhesion import MODES

    return _choice(value, MODES, tk._("The mode is either classic or relay"))
