"""Web pages of the plugin, under /dinamis, on the one `dinamis_relay` blueprint.

Each concern adds its routes from its own module, imported at the bottom. Views call
actions, never models.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask import Blueprint

dinamis_relay = Blueprint("dinamis_relay", __name__, url_prefix="/dinamis")


@dinamis_relay.route("/")
def index() -> str:
    """Landing page: what DINAMIS is and what the current user can do here."""
    roles = tk.get_action("dinamis_relay_roles_show")({}, {})
    return tk.render("dinamis_relay/index.html", {"roles": roles})


# Route modules register on the blueprint above when imported.
from . import (  # noqa: E402,F401
    account,
    adhesion,
    dashboard,
    document,
    download,
    imagery,
)
