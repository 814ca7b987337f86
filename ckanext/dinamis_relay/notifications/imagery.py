"""Imagery request emails, sent from background jobs.

- submitted: to the first-level reviewers (the relay's super-referents, or the referent);
- forwarded: to the DINAMIS instructors;
- any other change made by someone else: to the requester;
- a new message: to the other parties who may read it (internal notes: staff only).
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from .. import labels
from ..access.roles import dinamis_organization, relay_organization
from ..model import Adhesion, ImageryRequest, ImageryRequestComment
from . import outbox
from .mailing import (
    Recipient,
    request_context,
    send,
    staff_recipients,
    user_recipients,
)

log = logging.getLogger(__name__)


def transition(
    session: Any,
    request_id: str,
    action: str,
    actor_id: str | None,
    comment_id: int | None = None,
) -> None:
    """Write the emails of a transition, in its transaction (`comment_id` once flushed)."""
    outbox.enqueue(
        session,
        "imagery.transition",
        {
            "request_id": request_id,
            "action": action,
            "actor_id": actor_id,
            "comment_id": comment_id,
        },
    )


def comment(session: Any, request_id: str, comment_id: int) -> None:
    outbox.enqueue(session, "imagery.comment", {"request_id": request_id, "comment_id": comment_id})


# Recipients


def _reviewers(request: ImageryRequest) -> list[Recipient]:
    if request.reviewer == "relay":
        return staff_recipients(relay_organization())
    referent = model.Session.execute(
        sa.select(Adhesion.referent_user_id).where(
            Adhesion.organization_id == request.organization_id, Adhesion.is_current.is_(True)
        )
    ).scalar()
    return user_recipients(referent)


def _instructors() -> list[Recipient]:
    return staff_recipients(dinamis_organization())


def _without(recipients: list[Recipient], user_id: str | None) -> list[Recipient]:
    """Nobody is told about what they did themselves."""
    own = {email.lower() for _name, email in user_recipients(user_id)}
    return [(name, email) for name, email in recipients if email.lower() not in own]


# Rendering and sending


def _vars(request: ImageryRequest, **extra: Any) -> dict[str, Any]:
    organization = model.Group.get(request.organization_id)
    requester = model.User.get(request.user_id)
    site_url = (tk.config.get("ckan.site_url") or "").rstrip("/")
    return {
        "request": request.dictize(),
        "organization_title": (organization.title or organization.name) if organization else "",
        "requester_name": (requester.fullname or requester.name) if requester else "",
        "link": f"{site_url}/dinamis/imagery/{request.id}",
        "site_title": tk.config.get("ckan.site_title") or "CKAN",
        "relay_label": tk.config.get("ckanext.dinamis_relay.relay_label") or "",
        **extra,
    }


def _label(request: ImageryRequest) -> str:
    return request.number or request.title


def send_transition(
    request_id: str, action: str, actor_id: str | None, comment_id: int | None = None
) -> int:
    with request_context():
        request = model.Session.get(ImageryRequest, request_id)
        if request is None:
            return 0
        message = model.Session.get(ImageryRequestComment, comment_id) if comment_id else None
        extra = _vars(
            request,
            action=action,
            comment=message.body if message else "",
            state_label=labels.label("imagery_state", request.state),
        )
        sent = 0
        if action == "submit":
            subject = tk._("Imagery request {label} awaits your review").format(
                label=_label(request)
            )
            sent += send(
                _without(_reviewers(request), actor_id),
                subject,
                "dinamis_relay/emails/imagery_submitted.txt",
                extra,
            )
        if action == "forward":
            subject = tk._("Imagery request {label} forwarded to DINAMIS").format(
                label=_label(request)
            )
            sent += send(
                _without(_instructors(), actor_id),
                subject,
                "dinamis_relay/emails/imagery_forwarded.txt",
                extra,
            )
        if actor_id != request.user_id:
            subject = tk._("Your imagery request {label}: {state}").format(
                label=_label(request), state=labels.label("imagery_state", request.state)
            )
            sent += send(
                user_recipients(request.user_id),
                subject,
                "dinamis_relay/emails/imagery_state.txt",
                extra,
            )
        return sent


def send_comment(request_id: str, comment_id: int) -> int:
    with request_context():
        request = model.Session.get(ImageryRequest, request_id)
        message = model.Session.get(ImageryRequestComment, comment_id)
        if request is None or message is None:
            return 0
        recipients = _reviewers(request)
        if request.forwarded_at is not None:
            recipients += _instructors()
        if not message.internal:
            recipients = user_recipients(request.user_id) + recipients
        extra = _vars(request, comment=message.body, internal=message.internal)
        subject = tk._("New message on imagery request {label}").format(label=_label(request))
        return send(
            _without(recipients, message.user_id),
            subject,
            "dinamis_relay/emails/imagery_comment.txt",
            extra,
        )
