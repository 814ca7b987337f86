"""Who may use the DINAMIS services right now, for the service pages and permission labels.

Access is computed from the facts at each request, so no cron run or missed hook can leave
it open: an account grants access only while it is active and within its validity, for an
active CKAN user who is still an active member of the entity, for an active organization
whose current adhesion is accepted and within its validity.
"""

from __future__ import annotations

import datetime

import ckan.model as model
import sqlalchemy as sa

from ..model import Account, Adhesion
from ..model import account as account_states
from ..model import adhesion as adhesion_states


def active_accounts_clause(today: datetime.date | None = None) -> sa.ColumnElement[bool]:
    """SQL condition on Account (joined with Adhesion and User) meaning "grants access"."""
    today = today or datetime.date.today()
    membership = sa.select(model.Member.id).where(
        model.Member.table_name == "user",
        model.Member.table_id == Account.user_id,
        model.Member.group_id == Account.organization_id,
        model.Member.state == "active",
    )
    organization = sa.select(model.Group.id).where(
        model.Group.id == Account.organization_id,
        model.Group.state == "active",
        model.Group.is_organization.is_(True),
    )
    return sa.and_(
        Account.state == account_states.ACTIVE,
        sa.or_(Account.valid_until.is_(None), Account.valid_until >= today),
        Adhesion.state == adhesion_states.ACCEPTED,
        sa.or_(Adhesion.valid_until.is_(None), Adhesion.valid_until >= today),
        model.User.state == "active",
        membership.exists(),
        organization.exists(),
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
