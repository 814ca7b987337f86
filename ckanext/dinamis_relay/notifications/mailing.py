"""What every email of the plugin shares: recipients, rendering and sending.

The emails are written to the outbox inside the transaction that calls for them and sent by
a background job (`outbox.deliver`), so a slow or failing mail server never delays or breaks
a request, and no email is lost. The jobs reload what they report and render
`templates/dinamis_relay/emails/*.txt` in the site's default language. Within one job every
email goes through one SMTP connection, and an address already served by an earlier attempt
of the same row is not sent to again.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import smtplib
import socket
import time
from collections.abc import Iterable, Iterator
from email import utils
from email.message import EmailMessage
from typing import Any

import ckan
import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
import flask
import sqlalchemy as sa
from ckan.lib import mailer

from ..access.roles import STAFF_CAPACITIES, relay_organization, roles_for
from ..model.outbox import DIGEST, IMMEDIATE, STAFF_EMAILS, MailPreference

log = logging.getLogger(__name__)

Recipient = tuple[str, str]  # (name, email)


AUTO = "auto"
# Entities (organizations with an adhesion) in a person's charge beyond which they get the
# digest by default.
DIGEST_ABOVE_OPTION = "ckanext.dinamis_relay.email.digest_above_entities"
RELAY_SCOPE = "relay"  # super-referents: the relay-mode entities
ALL_SCOPE = "all"  # instructors and sysadmins: every entity


def staff_default() -> str:
    """`ckanext.dinamis_relay.email.staff_default`: "auto" (the default: digest for staff of
    more than `digest_above_entities` entities), "digest" or "immediate" for everyone."""
    value = tk.config.get("ckanext.dinamis_relay.email.staff_default") or AUTO
    return value if value in (*STAFF_EMAILS, AUTO) else AUTO


def entity_count(scope: str) -> int:
    """How many entities the staff of `scope` answer for: organizations with an adhesion,
    in relay mode for the relay's super-referents, any mode for DINAMIS (one query)."""
    from ..model import Adhesion

    query = sa.select(sa.func.count(sa.distinct(Adhesion.organization_id)))
    if scope == RELAY_SCOPE:
        query = query.where(Adhesion.mode == "relay")
    return model.Session.scalar(query) or 0


def digest_above() -> int:
    return tk.asint(tk.config.get(DIGEST_ABOVE_OPTION) or 0)


def default_for_entities(count: int) -> str:
    """What staff who answer for `count` entities get when they have not chosen."""
    value = staff_default()
    if value != AUTO:
        return value
    return DIGEST if count > digest_above() else IMMEDIATE


def default_for_scope(scope: str) -> str:
    """What the staff of `scope` get when they have not chosen."""
    return default_for_entities(entity_count(scope))


def scope_of_organization(organization: str) -> str:
    """The relay's organization answers for the relay-mode entities, DINAMIS's for all."""
    relay = relay_organization()
    if relay and organization == relay:
        return RELAY_SCOPE
    group = model.Group.get(organization) if relay else None
    return RELAY_SCOPE if group is not None and relay in (group.name, group.id) else ALL_SCOPE


def scope_of_user(user_id: str) -> str:
    """Sysadmins and instructors answer for every entity, super-referents for the
    relay-mode ones."""
    roles = roles_for(user_id)
    return ALL_SCOPE if roles.sysadmin or roles.instructor else RELAY_SCOPE


def default_for_user(user_id: str) -> str:
    """What this person gets without a choice."""
    return default_for_scope(scope_of_user(user_id))


def _wants_immediate(default: str) -> sa.ColumnElement[bool]:
    preference = sa.select(MailPreference.staff_emails).where(
        MailPreference.user_id == model.User.id
    )
    return sa.func.coalesce(preference.scalar_subquery(), default) == IMMEDIATE


def staff_recipients(organization: str, digest: bool = False) -> list[Recipient]:
    """Admins and editors of an organization (by name or id) who have an email and want
    each notice by email (those who chose the daily digest are left out, unless `digest`),
    plus the sysadmins who asked for copies: one query."""
    if not organization:
        return []
    staff = (
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
    )
    if not digest:
        staff = staff.where(
            _wants_immediate(default_for_scope(scope_of_organization(organization)))
        )
    copies = (
        sa.select(model.User.fullname, model.User.name, model.User.email)
        .join(MailPreference, MailPreference.user_id == model.User.id)
        .where(
            MailPreference.sysadmin_copies.is_(True),
            model.User.sysadmin.is_(True),
            model.User.state == "active",
            model.User.email.isnot(None),
            model.User.email != "",
        )
    )
    rows = model.Session.execute(
        sa.union(staff, copies).subquery().select().order_by(sa.text("name"))
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


class _Connection:
    """One SMTP connection for a whole job, opened on the first email."""

    def __init__(self) -> None:
        self.smtp: smtplib.SMTP | None = None

    def open(self) -> smtplib.SMTP:
        if self.smtp is not None:
            return self.smtp
        host, port = mailer._parse_smtp_server(tk.config.get("smtp.server"))
        if not host:
            raise mailer.MailerException("SMTP server hostname is not configured")
        # Looked up at call time: CKAN's `mail_server` test fixture replaces smtplib.SMTP.
        smtp = smtplib.SMTP(host, port)
        smtp.ehlo()
        if tk.config.get("smtp.starttls"):
            if not smtp.has_extn("STARTTLS"):
                raise mailer.MailerException("SMTP server does not support STARTTLS")
            smtp.starttls()
            smtp.ehlo()
        user = tk.config.get("smtp.user")
        if user:
            smtp.login(user, tk.config.get("smtp.password"))
        self.smtp = smtp
        return smtp

    def drop(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(Exception):
                self.smtp.quit()
        self.smtp = None


_connection: contextvars.ContextVar[_Connection | None] = contextvars.ContextVar(
    "dinamis_relay_smtp", default=None
)
_delivered: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar(
    "dinamis_relay_delivered", default=None
)


@contextlib.contextmanager
def smtp_session() -> Iterator[None]:
    """Send every email of the block through one SMTP connection."""
    connection = _Connection()
    token = _connection.set(connection)
    try:
        yield
    finally:
        _connection.reset(token)
        connection.drop()


@contextlib.contextmanager
def delivering(already: Iterable[str]) -> Iterator[set[str]]:
    """Within the block, skip the addresses of `already`; the yielded set gathers every
    address served, including those sent in the block."""
    served = {email.lower() for email in already}
    token = _delivered.set(served)
    try:
        yield served
    finally:
        _delivered.reset(token)


Attachment = tuple[str, Any, str]  # file name, file object, media type (as CKAN's mailer)


def _message(
    name: str, email: str, subject: str, body: str, attachments: list[Attachment] | None = None
) -> EmailMessage:
    # As ckan.lib.mailer builds it.
    msg = EmailMessage()
    msg.set_content(body, cte="base64")
    for file_name, file, media_type in attachments or []:
        file.seek(0)  # each recipient's message reads the file again
        maintype, _, subtype = (media_type or "application/octet-stream").partition("/")
        msg.add_attachment(file.read(), maintype=maintype, subtype=subtype, filename=file_name)
    msg["Subject"] = subject
    msg["From"] = utils.formataddr(
        (tk.config.get("ckan.site_title") or "", tk.config.get("smtp.mail_from"))
    )
    msg["To"] = utils.formataddr((name, email))
    msg["Date"] = utils.formatdate(time.time())
    if not tk.config.get("ckan.hide_version"):
        msg["X-Mailer"] = f"CKAN {ckan.__version__}"
    reply_to = tk.config.get("smtp.reply_to")
    if reply_to:
        msg["Reply-to"] = reply_to
    return msg


def _is_temporary(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return any(400 <= code < 500 for code, _msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(
        error, (OSError, socket.timeout, smtplib.SMTPServerDisconnected, mailer.MailerException)
    )


def _other_notifier() -> bool:
    """Whether a plugin delivers notifications its own way (CKAN 2.12's INotifier; CKAN
    2.11 has no such interface)."""
    interface = getattr(p, "INotifier", None)
    return interface is not None and any(True for _plugin in p.PluginImplementations(interface))


def _send_one(
    name: str, email: str, subject: str, body: str, attachments: list[Attachment] | None = None
) -> None:
    if _other_notifier():
        # Another plugin may deliver notifications its own way: let CKAN ask it.
        for _name, file, _type in attachments or []:
            file.seek(0)
        mailer.mail_recipient(name, email, subject, body, attachments=attachments or None)
        return
    connection = _connection.get()
    own = connection is None
    connection = connection or _Connection()
    try:
        smtp = connection.open()
        smtp.sendmail(
            tk.config.get("smtp.mail_from"),
            [email],
            _message(name, email, subject, body, attachments).as_string(),
        )
    except Exception:
        connection.drop()  # a broken connection is not reused
        raise
    finally:
        if own:
            connection.drop()
    log.info("Sent email to %s", email)


def send(
    recipients: Iterable[Recipient],
    subject: str,
    template: str,
    extra: dict,
    attachments: list[Attachment] | None = None,
) -> int:
    """Render once, send once to each address (with `attachments`); return how many were
    sent.

    A temporary failure (no connection, SMTP 4xx) raises `outbox.TemporaryFailure` after
    recording what was sent, so the outbox retries the rest later; a permanent refusal of
    one address (5xx) is logged and the others are still sent.
    """
    from .outbox import TemporaryFailure

    body = tk.render(template, extra)
    served = _delivered.get()
    seen: set[str] = set()
    sent = 0
    for name, email in recipients:
        key = email.lower()
        if key in seen or (served is not None and key in served):
            continue
        seen.add(key)
        try:
            _send_one(name, email, subject, body, attachments)
        except Exception as error:
            if _is_temporary(error):
                raise TemporaryFailure(f"{template} to {email}: {error!r}") from error
            log.error("DINAMIS email %s to %s refused: %r", template, email, error)
            continue
        sent += 1
        if served is not None:
            served.add(key)
    return sent
