"""navl schemas of the dashboard, statistics and export actions."""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, Schema

MAX_MONTHS = 36
DEFAULT_MONTHS = 12
EXPORT_KINDS = ("entities", "accounts", "activity")
MAX_EXPORT_PAGE = 5000


def _v(name: str) -> Any:
    return tk.get_validator(name)


def months(value: Any, context: Context) -> int:
    """A whole number of months from 1 to 36."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise tk.Invalid(tk._("Give a whole number of months")) from None
    if not 1 <= number <= MAX_MONTHS:
        raise tk.Invalid(tk._("Give from 1 to {n} months").format(n=MAX_MONTHS))
    return number


def page_size(value: Any, context: Context) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise tk.Invalid(tk._("Give a whole number")) from None
    if not 1 <= number <= MAX_EXPORT_PAGE:
        raise tk.Invalid(tk._("Give from 1 to {n}").format(n=MAX_EXPORT_PAGE))
    return number


def yes_no(value: Any, context: Context) -> bool:
    """true/false, yes/no, 1/0, on/off (form checkboxes and query strings); else an error."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on", "y", "t"):
        return True
    if text in ("", "0", "false", "no", "off", "n", "f"):
        return False
    raise tk.Invalid(tk._("Give true or false"))


def organization(value: Any, context: Context) -> str:
    """An organization given by id or name, replaced by its id."""
    if not isinstance(value, str) or not value.strip():
        raise tk.Invalid(tk._("Give an organization id or name"))
    group = model.Group.get(value.strip())
    if group is None or not group.is_organization or group.state != "active":
        raise tk.Invalid(tk._("No such organization"))
    return group.id


def export_kind(value: Any, context: Context) -> str:
    if value not in EXPORT_KINDS:
        raise tk.Invalid(
            tk._("Unknown export; use one of: {kinds}").format(kinds=", ".join(EXPORT_KINDS))
        )
    return value


def dashboard() -> Schema:
    return {
        "organization_id": [_v("ignore_empty"), organization],
        "months": [_v("default")(DEFAULT_MONTHS), months],
        "validated": [_v("default")(False), yes_no],
    }


def stats() -> Schema:
    return {"months": [_v("default")(DEFAULT_MONTHS), months]}


def dashboard_export() -> Schema:
    return {
        "kind": [_v("not_empty"), export_kind],
        "organization_id": [_v("ignore_empty"), organization],
        "months": [_v("ignore_empty"), months],
        "validated": [_v("default")(False), yes_no],
        "after": [_v("ignore_empty"), _v("unicode_safe")],
        "limit": [_v("default")(1000), page_size],
    }
