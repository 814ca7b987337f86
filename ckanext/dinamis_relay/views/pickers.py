"""What a person types in an organization or user field, made into what the actions take.

The pickers of the forms use CKAN's `autocomplete` module on CKAN's own autocomplete API and
post the machine name; without JavaScript (or when the person types without choosing), the
field holds whatever they typed: the name, the id, or the exact title (full name) the site
shows. These functions accept all three, and leave anything else to the action, whose error
then names the field.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask.typing import ResponseReturnValue

from . import action_context as _context
from . import dinamis_relay

# How many candidates are compared with the typed title: enough for homonyms.
CANDIDATES = 20


def _same(a: str | None, b: str) -> bool:
    return " ".join((a or "").split()).casefold() == " ".join(b.split()).casefold()


def organization_name(reference: str) -> str | None:
    """The machine name of the organization named, id'd or titled `reference`, or None
    when none (or several with that title) match."""
    reference = (reference or "").strip()
    if not reference:
        return None
    try:
        org = tk.get_action("organization_show")(
            _context(), {"id": reference, "include_datasets": False, "include_users": False}
        )
        return str(org["name"])
    except (tk.ObjectNotFound, tk.NotAuthorized):
        pass
    found = tk.get_action("organization_list")(
        _context(), {"q": reference, "all_fields": True, "limit": CANDIDATES}
    )
    matches = [o for o in found if _same(o.get("title"), reference)]
    return str(matches[0]["name"]) if len(matches) == 1 else None


def user_name(reference: str) -> str | None:
    """The user name of the user named, id'd or with the full name `reference`, or None
    when none (or several people with that full name) match."""
    reference = (reference or "").strip()
    if not reference:
        return None
    try:
        return str(tk.get_action("user_show")(_context(), {"id": reference})["name"])
    except (tk.ObjectNotFound, tk.NotAuthorized):
        pass
    try:
        found = tk.get_action("user_autocomplete")(
            _context(), {"q": reference, "limit": CANDIDATES}
        )
    except tk.NotAuthorized:
        return None
    matches = [u for u in found if _same(u.get("fullname"), reference)]
    return str(matches[0]["name"]) if len(matches) == 1 else None


def user_label(user_id: str | None) -> dict[str, str]:
    """{"name", "label"} of a stored user id, for a picker's initial value."""
    if not user_id:
        return {"name": "", "label": ""}
    try:
        user = tk.get_action("user_show")(_context(), {"id": user_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return {"name": user_id, "label": user_id}
    name = str(user["name"])
    fullname = user.get("fullname") or ""
    return {"name": name, "label": f"{fullname} ({name})" if fullname else name}


def organization_label(reference: str | None) -> str:
    """The title of an organization named or id'd `reference` (the reference when unknown)."""
    if not reference:
        return ""
    try:
        org = tk.get_action("organization_show")(
            _context(), {"id": reference, "include_datasets": False, "include_users": False}
        )
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return reference
    return str(org.get("display_name") or org.get("title") or org["name"])


@dinamis_relay.route("/organization/go")
def organization_go() -> ResponseReturnValue:
    """The landing page's picker: open the DINAMIS tab of the organization typed."""
    typed = tk.request.args.get("organization", "")
    name = organization_name(typed)
    if name is None:
        if typed.strip():
            tk.h.flash_error(
                tk._('No organization is called "{name}". Choose one in the list.').format(
                    name=typed.strip()
                )
            )
        return tk.redirect_to("dinamis_relay.index")
    return tk.redirect_to("dinamis_relay.organization", org_name=name)
