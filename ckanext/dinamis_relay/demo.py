"""Demo data for `ckan dinamis-relay demo-data`: built through actions, like a user would."""

from __future__ import annotations

from collections.abc import Iterator

import ckan.plugins.toolkit as tk


def _site_user_context() -> dict:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def create_demo_data(password: str | None = None) -> Iterator[str]:
    """Create the demo organizations and users; yield lines to print (with passwords)."""
    password = password or "DinamisDemo2026!"
    context = _site_user_context()
    users = {
        "sysadmin": "admin-plateforme",
        "super-referent": "relais-pigma",
        "instructor": "instructeur-dinamis",
        "referent": "referent-bordeaux",
        "user": "agent-bordeaux",
    }
    for role, name in users.items():
        try:
            tk.get_action("user_show")(dict(context), {"id": name})
        except tk.ObjectNotFound:
            tk.get_action("user_create")(
                dict(context),
                {
                    "name": name,
                    "email": f"{name}@example.org",
                    "password": password,
                    "fullname": name.replace("-", " ").title(),
                },
            )
        yield f"{role:15} {name:22} {password}"
