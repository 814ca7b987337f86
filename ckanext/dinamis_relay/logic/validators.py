"""Validators registered with CKAN (tk.blanket.validators registers the names in __all__)."""

from __future__ import annotations

import re
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey

from .. import choices

__all__ = [
    "dinamis_relay_department",
    "dinamis_relay_eligibility_category",
    "dinamis_relay_email",
    "dinamis_relay_email_domains",
    "dinamis_relay_entity_type",
    "dinamis_relay_mode",
    "dinamis_relay_organization_id",
    "dinamis_relay_phone",
    "dinamis_relay_postcode",
    "dinamis_relay_postcode_matches_department",
    "dinamis_relay_siret",
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

_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


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
    if not re.fullmatch(r"\d{14}", siret):
        return False
    if siret.startswith(LA_POSTE_SIREN):
        return luhn_valid(siret) or sum(int(c) for c in siret) % 5 == 0
    return luhn_valid(siret)


def dinamis_relay_siret(value: Any, context: Context) -> Any:
    """14 digits (spaces allowed when typed) with a valid Luhn key; La Poste's exception."""
    if value is None or value == "":
        return value
    siret = re.sub(r"[\s.]", "", _text(value))
    if not re.fullmatch(r"\d{14}", siret):
        raise Invalid(tk._("A SIRET number has 14 digits"))
    if not siret_valid(siret):
        raise Invalid(tk._("This SIRET number is not valid (wrong check digit)"))
    return siret


def dinamis_relay_postcode(value: Any, context: Context) -> Any:
    """French postcode: five digits, in metropolitan France (Corsica: 20xxx) or 971-976."""
    if value is None or value == "":
        return value
    postcode = re.sub(r"\s", "", _text(value))
    if not re.fullmatch(r"\d{5}", postcode):
        raise Invalid(tk._("A postcode has 5 digits"))
    prefix = int(postcode[:2])
    if not (1 <= prefix <= 95 or 971 <= int(postcode[:3]) <= 976):
        raise Invalid(tk._("This is not a French postcode"))
    return postcode


def dinamis_relay_department(value: Any, context: Context) -> Any:
    """Département code: 01-95, 2A, 2B (Corsica), 971-976 (overseas)."""
    if value is None or value == "":
        return value
    code = _text(value).upper()
    if len(code) == 1 and code.isdigit():
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
    if not postcode or not department or errors.get(("postcode",)):
        return
    if errors.get(("department",)):
        return
    if department not in department_of_postcode(str(postcode)):
        errors.setdefault(("postcode",), []).append(
            tk._("This postcode is not in département {department}").format(department=department)
        )


def dinamis_relay_phone(value: Any, context: Context) -> Any:
    """French phone numbers, leniently: separators ignored, +33 or 0 prefix, overseas."""
    if value is None or value == "":
        return value
    raw = _text(value)
    compact = re.sub(r"[\s.\-()/]", "", raw)
    compact = compact.replace("+33(0)", "+33").replace("+330", "+33")
    if compact.startswith("0033"):
        compact = "+33" + compact[4:]
    if re.fullmatch(r"0[1-9]\d{8}", compact):
        return " ".join(compact[i : i + 2] for i in range(0, 10, 2))
    if re.fullmatch(r"\+33[1-9]\d{8}", compact):
        national = "0" + compact[3:]
        return " ".join(national[i : i + 2] for i in range(0, 10, 2))
    # Overseas (+262, +590, ...) and other international numbers.
    if re.fullmatch(r"\+\d{8,15}", compact):
        return compact
    raise Invalid(tk._("This phone number is not valid"))


def dinamis_relay_email(value: Any, context: Context) -> Any:
    if value is None or value == "":
        return value
    email = _text(value)
    if not _EMAIL_RE.match(email) or len(email) > 254:
        raise Invalid(tk._("This email address is not valid"))
    return email


def dinamis_relay_email_domains(value: Any, context: Context) -> Any:
    """Comma/space separated text or a list → a list of distinct lowercase domains."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        items = re.split(r"[\s,;]+", value)
    elif isinstance(value, (list, tuple)):
        items = [_text(item) for item in value]
    else:
        raise Invalid(tk._("Give email domains as a list or as text separated by commas"))
    domains: list[str] = []
    for item in items:
        domain = item.strip().lower().lstrip("@")
        if not domain:
            continue
        if not _DOMAIN_RE.match(domain):
            raise Invalid(tk._("{domain} is not a valid domain name").format(domain=item))
        if domain not in domains:
            domains.append(domain)
    return domains


def dinamis_relay_website(value: Any, context: Context) -> Any:
    """An http(s) address; `www.example.fr` is read as https://www.example.fr."""
    if value is None or value == "":
        return value
    url = _text(value)
    if not re.match(r"^[a-z][a-z0-9+.-]*://", url, re.I):
        url = "https://" + url
    match = re.match(r"^(https?)://([^/\s:?#]+)(:\d+)?([/?#]\S*)?$", url, re.I)
    if not match or not _DOMAIN_RE.match(match.group(2).lower()):
        raise Invalid(tk._("This website address is not valid"))
    return url


def _one_of(value: Any, allowed: tuple[str, ...], message: str) -> Any:
    if value is None or value == "":
        return value
    if value not in allowed:
        raise Invalid(message)
    return value


def dinamis_relay_entity_type(value: Any, context: Context) -> Any:
    return _one_of(value, choices.ENTITY_TYPES, tk._("Unknown entity type"))


def dinamis_relay_eligibility_category(value: Any, context: Context) -> Any:
    return _one_of(value, choices.ELIGIBILITY_CATEGORIES, tk._("Unknown eligibility category"))


def dinamis_relay_mode(value: Any, context: Context) -> Any:
    from ..model.adhesion import MODES

    return _one_of(value, MODES, tk._("The mode is either classic or relay"))


def dinamis_relay_organization_id(value: Any, context: Context) -> Any:
    """An active organization, by id or name → its id."""
    if value is None or value == "":
        return value
    group = model.Group.get(_text(value))
    if group is None or not group.is_organization or group.state != "active":
        raise Invalid(tk._("Organization not found"))
    return group.id


def dinamis_relay_user_id(value: Any, context: Context) -> Any:
    """An active CKAN user, by id or name → its id."""
    if value is None or value == "":
        return value
    user = model.User.get(_text(value))
    if user is None or user.state != "active":
        raise Invalid(tk._("User not found"))
    return user.id
