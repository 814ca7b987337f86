"""Adhesion emails (and documents), sent from background jobs.

Actions call `transition()` inside the transaction of the transition: it writes the outbox
rows, which are queued once the transaction commits, so a slow or failing mail server never
delays or breaks a request and nothing is lost. The jobs read the adhesion again and render
`templates/dinamis_relay/emails/*.txt` in the site's default language.
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from .. import l10n, labels
from ..access.roles import dinamis_organization, relay_organization
from ..model import Adhesion
from . import attachments, outbox
from .mailing import (
    Recipient,
    request_context,
    send,
    staff_recipients,
    user_recipients,
)

log = logging.getLogger(__name__)

# Transitions reported to the referent and the legal representative.
DECISION_ACTIONS = (
    "accept",
    "reject",
    "return",
    "legal_decline",
    "legal_link_expired",
    "suspend",
    "reinstate",
    "terminate",
    "expire",
)


def _enabled(option: str) -> bool:
    return tk.asbool(tk.config.get(f"ckanext.dinamis_relay.email.{option}", True))


def transition(
    session: Any,
    adhesion: Adhesion,
    action: str,
    legal_link: str | None = None,
    user_id: str | None = None,
) -> None:
    """Write the emails and documents a transition calls for, in its transaction."""
    adhesion_id = adhesion.id
    if action != "reminder":
        from ..documents import jobs

        # On the documents queue; an acceptance's email issues the ones it attaches.
        jobs.enqueue_due(session, adhesion, user_id)
    if action == "submit" and legal_link:
        outbox.enqueue(
            session, "adhesion.legal_request", {"adhesion_id": adhesion_id, "link": legal_link}
        )
        outbox.enqueue(session, "adhesion.submission_notice", {"adhesion_id": adhesion_id})
        outbox.enqueue(session, "adhesion.submission_texts", {"adhesion_id": adhesion_id})
    elif action == "legal_accept":
        outbox.enqueue(session, "adhesion.submitted", {"adhesion_id": adhesion_id})
    elif action in DECISION_ACTIONS:
        kind = "adhesion.acceptance" if action == "accept" else "adhesion.decision"
        outbox.enqueue(session, kind, {"adhesion_id": adhesion_id, "action": action})
    elif action == "reminder":
        outbox.enqueue(session, "adhesion.reminder", {"adhesion_id": adhesion_id})


# Recipients


def _extra_recipients() -> list[Recipient]:
    value = tk.config.get("ckanext.dinamis_relay.email.extra_recipients") or []
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    return [(email, email) for email in value if email]


def _referent(adhesion: Adhesion) -> list[Recipient]:
    return user_recipients(adhesion.referent_user_id)


def _legal_rep(adhesion: Adhesion) -> list[Recipient]:
    if not adhesion.legal_rep_email:
        return []
    return [(adhesion.legal_rep_name or adhesion.legal_rep_email, adhesion.legal_rep_email)]


def _relay_staff(adhesion: Adhesion) -> list[Recipient]:
    # The relay hears about its partners, i.e. relay-mode adhesions.
    if adhesion.mode != "relay" or not _enabled("notify_relay"):
        return []
    return staff_recipients(relay_organization())


# Rendering and sending


def _vars(adhesion: Adhesion, **extra: Any) -> dict[str, Any]:
    organization = model.Group.get(adhesion.organization_id)
    return {
        "adhesion": adhesion.dictize(),
        "organization_title": (organization.title or organization.name) if organization else "",
        "organization_name": organization.name if organization else "",
        "state_label": labels.label("adhesion_state", adhesion.state),
        "mode_label": labels.label("mode", adhesion.mode),
        "valid_until": l10n.format_date(adhesion.valid_until),
        # The organization's DINAMIS tab, where the referent renews an expired adhesion.
        "organization_url": tk.url_for(
            "dinamis_relay.organization", org_name=organization.name, _external=True
        )
        if organization
        else "",
        "site_title": tk.config.get("ckan.site_title") or "CKAN",
        "site_url": tk.config.get("ckan.site_url") or "",
        "relay_label": tk.config.get("ckanext.dinamis_relay.relay_label") or "",
        **extra,
    }


def _load(adhesion_id: str) -> Adhesion | None:
    adhesion = model.Session.get(Adhesion, adhesion_id)
    if adhesion is None:
        log.warning("DINAMIS email: adhesion %s is gone", adhesion_id)
    return adhesion


def send_legal_request(adhesion_id: str, link: str) -> int:
    """To the legal representative: the signed link to accept or decline."""
    with request_context():
        adhesion = _load(adhesion_id)
        if adhesion is None:
            return 0
        extra = _vars(
            adhesion, link=link, hours=tk.config["ckanext.dinamis_relay.legal_link_hours"]
        )
        subject = tk._("DINAMIS adhesion of {entity}: your validation is requested").format(
            entity=extra["organization_title"]
        )
        return send(_legal_rep(adhesion), subject, "dinamis_relay/emails/legal_request.txt", extra)


def _instruction_recipients(adhesion: Adhesion) -> list[Recipient]:
    """Instructors (when switched on), the relay for its partners, and the extra addresses."""
    recipients: list[Recipient] = []
    if _enabled("notify_instructors"):
        recipients += staff_recipients(dinamis_organization())
    return recipients + _relay_staff(adhesion) + _extra_recipients()


def send_submission_notice(adhesion_id: str) -> int:
    """To the instructors and the relay: an application was submitted; the legal
    representative is asked to validate it before DINAMIS can decide."""
    with request_context():
        adhesion = _load(adhesion_id)
        if adhesion is None:
            return 0
        extra = _vars(adhesion)
        subject = tk._("DINAMIS adhesion of {entity} submitted").format(
            entity=extra["organization_title"]
        )
        return send(
            _instruction_recipients(adhesion),
            subject,
            "dinamis_relay/emails/submission_notice.txt",
            extra,
        )


def send_submitted(adhesion_id: str) -> int:
    """To the instructors (and the relay for its partners): an application awaits decision."""
    with request_context():
        adhesion = _load(adhesion_id)
        if adhesion is None:
            return 0
        extra = _vars(adhesion)
        subject = tk._("DINAMIS adhesion of {entity} awaits your decision").format(
            entity=extra["organization_title"]
        )
        return send(
            _instruction_recipients(adhesion), subject, "dinamis_relay/emails/submitted.txt", extra
        )


def send_decision(adhesion_id: str, action: str) -> int:
    """To the referent, the legal representative and the relay: what happened and why."""
    with request_context():
        adhesion = _load(adhesion_id)
        if adhesion is None:
            return 0
        extra = _vars(adhesion, action=action, reason=adhesion.decision_reason or "")
        subject = tk._("DINAMIS adhesion of {entity}: {state}").format(
            entity=extra["organization_title"], state=extra["state_label"]
        )
        recipients = _referent(adhesion) + _relay_staff(adhesion)
        # The legal representative signs: they hear about decisions on what they signed.
        if action not in ("legal_decline", "legal_link_expired"):
            recipients += _legal_rep(adhesion)
        files: list = []
        if action == "accept":
            files, missing = attachments.decision_documents(adhesion)
            extra["documents_attached"] = [name for name, _file, _type in files]
            extra["documents_missing"] = attachments.kind_labels(missing)
        return send(
            recipients,
            subject,
            "dinamis_relay/emails/decision.txt",
            extra,
            attachments=files,
        )


def send_reminder(adhesion_id: str) -> int:
    """To the referent and the relay: the adhesion ends soon, renew it."""
    with request_context():
        adhesion = _load(adhesion_id)
        if adhesion is None:
            return 0
        extra = _vars(adhesion)
        subject = tk._("DINAMIS adhesion of {entity} ends on {date}").format(
            entity=extra["organization_title"], date=extra["valid_until"]
        )
        recipients = _referent(adhesion) + _relay_staff(adhesion)
        return send(recipients, subject, "dinamis_relay/emails/reminder.txt", extra)
