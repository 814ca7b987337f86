"""Emails about individual accounts, sent from background jobs.

Actions call `email()` inside their transaction: it writes an outbox row, queued once the
transaction commits; the job reloads everything from the database, so it sends what is true
when it runs.
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.lib.mailer as mailer
import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from .. import l10n
from ..access import roles
from ..model import Account, Adhesion
from . import outbox
from .mailing import Recipient, request_context, send, staff_recipients, user_recipients

log = logging.getLogger(__name__)


def email(session: Any, function_name: str, account_id: str, *args: Any) -> None:
    """Write the email `function_name` (send_request_received, or send_to_person with the
    event) in the transaction of the change."""
    if function_name == "send_to_person":
        (event,) = args
        outbox.enqueue(session, "account.person", {"account_id": account_id, "event": event})
    elif function_name == "send_request_received":
        outbox.enqueue(session, "account.request_received", {"account_id": account_id})
    else:
        raise ValueError(f"Unknown account email {function_name}")


def person_subject(event: str) -> str | None:
    """Subject of the email telling the person about `event` (template account_<event>.txt)."""
    subjects = {
        "validated": tk._("Your DINAMIS account is active"),
        "refused": tk._("Your DINAMIS account request was refused"),
        "suspended": tk._("Your DINAMIS account is suspended"),
        "reactivated": tk._("Your DINAMIS account is active again"),
        "closed": tk._("Your DINAMIS account is closed"),
        "expired": tk._("Your DINAMIS account has expired"),
        "reminder": tk._("Your DINAMIS account expires soon"),
        "invited": tk._("A DINAMIS account was opened for you"),
    }
    return subjects.get(event)


def _common_vars(account: Account) -> dict[str, Any]:
    user = model.User.get(account.user_id)
    org = model.Group.get(account.organization_id)
    return {
        "account": account.dictize(),
        "valid_until": l10n.format_date(account.valid_until),
        "user": user,
        "organization_title": org.display_name if org else account.organization_id,
        "site_title": tk.config.get("ckan.site_title"),
        "relay_label": tk.config.get("ckanext.dinamis_relay.relay_label"),
        "account_url": tk.url_for("dinamis_relay.account_read", id=account.id, _external=True),
        "my_account_url": tk.url_for("dinamis_relay.account_mine", _external=True),
    }


def validators_recipients(account: Account) -> list[Recipient]:
    """Who validates the account: the referent (classic) or the super-referents (relay)."""
    adhesion = model.Session.execute(
        sa.select(Adhesion).where(
            Adhesion.organization_id == account.organization_id, Adhesion.is_current.is_(True)
        )
    ).scalar_one_or_none()
    if adhesion is None:
        return []
    if adhesion.mode == "classic":
        return user_recipients(adhesion.referent_user_id)
    return staff_recipients(roles.relay_organization())


def send_request_received(account_id: str) -> None:
    with request_context():
        account = model.Session.get(Account, account_id)
        if account is None or account.state != "requested":
            return
        extra_vars = _common_vars(account)
        extra_vars["queue_url"] = tk.url_for("dinamis_relay.account_queue", _external=True)
        subject = tk._("DINAMIS account request from {name}").format(
            name=extra_vars["user"].display_name if extra_vars["user"] else ""
        )
        send(
            validators_recipients(account),
            subject,
            "dinamis_relay/emails/account_requested.txt",
            extra_vars,
        )


def send_to_person(account_id: str, event: str) -> None:
    with request_context():
        account = model.Session.get(Account, account_id)
        user = model.User.get(account.user_id) if account else None
        subject = person_subject(event)
        if account is None or user is None or subject is None:
            return
        extra_vars = _common_vars(account)
        if event == "invited":
            # A pending user sets a password through CKAN's reset link, which also activates it.
            # Committed with the outbox row once the email is sent.
            user.reset_key = mailer.make_key()
            model.Session.flush()
            extra_vars["reset_link"] = mailer.get_reset_link(user)
        if user.email:
            send(
                [(user.display_name, user.email)],
                subject,
                f"dinamis_relay/emails/account_{event}.txt",
                extra_vars,
            )
