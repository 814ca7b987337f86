"""Erasure and pseudonymisation of a person's data, and the retention periods.

What each kind of data becomes is declared in `register.py` (its `on_erasure` text); this
module does it, with a bounded number of statements per person whatever the volume. Rows
stay wherever a count, a legal record or someone else's work depends on them: the person in
them is replaced by their pseudonym (`pseudonym:42` in id columns, "utilisateur supprimé
n° 42" in the audit journal) or removed (downloads). Nothing here commits: the caller does.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import aliased

from ..model import (
    Account,
    Adhesion,
    AuditEvent,
    Document,
    DownloadEvent,
    EligibilityCheck,
    ImageryRequest,
    ImageryRequestComment,
    SupportingDocument,
    ThreadArchive,
)
from ..model import account as account_states
from ..model import imagery as imagery_states
from ..model.base import utcnow
from ..model.personal_data import PSEUDONYM_PREFIX
from . import pseudonyms

log = logging.getLogger(__name__)

# Accounts closed before their data goes (any state that is not already an end).
LIVE_ACCOUNT_STATES = (
    account_states.REQUESTED,
    account_states.ACTIVE,
    account_states.SUSPENDED,
    account_states.EXPIRED,
)
PROFILE_CLEARED = {
    "job_title": None,
    "department": None,
    "phone": None,
    "intended_use": None,
    "refusal_reason": None,
}
# Columns that record who did something to someone else's row: the person's pseudonym.
ACTOR_COLUMNS: tuple[tuple[Any, str], ...] = (
    (Account.__table__, "created_by"),
    (Account.__table__, "validated_by"),
    (Adhesion.__table__, "created_by"),
    (Adhesion.__table__, "submitted_by"),
    (Adhesion.__table__, "decided_by"),
    (EligibilityCheck.__table__, "checked_by"),
    (Document.__table__, "created_by"),
    (SupportingDocument.__table__, "uploaded_by"),
)


def _update(session: Any, table: sa.Table, where: Any, **values: Any) -> int:
    return session.execute(sa.update(table).where(where).values(**values)).rowcount or 0


def _journal(session: Any, where: Any, number: int) -> int:
    """Audit events keep their fact and time; the person becomes the pseudonym's label."""
    table = AuditEvent.__table__
    return _update(
        session,
        table,
        where,
        user_id=None,
        actor_label=pseudonyms.label(number),
        data=table.c.data.op("||")(sa.func.jsonb_build_object("pseudonym", number)),
    )


def _close_live_accounts(session: Any, user_id: str, actor_id: str | None) -> int:
    from ..logic.action.account import close_account

    accounts = (
        session.execute(
            sa.select(Account)
            .where(Account.user_id == user_id, Account.state.in_(LIVE_ACCOUNT_STATES))
            .with_for_update()
        )
        .scalars()
        .all()
    )
    actor = model.Session.get(model.User, actor_id) if actor_id else None
    # Nothing is emailed: the person asked to be forgotten, or was deleted.
    context: Any = {"user": actor.name if actor else "", "defer_commit": True}
    for account in accounts:
        close_account(
            context,
            account,
            action="personal_data_erased",
            comment=tk._("Personal data erased"),
            email=None,
        )
    session.flush()
    return len(accounts)


def erase_user(
    user_id: str, reason: str, actor_id: str | None = None, session: Any = None
) -> dict[str, Any]:
    """Erase or pseudonymise everything the plugin holds about `user_id` (uncommitted).

    Idempotent: a second run finds nothing left under the user id and changes nothing but
    the erasure's time. Returns the pseudonym and how many rows of each kind changed.
    """
    session = session or model.Session
    pseudonym = pseudonyms.get_or_create(session, user_id)
    key = pseudonym.key
    counts: dict[str, int] = {}
    counts["accounts_closed"] = _close_live_accounts(session, user_id, actor_id)

    account = Account.__table__
    # What the person did; what staff did to the person's accounts keeps the staff's names
    # and points to an account that now holds the pseudonym.
    counts["audit_events"] = _journal(
        session, AuditEvent.__table__.c.user_id == user_id, pseudonym.number
    )
    counts["accounts"] = _update(
        session, account, account.c.user_id == user_id, user_id=key, **PROFILE_CLEARED
    )

    adhesion = Adhesion.__table__
    counts["referent_removed"] = _update(
        session,
        adhesion,
        adhesion.c.referent_user_id == user_id,
        referent_user_id=None,
        referent_title=None,
        referent_phone=None,
    )
    actors = 0
    for table, column in ACTOR_COLUMNS:
        actors += _update(session, table, table.c[column] == user_id, **{column: key})
    counts["actor_references"] = actors

    # Requests, drafts included, are the entity's and count on the dashboard: they stay.
    request = ImageryRequest.__table__
    comment = ImageryRequestComment.__table__
    counts["imagery_requests"] = _update(
        session, request, request.c.user_id == user_id, user_id=key
    )
    # A message's text stays only when someone else wrote in the thread too.
    other = aliased(ImageryRequestComment)
    someone_else = (
        sa.select(other.id)
        .where(other.request_id == comment.c.request_id, other.user_id != user_id)
        .exists()
    )
    counts["comments_text_erased"] = _update(
        session, comment, sa.and_(comment.c.user_id == user_id, ~someone_else), body=""
    )
    counts["comments"] = _update(session, comment, comment.c.user_id == user_id, user_id=key)

    download = DownloadEvent.__table__
    counts["downloads"] = _update(session, download, download.c.user_id == user_id, user_id=None)

    pseudonym.erased_at = utcnow()
    pseudonym.reason = reason
    session.flush()
    session.expire_all()
    return {"pseudonym": pseudonym.number, "label": pseudonyms.label(pseudonym.number), **counts}


# ---------------------------------------------------------------- retention


def _days(option: str) -> int:
    return int(tk.config.get(f"ckanext.dinamis_relay.retention.{option}") or 0)


def _pseudonymise_accounts(session: Any, state: str, cutoff: datetime.datetime) -> int:
    """Ended accounts past their period: profile cleared, the person replaced by their
    pseudonym in the account and in its own history. One pass per person."""
    account = Account.__table__
    rows = session.execute(
        sa.select(account.c.id, account.c.user_id).where(
            account.c.state == state,
            account.c.modified < cutoff,
            ~account.c.user_id.startswith(PSEUDONYM_PREFIX),
        )
    ).all()
    by_user: dict[str, list[str]] = {}
    for account_id, user_id in rows:
        by_user.setdefault(user_id, []).append(account_id)
    audit = AuditEvent.__table__
    for user_id, ids in by_user.items():
        pseudonym = pseudonyms.get_or_create(session, user_id)
        _journal(
            session,
            sa.and_(
                audit.c.object_type == "account",
                audit.c.object_id.in_(ids),
                audit.c.user_id == user_id,
            ),
            pseudonym.number,
        )
        _update(session, account, account.c.id.in_(ids), user_id=pseudonym.key, **PROFILE_CLEARED)
    return len(rows)


def _archive_threads(session: Any, cutoff: datetime.datetime, now: datetime.datetime) -> int:
    request = ImageryRequest.__table__
    comment = ImageryRequestComment.__table__
    finished = sa.select(request.c.id).where(
        request.c.state.in_(imagery_states.FINAL_STATES), request.c.closed_at < cutoff
    )
    archive = ThreadArchive.__table__
    summary = (
        sa.select(
            comment.c.request_id,
            sa.func.count().label("messages"),
            sa.func.min(comment.c.created),
            sa.func.max(comment.c.created),
            sa.literal(now, sa.DateTime),
        )
        .where(comment.c.request_id.in_(finished.scalar_subquery()))
        .group_by(comment.c.request_id)
    )
    statement = insert(archive).from_select(
        ["request_id", "messages", "first_message_at", "last_message_at", "archived_at"],
        summary,
    )
    # A message written after an earlier archiving joins the same summary.
    statement = statement.on_conflict_do_update(
        index_elements=["request_id"],
        set_={
            "messages": archive.c.messages + statement.excluded.messages,
            "last_message_at": statement.excluded.last_message_at,
            "archived_at": statement.excluded.archived_at,
        },
    )
    session.execute(statement)
    return (
        session.execute(
            sa.delete(comment).where(comment.c.request_id.in_(finished.scalar_subquery()))
        ).rowcount
        or 0
    )


def users_to_erase(session: Any) -> list[str]:
    """People the plugin still names although CKAN deleted (or purged) their user: what
    purge-expired catches up when an erasure did not happen at deletion time."""
    ids = sa.union(
        sa.select(Account.__table__.c.user_id.label("uid")),
        sa.select(ImageryRequest.__table__.c.user_id),
        sa.select(ImageryRequestComment.__table__.c.user_id),
        sa.select(DownloadEvent.__table__.c.user_id),
        sa.select(AuditEvent.__table__.c.user_id),
        sa.select(Adhesion.__table__.c.referent_user_id),
        *[sa.select(table.c[column]) for table, column in ACTOR_COLUMNS],
    ).subquery()
    user = model.User.__table__
    alive = sa.select(user.c.id).where(user.c.id == ids.c.uid, user.c.state != "deleted").exists()
    return list(
        session.execute(
            sa.select(ids.c.uid).where(
                ids.c.uid.is_not(None),
                ids.c.uid != "",
                ~ids.c.uid.startswith(PSEUDONYM_PREFIX),
                ~alive,
            )
        ).scalars()
    )


def purge_expired(now: datetime.datetime | None = None, session: Any = None) -> dict[str, int]:
    """Apply every retention period (uncommitted). Idempotent: what was done is not found
    again."""
    session = session or model.Session
    now = now or utcnow()
    counts = {
        "downloads": 0,
        "closed_accounts": 0,
        "refused_accounts": 0,
        "thread_messages": 0,
        "deleted_users": 0,
    }
    if days := _days("download_user_days"):
        download = DownloadEvent.__table__
        counts["downloads"] = _update(
            session,
            download,
            sa.and_(
                download.c.user_id.is_not(None),
                download.c.created < now - datetime.timedelta(days=days),
            ),
            user_id=None,
        )
    if days := _days("closed_account_days"):
        counts["closed_accounts"] = _pseudonymise_accounts(
            session, account_states.CLOSED, now - datetime.timedelta(days=days)
        )
    if days := _days("refused_account_days"):
        counts["refused_accounts"] = _pseudonymise_accounts(
            session, account_states.REFUSED, now - datetime.timedelta(days=days)
        )
    if days := _days("thread_days"):
        counts["thread_messages"] = _archive_threads(
            session, now - datetime.timedelta(days=days), now
        )
    for user_id in users_to_erase(session):
        erase_user(user_id, "deleted_user", session=session)
        counts["deleted_users"] += 1
    session.flush()
    session.expire_all()
    return counts
