"""Template helpers, all prefixed dinamis_relay_."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask_babel import pgettext

from . import l10n


def dinamis_relay_feedback_url() -> str:
    return tk.config.get("ckanext.dinamis_relay.feedback_url") or ""


def dinamis_relay_roles() -> dict[str, Any]:
    """The current user's DINAMIS roles, for showing or hiding links."""
    return tk.get_action("dinamis_relay_roles_show")({}, {})


def dinamis_relay_can(action: str, data_dict: dict[str, Any] | None = None) -> bool:
    """Whether the current user may call `action`: the template side of `tk.check_access`.

    Unlike CKAN's `h.check_access`, an object that does not exist means "no", not an error,
    so a button test never breaks a page.
    """
    context = {"user": tk.current_user.name if tk.current_user else ""}
    try:
        tk.check_access(action, context, dict(data_dict or {}))
    except (tk.NotAuthorized, tk.ObjectNotFound, tk.ValidationError):
        return False
    return True


def dinamis_relay_choices(kind: str) -> list[dict[str, str]]:
    """Options of a choice list for CKAN's `form.select` macro: entity_type,
    eligibility_category, mode, state (of an adhesion), account_state or decision."""
    from . import choices

    lists = {
        "entity_type": choices.entity_type_choices,
        "eligibility_category": choices.eligibility_category_choices,
        "mode": choices.mode_choices,
        "state": choices.state_choices,
        "account_state": choices.account_state_choices,
        "decision": choices.decision_choices,
    }
    return [{"value": value, "text": text} for value, text in lists[kind]()]


def dinamis_relay_label(kind: str, value: str | None) -> str:
    """The translated label of a stored choice value (the value itself when unknown)."""
    return {o["value"]: o["text"] for o in dinamis_relay_choices(kind)}.get(
        value or "", value or ""
    )


def dinamis_relay_state_badge(state: str | None) -> Any:
    """A coloured badge with the translated name of an adhesion state."""
    from markupsafe import Markup, escape

    state = state or ""
    return Markup('<span class="dinamis-state dinamis-state-{0}">{1}</span>').format(
        escape(state), escape(dinamis_relay_label("state", state))
    )


def dinamis_relay_latest_eligibility(adhesion: dict[str, Any]) -> dict[str, Any] | None:
    """The latest eligibility check of an adhesion as shown by adhesion_show, or None."""
    checks = adhesion.get("eligibility_checks") or []
    return checks[0] if checks else None


def dinamis_relay_event_label(action: str | None) -> str:
    """What an audit event of an adhesion means, in words."""
    labels = {
        "create": tk._("Application started"),
        "update": tk._("Application edited"),
        "check_eligibility": tk._("Eligibility checked"),
        "submit": tk._("Submitted to the legal representative"),
        "legal_accept": tk._("Validated by the legal representative"),
        "legal_decline": tk._("Declined by the legal representative"),
        "legal_link_expired": tk._("The legal representative's link expired"),
        "accept": tk._("Accepted by DINAMIS"),
        "reject": tk._("Rejected by DINAMIS"),
        "return": tk._("Returned for changes by DINAMIS"),
        # Said of the adhesion: the context lets the participle agree with it.
        "suspend": pgettext("adhesion state", "Suspended"),
        "reinstate": pgettext("adhesion state", "Reinstated"),
        "terminate": pgettext("adhesion state", "Terminated"),
        "expire": tk._("Validity ended"),
        "renew": tk._("Renewal started"),
        "reminder": tk._("Renewal reminder sent"),
        "register": tk._("Registered from an existing adhesion"),
        "supporting_document_add": tk._("Supporting document added"),
        "supporting_document_delete": tk._("Supporting document removed"),
    }
    return labels.get(action or "", action or "")


def dinamis_relay_number(value: float | None, digits: int = 0) -> str:
    """A number written the way the reader's language writes it (12 500,5 in French)."""
    if value is None:
        return ""
    return l10n.format_decimal(value, digits)


def dinamis_relay_date(value: Any, with_hours: bool = False) -> str:
    """The one way the plugin's pages write a date ("1 décembre 2026") or, with_hours, a
    moment ("1 décembre 2026 à 17 h 56"): Babel, the page's language, CKAN's display time
    zone. Emails and messages use the same functions (l10n)."""
    return l10n.format_datetime(value) if with_hours else l10n.format_date(value)


def dinamis_relay_text_title(kind: str | None, code: str, version: str | None = None) -> str:
    """The title of an accepted text ("Licence DINAMIS SPOT 6/7") instead of its code, in
    the page's language; the code when the text is unknown."""
    from . import texts

    if not code:
        return ""
    text = texts.load(kind or "", code, version or _text_version(code))
    return text.title if text.available else code


def _text_version(code: str) -> str:
    from . import texts

    versions = dict(texts.licence_versions())
    versions.setdefault("charte-dinamis", texts.charter_version())
    versions.setdefault("avenant-relais", texts.amendment_version())
    return versions.get(code, "")


def dinamis_relay_licence_label(code: str | None) -> str:
    """The name of a DINAMIS licence code, as put on imagery datasets."""
    return dinamis_relay_text_title("licence", code or "")


def dinamis_relay_account_event_label(action: str | None) -> str:
    """What an audit event of an individual account means, in words."""
    labels = {
        "request": tk._("Account requested"),
        "create": tk._("Account opened on the person's behalf"),
        "import": tk._("Account imported"),
        "validate": tk._("Account validated"),
        "refuse": tk._("Request refused"),
        "suspend": pgettext("account state", "Suspended"),
        "reactivate": tk._("Account reactivated"),
        "renew": tk._("Account renewed"),
        "close": tk._("Account closed"),
        "expire": tk._("Validity ended"),
        "reminder": tk._("Renewal reminder sent"),
        "membership_removed": tk._("Closed: the person left the organization"),
    }
    return labels.get(action or "", action or "")


def dinamis_relay_transition(object_type: str, name: str, state: str | None) -> dict[str, Any]:
    """How a page offers a transition from `state`: its label and whether it asks for a
    reason, both read from the lifecycle table."""
    from .lifecycle import transition_label
    from .lifecycle.account import ACCOUNT
    from .lifecycle.adhesion import ADHESION
    from .lifecycle.imagery import IMAGERY

    table = {"account": ACCOUNT, "adhesion": ADHESION, "imagery_request": IMAGERY}[object_type]
    rule = table.rule(name, state)
    keys = {requirement.key for requirement in rule.requires} if rule else set()
    return {
        "name": name,
        "label": transition_label(object_type, name),
        "needs_reason": bool(keys & {"reason", "comment"}),
    }


def dinamis_relay_licence_choices(field: dict[str, Any] | None = None) -> list[dict[str, str]]:
    """Choices of the ckanext-scheming `dinamis_licence` preset: the configured licences."""
    from . import texts

    return [
        {"value": code, "label": f"DINAMIS {code} ({version})"}
        for code, version in texts.licence_versions()
    ]
