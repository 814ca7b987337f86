"""The staff's email page (/dinamis/notifications): each notice by email or the daily
digest, and, for sysadmins, copies of the staff notices. Super-referents, instructors and
sysadmins hear about work waiting for them; the others have nothing to choose here."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask.typing import ResponseReturnValue

from . import action_context as _context
from . import dinamis_relay


def _roles() -> dict[str, Any]:
    return tk.get_action("dinamis_relay_roles_show")(_context(), {})


@dinamis_relay.route("/notifications", methods=["GET", "POST"])
def notifications() -> ResponseReturnValue:
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", next=tk.request.full_path.rstrip("?"))
    roles = _roles()
    if not (roles["sysadmin"] or roles["super_referent"] or roles["instructor"]):
        return tk.abort(
            403,
            tk._(
                "Only the relay's super-referents, DINAMIS instructors and sysadmins receive "
                "staff notices."
            ),
        )
    errors: dict[str, list[str]] = {}
    if tk.request.method == "POST":
        form = tk.request.form
        data = {"staff_emails": form.get("staff_emails", "")}
        if roles["sysadmin"]:
            # An unticked checkbox sends nothing.
            data["sysadmin_copies"] = "true" if form.get("sysadmin_copies") else "false"
        try:
            tk.get_action("dinamis_relay_mail_preference_update")(_context(), data)
        except tk.ValidationError as error:
            errors = error.error_dict
        else:
            tk.h.flash_success(tk._("Your choice is saved."))
            return tk.redirect_to("dinamis_relay.notifications")
    preference = tk.get_action("dinamis_relay_mail_preference_show")(_context(), {})
    return tk.render(
        "dinamis_relay/notifications.html",
        {"preference": preference, "roles": roles, "errors": errors},
    )
