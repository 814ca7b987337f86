"""What every email of the plugin shares: queueing, recipients, rendering and sending.

Actions queue jobs only after their commit, so a slow or failing mail server never delays or
breaks a request; the jobs reload what they report and render
`templates/dinamis_relay/emails/*.txt` in the site's default language.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import flask
import sqlalchemy as sa
from ckan.lib import mailer

from .roles import STAFF_CAPACITIES

log = logging.getLogger(__name__)

Recipient = tuple[str, str]  # (name, email)


def enqueue(function: Callable[..., Any], *args: Any) -> None:
    """Queue an email job; a queue failure is logged, never raised after a commit."""
    try:
        tk.enqueue_job(function, list(args), title=f"dinamis_relay {function.__name__}")
    except Exception:
        log.exception("Could not queue %s%r", function.__name__, args)


def staff_recipients(organization: str) -> list[Recipient]:
    """Admins and editors of an organization (by name or id) who have an email: one query."""
    if not organization:
        return []
    rows = model.Session.execute(
        sa.select(model.User.fullname, model.User.name, model.User.email)
        .join(model.Member, model.Member.table_id == model.User.id)
        .join(model.Group, model.Group.id == model.Member.group_id)
        .where(
            sa.or_(model.Group.name == organization, model.Group.id == organization),
            model.Group.is_organization.is_(True),
            model.Member.table_name == "user",
            model.Member.state == "active",
            model.Member.capacity.in_(STAFF_CAPACITIES),
            model.User.state == "active",
            model.User.email.isnot(None),
            model.User.email != "",
        )
        .order_by(model.User.name)
    ).all()
    return [(fullname or name, email) for fullname, name, email in rows]


def user_recipients(user_id: str | None) -> list[Recipient]:
    """The user, if active and with an email."""
    user = model.User.get(user_id) if user_id else None
    if user is None or user.state != "active" or not user.email:
        return []
    return [(user.fullname or user.name, user.email)]


@contextlib.contextmanager
def request_context() -> Iterator[None]:
    """tk.render and url_for need a Flask request context, which a bare job may lack."""
    if flask.has_request_context():
        yield
        return
    import ckan.config.middleware as middleware

    # make_app (web server, `ckan` CLI, job worker) leaves a test request context ready.
    context = middleware._internal_test_request_context
    if context is None:
        middleware.make_app(tk.config)
        context = middleware._internal_test_request_context
    with context:
        yield


def send(
    recipients: Iterable[Recipient],
    subject: str,
    template: str,
    extra: dict,
    attachments: list[tuple[str, Any, str]] | None = None,
) -> int:
    """Render once, send once to each address (with `attachments`, as CKAN's mailer takes
    them: name, file, media type); return how many were sent."""
    body = tk.render(template, extra)
    seen: set[str] = set()
    sent = 0
    for name, email in recipients:
        if email.lower() in seen:
            continue
        seen.add(email.lower())
        try:
            for _name, file, _type in attachments or []:
                file.seek(0)  # each recipient's message reads the file again
            mailer.mail_recipient(name, email, subject, body, attachments=attachments or None)
            sent += 1
        except mailer.MailerException:
            # A failed email must not undo or retry the transition; the log keeps the trace.
            log.exception("DINAMIS email %s to %s failed", template, email)
    return sent
