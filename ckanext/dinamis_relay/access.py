"""Who may use the DINAMIS services right now, for the service pages and permission labels.

An account grants access only while it is active, within its validity, for an entity whose
current adhesion is accepted, and for an active CKAN user: suspending or expiring an account
(or the adhesion) takes effect at the next request, without waiting for a batch job.
"""

from __future__ import annotations

import datetime

import ckan.model as model
import sqlalchemy as sa

from .model import Account, Adhesion
from .model import account as account_states
from .model import adhesion as adhesion_states


def active_accounts_clause(today: datetime.date | None = None) -> sa.ColumnElement[bool]:
    """SQL condition on Account (joined with Adhesion and User) meaning "grants access"."""
    today = today or datetime.date.today()
    return sa.and_(
        Account.state == account_states.ACTIVE,
        sa.or_(Account.valid_until.is_(None), Account.valid_until >= today),
        Adhesion.state == adhesion_states.ACCEPTED,
        model.User.state == "active",
    )


def active_account_org_ids(user_id: str | None) -> set[str]:
    """Organizations where the user holds an account that grants access (one query)."""
    if not user_id:
        return set()
    rows = model.Session.execute(
        sa.select(Account.organization_id)
        .join(
            Adhesion,
            sa.and_(
                Adhesion.organization_id == Account.organization_id,
                Adhesion.is_current.is_(True),
            ),
        )
        .join(model.User, model.User.id == Account.user_id)
        .where(Account.user_id == user_id, active_accounts_clause())
    ).scalars()
    return set(rows)
