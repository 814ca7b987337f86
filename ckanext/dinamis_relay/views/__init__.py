"""Web pages of the plugin, under /dinamis, on the one `dinamis_relay` blueprint.

Each concern adds its routes from its own module, imported at the bottom. Views call
actions, never models; the one exception is the document download, which reads the stored
PDF through documents.storage once dinamis_relay_document_show has authorised it.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import Context
from flask import Blueprint, current_app, g, request, session
from flask.typing import ResponseReturnValue
from markupsafe import escape
from werkzeug.exceptions import Forbidden

dinamis_relay = Blueprint("dinamis_relay", __name__, url_prefix="/dinamis")


def action_context() -> Context:
    """The context of an action a page calls: the signed-in person, or anonymous."""
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


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


@dinamis_relay.errorhandler(403)
def _forbidden(error: Forbidden) -> ResponseReturnValue:
    """Every refusal of the plugin's pages leads somewhere: a visitor is sent to the login
    page (and back here afterwards), a signed-in person gets the reason in their language
    and the next step (request an account, have the entity apply)."""
    message = str(error.description or "")
    # CKAN's abort() also flashed the reason (escaped): the page says it once, with the way
    # on, and a visitor gets the login page without a developer's message.
    said = {message, str(escape(message))}
    flashes = session.get("_flashes") or []
    if any(str(text) in said for _category, text in flashes):
        session["_flashes"] = [(c, t) for c, t in flashes if str(t) not in said]
    if not tk.current_user.is_authenticated:
        tk.h.flash_notice(tk._("Log in to continue to this DINAMIS page."))
        return tk.redirect_to("user.login", next=request.full_path.rstrip("?"))
    return landing.refusal(message), 403


@dinamis_relay.route("/")
def index() -> str:
    """Landing page: what DINAMIS is and, for each role, the next step."""
    return landing.index()


# Route modules register on the blueprint above when imported.
from . import (  # noqa: E402,F401
    account,
    adhesion,
    coverage,
    dashboard,
    document,
    download,
    imagery,
    landing,
    personal_data,
    pickers,
    preferences,
    procedure,
    supporting_document,
)
