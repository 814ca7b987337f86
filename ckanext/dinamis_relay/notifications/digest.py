"""The staff's daily digest: one email per person listing what waits for them.

Super-referents, instructors and sysadmins who chose the digest (by default, those who
answer for more than a few entities: `mailing.default_for_user`) are left out of the staff
notices; `ckan dinamis-relay digest`, run daily from cron, writes one outbox row per such
person with something waiting, at most one a day. The job reads the work again when it runs
(the dashboard's "waiting for me" queries), so the email says what is true when it is sent.
People acting on their own request (the requester, the referent, the legal representative)
keep their immediate emails.
"""

from __future__ import annotations

import datetime
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ..access.roles import STAFF_CAPACITIES, dinamis_organization, relay_organization, roles_for
from ..model import dashboard
from ..model.base import utcnow
from ..model.outbox import DIGEST, MailPreference
from . import outbox
from .mailing import ALL_SCOPE, RELAY_SCOPE, default_for_scope, request_context, send

# Less than a day, so a cron job a few minutes late still sends the day's digest.
MIN_INTERVAL = datetime.timedelta(hours=20)


def work_labels() -> dict[str, str]:
    return {
        "adhesions_to_check": tk._("Applications to check (eligibility)"),
        "adhesions_to_decide": tk._("Applications awaiting a DINAMIS decision"),
        "accounts_to_validate": tk._("Account requests to validate"),
        "requests_to_triage": tk._("Imagery requests to review"),
        "requests_at_dinamis": tk._("Imagery requests forwarded to DINAMIS"),
    }


def _digest_people() -> list[str]:
    """Ids of the staff (and opted-in sysadmins) whose preference is the digest."""
    names = [n for n in (relay_organization(), dinamis_organization()) if n]
    preference = sa.select(MailPreference.staff_emails).where(
        MailPreference.user_id == model.User.id
    )
    staff = (
        sa.select(model.User.id)
        .join(model.Member, model.Member.table_id == model.User.id)
        .join(model.Group, model.Group.id == model.Member.group_id)
        .where(
            sa.or_(model.Group.name.in_(names), model.Group.id.in_(names)),
            model.Member.table_name == "user",
            model.Member.state == "active",
            model.Member.capacity.in_(STAFF_CAPACITIES),
        )
    )
    copies = sa.select(MailPreference.user_id).where(MailPreference.sysadmin_copies.is_(True))
    # Without a choice: by the entities each answers for (mailing.default_for_user), here
    # for everyone in one query.
    dinamis = dinamis_organization()
    instructors = (
        sa.select(model.Member.table_id)
        .join(model.Group, model.Group.id == model.Member.group_id)
        .where(
            sa.or_(model.Group.name == dinamis, model.Group.id == dinamis),
            model.Member.table_name == "user",
            model.Member.state == "active",
            model.Member.capacity.in_(STAFF_CAPACITIES),
        )
    )
    default = sa.case(
        (
            sa.or_(model.User.sysadmin.is_(True), model.User.id.in_(instructors)),
            default_for_scope(ALL_SCOPE),
        ),
        else_=default_for_scope(RELAY_SCOPE),
    )
    rows = model.Session.execute(
        sa.select(model.User.id)
        .where(
            sa.or_(model.User.id.in_(staff), model.User.id.in_(copies)),
            model.User.state == "active",
            model.User.email.isnot(None),
            model.User.email != "",
            sa.func.coalesce(preference.scalar_subquery(), default) == DIGEST,
        )
        .order_by(model.User.name)
    ).scalars()
    return list(rows)


def waiting(user_id: str) -> dict[str, Any]:
    """What waits for the person, by kind, with a count and the latest items."""
    work = dashboard.work_waiting(roles_for(user_id), dashboard.Scope())
    return {kind: entry for kind, entry in work.items() if entry["count"]}


def write_digests(now: datetime.datetime | None = None) -> dict[str, int]:
    """Write today's digests to the outbox (sent once committed). Returns counts."""
    now = now or utcnow()
    session = model.Session
    counts = {"written": 0, "nothing_waiting": 0, "already_sent": 0}
    for user_id in _digest_people():
        preference = session.get(MailPreference, user_id)
        if (
            preference
            and preference.last_digest_at
            and now - preference.last_digest_at < (MIN_INTERVAL)
        ):
            counts["already_sent"] += 1
            continue
        if not waiting(user_id):
            counts["nothing_waiting"] += 1
            continue
        if preference is None:
            # The row remembers the day of the digest, and with it what the person gets
            # today; entities are never removed, so the count behind the default only grows.
            preference = MailPreference(user_id=user_id, staff_emails=DIGEST, sysadmin_copies=False)
            session.add(preference)
        preference.last_digest_at = now
        outbox.enqueue(session, "digest.staff", {"user_id": user_id})
        counts["written"] += 1
    session.commit()
    return counts


def send_digest(user_id: str) -> int:
    """Job: the person's digest, as the work stands now."""
    with request_context():
        user = model.User.get(user_id)
        work = waiting(user_id) if user is not None else {}
        if user is None or not user.email or not work:
            return 0
        labels = work_labels()
        sections = [
            {"label": labels.get(kind, kind), "count": entry["count"], "items": entry["items"]}
            for kind, entry in work.items()
        ]
        extra = {
            "sections": sections,
            "dashboard_url": tk.url_for("dinamis_relay.dashboard", _external=True),
            "site_title": tk.config.get("ckan.site_title") or "CKAN",
            "site_url": tk.config.get("ckan.site_url") or "",
        }
        total = sum(section["count"] for section in sections)
        subject = tk.ungettext(
            "DINAMIS: {count} item awaits you", "DINAMIS: {count} items await you", total
        ).format(count=total)
        return send(
            [(user.fullname or user.name, user.email)],
            subject,
            "dinamis_relay/emails/digest.txt",
            extra,
        )
