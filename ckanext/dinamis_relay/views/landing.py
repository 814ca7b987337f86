"""The landing page (/dinamis/) and the refusal page: each person is led to their next step.

Everything comes from actions, each asked once with a small limit, so the page costs the
same with 10 or 1,000 entities.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from . import action_context as _context

# How many organizations without an application the landing page offers by name.
OFFERED = 10


def _count(action: str, data_dict: dict[str, Any]) -> int:
    """The `count` of a list action asked for one row, 0 when the caller may not ask."""
    try:
        return int(tk.get_action(action)(_context(), data_dict).get("count") or 0)
    except (tk.NotAuthorized, tk.ValidationError, tk.ObjectNotFound):
        return 0


def _staff_organizations() -> set[str]:
    """Names or ids of the relay's and DINAMIS's own organizations: never entities."""
    return {
        value
        for value in (
            tk.config.get("ckanext.dinamis_relay.relay_organization"),
            tk.config.get("ckanext.dinamis_relay.dinamis_organization"),
        )
        if value
    }


def _is_staff_org(org: dict[str, Any], staff: set[str]) -> bool:
    return org.get("name") in staff or org.get("id") in staff


def _current_adhesion(organization_id: str) -> dict[str, Any] | None:
    try:
        return tk.get_action("dinamis_relay_adhesion_show")(
            _context(), {"organization_id": organization_id}
        )
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return None


def _my_entities() -> list[dict[str, Any]]:
    """The organizations the person administers, with their current application: the
    entities they may have adhere (classic procedure)."""
    staff = _staff_organizations()
    organizations = tk.get_action("organization_list_for_user")(
        _context(), {"permission": "manage_group", "include_dataset_count": False}
    )
    return [
        {"organization": org, "adhesion": _current_adhesion(org["id"])}
        for org in organizations
        if not _is_staff_org(org, staff)
    ]


def _without_application() -> tuple[list[dict[str, Any]], int]:
    """Up to OFFERED organizations that have no application yet (relay and DINAMIS left
    out), by title, and how many there are: three calls whatever the number of entities."""
    staff = _staff_organizations()
    names = tk.get_action("organization_list")(_context(), {"limit": 1000})
    applied = tk.get_action("dinamis_relay_adhesion_list")(_context(), {"limit": 1000})
    taken = {a["organization"]["name"] for a in applied["results"] if a.get("organization")}
    taken |= {a["organization_id"] for a in applied["results"]}
    free = [name for name in names if name not in taken and name not in staff]
    if not free:
        return [], 0
    shown = tk.get_action("organization_list")(
        _context(),
        {"organizations": free[:200], "all_fields": True, "sort": "title asc", "limit": 200},
    )
    shown = [org for org in shown if not _is_staff_org(org, staff)]
    return shown[:OFFERED], len(free)


def _accounts() -> list[dict[str, Any]]:
    try:
        result = tk.get_action("dinamis_relay_account_list")(
            _context(), {"mine": True, "limit": 100}
        )
    except (tk.NotAuthorized, tk.ValidationError):
        return []
    return list(result.get("results") or [])


def index() -> str:
    roles = tk.get_action("dinamis_relay_roles_show")(_context(), {})
    extra: dict[str, Any] = {"roles": roles}
    if tk.current_user.is_authenticated:
        staff = roles.get("super_referent") or roles.get("sysadmin")
        accounts = _accounts()
        extra.update(
            {
                "accounts": accounts,
                "active_accounts": [a for a in accounts if a.get("state") == "active"],
                "pending_accounts": [a for a in accounts if a.get("state") == "requested"],
                "can_request_imagery": bool(
                    tk.h.dinamis_relay_can("dinamis_relay_imagery_request_create")
                ),
                "my_entities": [] if staff else _my_entities(),
                "to_validate": _count(
                    "dinamis_relay_account_list",
                    {"state": "requested", "manageable": True, "limit": 1},
                ),
                "to_decide": (
                    _count(
                        "dinamis_relay_adhesion_list",
                        {"state": "pending_instruction", "limit": 1},
                    )
                    if roles.get("instructor") or roles.get("sysadmin")
                    else 0
                ),
                "to_triage": _count(
                    "dinamis_relay_imagery_request_list", {"queue": "triage", "limit": 1}
                ),
            }
        )
        if staff:
            offered, without = _without_application()
            extra.update({"offered": offered, "without_count": without})
    return tk.render("dinamis_relay/index.html", extra)


def refusal(message: str) -> str:
    """The page of a signed-in person who may not do what they asked, with the way on."""
    accounts = _accounts()
    return tk.render(
        "dinamis_relay/refused.html",
        {
            "message": message,
            "has_active_account": any(a.get("state") == "active" for a in accounts),
            "pending_accounts": [a for a in accounts if a.get("state") == "requested"],
        },
    )
