"""Template helpers, all prefixed dinamis_relay_."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


def dinamis_relay_feedback_url() -> str:
    return tk.config.get("ckanext.dinamis_relay.feedback_url") or ""


def dinamis_relay_roles() -> dict[str, Any]:
    """The current user's DINAMIS roles, for showing or hiding links."""
    return tk.get_action("dinamis_relay_roles_show")({}, {})
