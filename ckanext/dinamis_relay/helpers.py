"""Template helpers, all prefixed dinamis_relay_."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from . import l10n, labels


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
    """Options of a choice list for CKAN's `form.select` macro (a kind of labels.KINDS)."""
    return labels.options(kind)


def dinamis_relay_label(kind: str, value: str | None) -> str:
    """The translated label of a stored value (the value itself when unknown)."""
    return labels.label(kind, value)


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
    return labels.label("adhesion_event", action)


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
    return labels.label("account_event", action)


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
