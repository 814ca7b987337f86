"""Web pages of the plugin, under /dinamis, on the one `dinamis_relay` blueprint.

Each concern adds its routes from its own module, imported at the bottom. Views call
actions, never models; the one exception is the document download, which reads the stored
PDF through documents.storage once dinamis_relay_document_show has authorised it.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask import Blueprint, current_app, g, request

dinamis_relay = Blueprint("dinamis_relay", __name__, url_prefix="/dinamis")


@dinamis_relay.before_request
def _csrf_protect() -> None:
    """Check the CSRF token of the plugin's forms on CKAN 2.11 as CKAN 2.12 does.

    CKAN 2.11 exempts extensions' blueprints from CSRF protection unless
    `ckan.csrf_protection.ignore_extensions = false`; CKAN 2.12 protects every blueprint.
    Every form of the plugin carries the token, so the plugin never needs the exemption.
    """
    csrf = current_app.extensions.get("csrf")
    if (
        csrf is None
        or not current_app.config.get("WTF_CSRF_ENABLED", True)
        or request.method not in current_app.config.get("WTF_CSRF_METHODS", ())
        # Not exempted: CKAN checks the token itself (CKAN 2.12, or the option is off).
        or dinamis_relay not in getattr(csrf, "_exempt_blueprints", ())
        # Signed in with an API token, which CKAN exempts from CSRF checks on purpose.
        or getattr(g, "_csrf_exempt_view", False)
    ):
        return
    csrf.protect()


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
