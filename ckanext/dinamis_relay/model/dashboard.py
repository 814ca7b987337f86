"""Aggregate queries of the global view: the dashboard, the public statistics and the CSV
exports.

Every function runs a fixed number of queries whatever the data size (GROUP BY, window
counts, keyset pages): the platform may hold ten thousand entities, half a million accounts
and ten million download events. Counts come from tables PostgreSQL keeps exact with
triggers instead of counting rows: downloads per month and entity (migration 0005), accounts
and imagery requests per entity and state, and national totals per month (tally.py,
migration 0011).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Iterable
from typing import Any

import ckan.model as model
import sqlalchemy as sa

from ..access.roles import Roles, dinamis_organization, relay_organization
from . import Account, Adhesion, AuditEvent, EligibilityCheck, ImageryRequest
from . import account as account_states
from . import adhesion as adhesion_states
from . import imagery as imagery_states
from .base import utcnow
from .download import download_monthly_table
from .tally import ALL, account_tally_table, imagery_tally_table, month_total_table

MONTHLY = download_monthly_table.c
ACCOUNT_TALLY = account_tally_table.c
IMAGERY_TALLY = imagery_tally_table.c
MONTH_TOTAL = month_total_table.c
WORK_ITEMS = 5
TOP_ENTITIES = 20
RECENT_EVENTS = 15


@dataclasses.dataclass(frozen=True)
class Scope:
    """Which entities a dashboard covers: all (None) or some organization ids; `validated`
    keeps only entities whose current adhesion is accepted."""

    organization_ids: frozenset[str] | None = None
    validated: bool = False
    # Which adhesions' audit events the caller may read (None: all), from
    # lifecycle/adhesion.py's `visible_clause`: instructors never see drafts' events.
    visible_adhesions: Any = None

    @property
    def national(self) -> bool:
        """Every entity, unfiltered: the national totals per month apply."""
        return self.organization_ids is None and not self.validated

    def event_clause(self) -> list[sa.ColumnElement[bool]]:
        """Conditions on AuditEvent: the scope's entities, and only visible adhesions."""
        conditions = self.clause(AuditEvent.organization_id)
        if self.visible_adhesions is not None:
            # A lookup by key per adhesion event, not IN (or EXISTS, which PostgreSQL
            # hashes): the newest events are read until enough are visible, instead of
            # first listing every visible adhesion of the country.
            visible = (
                sa.select(self.visible_adhesions)
                .where(Adhesion.id == AuditEvent.object_id)
                .scalar_subquery()
            )
            conditions.append(
                sa.or_(AuditEvent.object_type != "adhesion", sa.func.coalesce(visible, False))
            )
        return conditions

    def clause(self, column: Any) -> list[sa.ColumnElement[bool]]:
        """Conditions restricting an organization id column to the scope."""
        conditions: list[sa.ColumnElement[bool]] = []
        if self.organization_ids is not None:
            conditions.append(column.in_(sorted(self.organization_ids)))
        if self.validated:
            conditions.append(column.in_(_accepted_organizations()))
        return conditions


def _accepted_organizations() -> sa.Select:
    return sa.select(Adhesion.organization_id).where(
        Adhesion.is_current.is_(True), Adhesion.state == adhesion_states.ACCEPTED
    )


def _execute(statement: Any) -> Any:
    return model.Session.execute(statement)


# ------------------------------------------------------------------ months


def month_starts(months: int, today: datetime.date | None = None) -> list[datetime.date]:
    """First days of the last `months` months, oldest first, the current month included."""
    today = today or utcnow().date()
    year, month = today.year, today.month
    result = []
    for _ in range(months):
        result.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return result[::-1]


def _series(starts: list[datetime.date], rows: Iterable[Any]) -> list[int]:
    counts = {
        row[0].date() if isinstance(row[0], datetime.datetime) else row[0]: row[1] for row in rows
    }
    return [int(counts.get(start, 0)) for start in starts]


def _by_month(kind: str, column: Any, since: datetime.datetime, *conditions: Any) -> Any:
    """Rows (kind, month, count) counting the rows of each month from `since` on (the
    rows of a few entities, read through their index)."""
    month = sa.func.date_trunc("month", column)
    return (
        sa.select(sa.literal(kind), month, sa.func.count())
        .where(column >= since, *conditions)
        .group_by(month)
    )


def monthly_series(scope: Scope, months: int, public: bool = False) -> dict[str, Any]:
    """Downloads, submitted imagery requests and validated accounts per month (and, for the
    public statistics, newly accepted adhesions), in one query: the national totals for
    every entity, the per-entity counts and the rows of the entities otherwise."""
    starts = month_starts(months)
    since = datetime.datetime.combine(starts[0], datetime.time())
    if scope.national:
        parts: list[Any] = [
            sa.select(
                MONTH_TOTAL.series, sa.cast(MONTH_TOTAL.month, sa.DateTime), MONTH_TOTAL.n
            ).where(
                MONTH_TOTAL.series.in_(["downloads", "imagery_requests", "accounts_validated"]),
                MONTH_TOTAL.month >= starts[0],
            )
        ]
    else:
        parts = [
            sa.select(
                sa.literal("downloads").label("kind"),
                sa.cast(MONTHLY.month, sa.DateTime).label("month"),
                sa.func.sum(MONTHLY.downloads).label("n"),
            )
            .where(MONTHLY.month >= starts[0], *scope.clause(MONTHLY.organization_id))
            .group_by(MONTHLY.month),
            _by_month(
                "imagery_requests",
                ImageryRequest.submitted_at,
                since,
                *scope.clause(ImageryRequest.organization_id),
            ),
            _by_month(
                "accounts_validated",
                Account.validated_at,
                since,
                *scope.clause(Account.organization_id),
            ),
        ]
    if public:
        parts.append(
            _by_month("adhesions_accepted", Adhesion.decided_at, since, Adhesion.number.isnot(None))
        )
    rows: dict[str, list[Any]] = {}
    for kind, month, count in _execute(sa.union_all(*parts)):
        rows.setdefault(kind, []).append((month, count))
    kinds = ["downloads", "imagery_requests", "accounts_validated"]
    if public:
        kinds.append("adhesions_accepted")
    result: dict[str, Any] = {"months": [start.strftime("%Y-%m") for start in starts]}
    for kind in kinds:
        result[kind] = _series(starts, rows.get(kind, []))
    return result


# ------------------------------------------------------------------ dashboard blocks


def _staff_organization_ids() -> sa.Select:
    names = [name for name in (relay_organization(), dinamis_organization()) if name]
    return sa.select(model.Group.id).where(
        sa.or_(model.Group.name.in_(names), model.Group.id.in_(names))
    )


def entities_by_state(scope: Scope) -> dict[str, Any]:
    """Current adhesions by state and mode, and entities without any application, in one
    query. The relay's and DINAMIS's own organizations are not entities."""
    by_state = (
        sa.select(Adhesion.state, Adhesion.mode, sa.func.count().label("n"))
        .where(Adhesion.is_current.is_(True), *scope.clause(Adhesion.organization_id))
        .group_by(Adhesion.state, Adhesion.mode)
        .subquery()
    )
    without = (
        sa.select(sa.func.count())
        .where(
            model.Group.is_organization.is_(True),
            model.Group.state == "active",
            model.Group.id.not_in(_staff_organization_ids()),
            ~sa.exists().where(
                Adhesion.organization_id == model.Group.id, Adhesion.is_current.is_(True)
            ),
            *([sa.false()] if scope.validated else []),
            *scope.clause(model.Group.id),
        )
        .scalar_subquery()
    )
    # One row even without any adhesion; a scalar subquery rather than a UNION, whose two
    # halves PostgreSQL would run in parallel workers (slower on a few shared cores).
    one = sa.select(sa.literal(1).label("one")).subquery()
    rows = _execute(
        sa.select(without.label("without"), by_state.c.state, by_state.c.mode, by_state.c.n)
        .select_from(one)
        .outerjoin(by_state, sa.true())
    ).all()
    states: dict[str, int] = dict.fromkeys(adhesion_states.STATES, 0)
    modes: dict[str, int] = dict.fromkeys(adhesion_states.MODES, 0)
    without_application = int(rows[0].without)
    for row in rows:
        if row.state is not None:
            states[row.state] = states.get(row.state, 0) + row.n
            modes[row.mode] = modes.get(row.mode, 0) + row.n
    return {
        "total": sum(states.values()) + without_application,
        "with_application": sum(states.values()),
        "by_state": states,
        "by_mode": modes,
        "without_application": without_application,
    }


def _tally_rows(scope: Scope, organization_id: Any, restricted: bool = False) -> list[Any]:
    """Which tally rows a count reads: the nation's (entity ALL) for every entity when
    nothing else restricts the entities (`restricted`), the entities' own otherwise."""
    if scope.national and not restricted:
        return [organization_id == ALL]
    return [organization_id != ALL, *scope.clause(organization_id)]


def accounts_by_state(scope: Scope) -> dict[str, int]:
    rows = _execute(
        sa.select(ACCOUNT_TALLY.state, sa.func.sum(ACCOUNT_TALLY.accounts))
        .where(ACCOUNT_TALLY.state != ALL, *_tally_rows(scope, ACCOUNT_TALLY.organization_id))
        .group_by(ACCOUNT_TALLY.state)
    )
    result = dict.fromkeys(account_states.STATES, 0)
    result.update({state: int(count) for state, count in rows})
    return result


def accounts_by_entity(scope: Scope, limit: int = TOP_ENTITIES) -> list[dict[str, Any]]:
    """The entities with the most accounts (their totals, state ALL, read in size order),
    with their accounts per state."""
    top = (
        sa.select(ACCOUNT_TALLY.organization_id, ACCOUNT_TALLY.accounts.label("total"))
        .where(
            ACCOUNT_TALLY.state == ALL,
            ACCOUNT_TALLY.accounts > 0,
            *scope.clause(ACCOUNT_TALLY.organization_id),
        )
        .order_by(ACCOUNT_TALLY.accounts.desc(), ACCOUNT_TALLY.organization_id)
        .limit(limit)
        .cte("top")
    )
    by_state = (
        sa.select(
            ACCOUNT_TALLY.organization_id,
            *[
                sa.func.coalesce(
                    sa.func.sum(ACCOUNT_TALLY.accounts).filter(ACCOUNT_TALLY.state == state), 0
                ).label(state)
                for state in account_states.STATES
            ],
        )
        .where(ACCOUNT_TALLY.organization_id.in_(sa.select(top.c.organization_id)))
        .group_by(ACCOUNT_TALLY.organization_id)
        .subquery()
    )
    rows = _execute(
        sa.select(top, by_state, model.Group.name, model.Group.title)
        .join(by_state, by_state.c.organization_id == top.c.organization_id)
        .outerjoin(model.Group, model.Group.id == top.c.organization_id)
        .order_by(top.c.total.desc(), top.c.organization_id)
    )
    return [
        {
            "organization_id": row.organization_id,
            "organization_name": row.name,
            "organization_title": row.title or row.name,
            "total": int(row.total),
            "by_state": {state: int(getattr(row, state)) for state in account_states.STATES},
        }
        for row in rows
    ]


def requests_by_state(scope: Scope) -> dict[str, int]:
    rows = _execute(
        sa.select(IMAGERY_TALLY.state, sa.func.sum(IMAGERY_TALLY.requests))
        .where(*_tally_rows(scope, IMAGERY_TALLY.organization_id))
        .group_by(IMAGERY_TALLY.state)
    )
    result = dict.fromkeys(imagery_states.STATES, 0)
    result.update({state: int(count) for state, count in rows})
    return result


def _adhesion_work(conditions: list[Any], scope: Scope, limit: int) -> dict[str, Any]:
    """Current adhesions meeting `conditions`, in one query: their count (on the adhesions
    alone) and the 5 most recently changed with their entity's names."""
    where = [Adhesion.is_current.is_(True), *conditions, *scope.clause(Adhesion.organization_id)]
    total = sa.select(sa.func.count()).select_from(Adhesion).where(*where).scalar_subquery()
    rows = _execute(
        sa.select(
            Adhesion.id,
            Adhesion.organization_id,
            Adhesion.legal_name,
            Adhesion.state,
            Adhesion.mode,
            Adhesion.modified,
            model.Group.name,
            model.Group.title,
            total.label("_total"),
        )
        .outerjoin(model.Group, model.Group.id == Adhesion.organization_id)
        .where(*where)
        .order_by(Adhesion.modified.desc(), Adhesion.id)
        .limit(limit)
    ).all()
    count = rows[0]._total if rows else 0
    return {
        "count": count,
        "items": [
            {
                "id": row.id,
                "label": row.legal_name or row.title or row.name,
                "organization_id": row.organization_id,
                "organization_name": row.name,
                "organization_title": row.title or row.name,
                "state": row.state,
                "mode": row.mode,
                "date": row.modified.isoformat(),
            }
            for row in rows
        ],
    }


def _validated_by(roles: Roles, organization_id: Any) -> list[Any]:
    """Conditions on an organization id column: the entities whose requested accounts the
    caller validates (relay-mode entities for super-referents, their classic-mode entities
    for referents, all for sysadmins)."""
    if roles.sysadmin:
        return []

    def in_mode(mode: str) -> Any:
        return organization_id.in_(
            sa.select(Adhesion.organization_id).where(
                Adhesion.is_current.is_(True), Adhesion.mode == mode
            )
        )

    allowed: list[Any] = []
    if roles.super_referent:
        allowed.append(in_mode("relay"))
    if roles.referent_of:
        allowed.append(sa.and_(organization_id.in_(sorted(roles.referent_of)), in_mode("classic")))
    return [sa.or_(*allowed) if allowed else sa.false()]


def _accounts_work(roles: Roles, scope: Scope, limit: int) -> dict[str, Any]:
    """Requested accounts the caller validates, in one query: their count from the tallies,
    the 5 newest (an index walk that stops at the fifth) with their names."""
    entities = _validated_by(roles, ACCOUNT_TALLY.organization_id)
    count = (
        sa.select(sa.func.coalesce(sa.func.sum(ACCOUNT_TALLY.accounts), 0))
        .where(
            ACCOUNT_TALLY.state == account_states.REQUESTED,
            *entities,
            *_tally_rows(scope, ACCOUNT_TALLY.organization_id, restricted=bool(entities)),
        )
        .scalar_subquery()
    )
    newest = (
        sa.select(
            Account.id,
            Account.user_id,
            Account.organization_id,
            Account.state,
            Account.created,
            Account.email_domain_mismatch,
        )
        .where(
            Account.state == account_states.REQUESTED,
            *_validated_by(roles, Account.organization_id),
            *scope.clause(Account.organization_id),
        )
        .order_by(Account.created.desc(), Account.id)
        .limit(limit)
        .subquery()
    )
    rows = _execute(
        sa.select(
            newest,
            count.label("total"),
            model.User.name.label("user_name"),
            model.User.fullname,
            model.Group.name,
            model.Group.title,
        )
        .join(model.User, model.User.id == newest.c.user_id)
        .outerjoin(model.Group, model.Group.id == newest.c.organization_id)
        .order_by(newest.c.created.desc(), newest.c.id)
    ).all()
    return {
        "count": int(rows[0].total) if rows else 0,
        "items": [
            {
                "id": row.id,
                "label": row.fullname or row.user_name,
                "organization_id": row.organization_id,
                "organization_name": row.name,
                "organization_title": row.title or row.name,
                "state": row.state,
                "email_domain_mismatch": row.email_domain_mismatch,
                "date": row.created.isoformat(),
            }
            for row in rows
        ],
    }


def _requests_work(
    states: tuple[str, ...],
    where: Callable[[Any], list[Any]],
    scope: Scope,
    limit: int,
    restricted: bool = False,
) -> dict[str, Any]:
    """Imagery requests in `states` meeting `where` (conditions on the organization_id and
    reviewer columns, asked of the tally and of the requests alike; `restricted`: they
    restrict the entities), in one query: their count from the tallies, the 5 most recently
    changed (the newest 5 of each state, each an index walk that stops at the fifth)."""
    count = (
        sa.select(sa.func.coalesce(sa.func.sum(IMAGERY_TALLY.requests), 0))
        .where(
            IMAGERY_TALLY.state.in_(states),
            *where(IMAGERY_TALLY),
            *_tally_rows(scope, IMAGERY_TALLY.organization_id, restricted),
        )
        .scalar_subquery()
    )
    newest = sa.union_all(
        *[
            sa.select(
                ImageryRequest.id,
                ImageryRequest.number,
                ImageryRequest.title,
                ImageryRequest.organization_id,
                ImageryRequest.state,
                ImageryRequest.modified,
            )
            .where(
                ImageryRequest.state == state,
                *where(ImageryRequest),
                *scope.clause(ImageryRequest.organization_id),
            )
            .order_by(ImageryRequest.modified.desc(), ImageryRequest.id)
            .limit(limit)
            for state in states
        ]
    ).subquery()
    rows = _execute(
        sa.select(
            newest,
            model.Group.name,
            model.Group.title.label("organization_title"),
            count.label("_total"),
        )
        .outerjoin(model.Group, model.Group.id == newest.c.organization_id)
        .order_by(newest.c.modified.desc(), newest.c.id)
        .limit(limit)
    ).all()
    return {
        "count": int(rows[0]._total) if rows else 0,
        "items": [
            {
                "id": row.id,
                "label": f"{row.number} {row.title}" if row.number else row.title,
                "organization_id": row.organization_id,
                "organization_name": row.name,
                "organization_title": row.organization_title or row.name,
                "state": row.state,
                "date": row.modified.isoformat(),
            }
            for row in rows
        ],
    }


def work_waiting(roles: Roles, scope: Scope, limit: int = WORK_ITEMS) -> dict[str, Any]:
    """What waits for the caller, by kind: a count and the most recent items. Only the kinds
    of work the caller's roles do are present."""
    work: dict[str, Any] = {}
    editable = (adhesion_states.DRAFT, adhesion_states.RETURNED)
    if roles.is_super_referent:
        # Relay-mode applications the platform fills, still without an eligibility check.
        work["adhesions_to_check"] = _adhesion_work(
            [
                Adhesion.mode == "relay",
                Adhesion.state.in_(editable),
                ~sa.exists().where(EligibilityCheck.adhesion_id == Adhesion.id),
            ],
            scope,
            limit,
        )
    if roles.is_instructor:
        work["adhesions_to_decide"] = _adhesion_work(
            [Adhesion.state == adhesion_states.PENDING_INSTRUCTION], scope, limit
        )
    if roles.referent_of and not roles.sysadmin:
        work["adhesions_to_complete"] = _adhesion_work(
            [
                Adhesion.mode == "classic",
                Adhesion.state.in_(editable),
                Adhesion.organization_id.in_(sorted(roles.referent_of)),
            ],
            scope,
            limit,
        )
    if roles.is_super_referent or roles.referent_of:
        work["accounts_to_validate"] = _accounts_work(roles, scope, limit)
        triage = (imagery_states.SUBMITTED, imagery_states.IN_REVIEW)

        def to_triage(columns: Any) -> list[Any]:
            reviewers: list[Any] = []
            if roles.is_super_referent:
                reviewers.append(sa.true() if roles.sysadmin else columns.reviewer == "relay")
            if roles.referent_of:
                reviewers.append(
                    sa.and_(
                        columns.reviewer == "referent",
                        columns.organization_id.in_(sorted(roles.referent_of)),
                    )
                )
            return [sa.or_(*reviewers)]

        work["requests_to_triage"] = _requests_work(
            triage, to_triage, scope, limit, restricted=bool(roles.referent_of)
        )
    if roles.is_instructor:
        work["requests_at_dinamis"] = _requests_work(
            (imagery_states.FORWARDED,), lambda columns: [], scope, limit
        )
    return work


def recent_activity(scope: Scope, limit: int = RECENT_EVENTS) -> list[dict[str, Any]]:
    """The latest audit events (adhesions, accounts, imagery requests) in the scope."""
    rows = _execute(
        sa.select(
            AuditEvent,
            model.User.name.label("user_name"),
            model.User.fullname,
            model.Group.name.label("organization_name"),
            model.Group.title.label("organization_title"),
        )
        .outerjoin(model.User, model.User.id == AuditEvent.user_id)
        .outerjoin(model.Group, model.Group.id == AuditEvent.organization_id)
        .where(*scope.event_clause())
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    result = []
    for row in rows:
        event: AuditEvent = row[0]
        item = event.dictize()
        item.pop("data", None)
        item.update(
            user_name=row.user_name,
            user_display_name=row.fullname or row.user_name or event.actor_label,
            organization_name=row.organization_name,
            organization_title=row.organization_title or row.organization_name,
        )
        result.append(item)
    return result


def organizations_in(ids: Iterable[str]) -> list[dict[str, str]]:
    """Name and title of organizations (the referent's entity picker)."""
    ids = sorted(ids)
    if not ids:
        return []
    rows = _execute(
        sa.select(model.Group.id, model.Group.name, model.Group.title)
        .where(model.Group.id.in_(ids))
        .order_by(model.Group.title)
    )
    return [{"id": r.id, "name": r.name, "title": r.title or r.name} for r in rows]


# ------------------------------------------------------------------ public statistics


def public_stats(months: int) -> dict[str, Any]:
    """Counts only: adherent entities by type and département, active accounts, submitted
    imagery requests by state, downloads, and their monthly series. No names, no ids."""
    scope = Scope()
    entity_rows = _execute(
        sa.select(Adhesion.entity_type, Adhesion.department, sa.func.count())
        .where(Adhesion.is_current.is_(True), Adhesion.state == adhesion_states.ACCEPTED)
        .group_by(Adhesion.entity_type, Adhesion.department)
    ).all()
    by_type: dict[str, int] = {}
    by_department: dict[str, int] = {}
    for entity_type, department, count in entity_rows:
        by_type[entity_type or ""] = by_type.get(entity_type or "", 0) + count
        by_department[department or ""] = by_department.get(department or "", 0) + count
    # Totals beside the states, in one query each table.
    totals = _execute(
        sa.select(
            # People who can log in: an account opened on someone's behalf counts once they
            # have set their password (CKAN's invited users stay "pending" until then). The
            # active accounts of the tally, less those of the few users not active (joining
            # every active account to its user took 0.7 s at national scale).
            (
                sa.select(sa.func.coalesce(sa.func.sum(ACCOUNT_TALLY.accounts), 0))
                .where(
                    ACCOUNT_TALLY.organization_id == ALL,
                    ACCOUNT_TALLY.state == account_states.ACTIVE,
                )
                .scalar_subquery()
                - sa.select(sa.func.count())
                .select_from(model.User)
                .join(
                    Account,
                    sa.and_(
                        Account.user_id == model.User.id,
                        Account.state == account_states.ACTIVE,
                    ),
                )
                .where(model.User.state != "active")
                .scalar_subquery()
            ).label("active_accounts"),
            sa.select(sa.func.coalesce(sa.func.sum(MONTH_TOTAL.n), 0))
            .where(MONTH_TOTAL.series == "downloads")
            .scalar_subquery()
            .label("downloads"),
        )
    ).one()
    requests = {
        state: count
        for state, count in requests_by_state(scope).items()
        if state != imagery_states.DRAFT
    }
    return {
        "entities": {
            "adherent": sum(by_type.values()),
            "by_type": dict(sorted(by_type.items(), key=lambda item: (-item[1], item[0]))),
            "by_department": dict(sorted(by_department.items())),
        },
        "accounts": {"active": int(totals.active_accounts)},
        "imagery_requests": {"submitted": sum(requests.values()), "by_state": requests},
        "downloads": {"total": int(totals.downloads)},
        "monthly": monthly_series(scope, months, public=True),
    }


# ------------------------------------------------------------------ CSV exports


EXPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "entities": (
        "organization_id",
        "organization_name",
        "organization_title",
        "adhesion_number",
        "adhesion_state",
        "mode",
        "entity_type",
        "eligibility_category",
        "siret",
        "department",
        "postcode",
        "city",
        "valid_from",
        "valid_until",
        *(f"accounts_{state}" for state in account_states.STATES),
        "downloads",
    ),
    "accounts": (
        "account_id",
        "user_name",
        "user_fullname",
        "user_email",
        "organization_name",
        "organization_title",
        "state",
        "job_title",
        "department",
        "email_domain_mismatch",
        "created",
        "validated_at",
        "valid_until",
    ),
    "activity": (
        "event_id",
        "created",
        "object_type",
        "object_id",
        "organization_name",
        "organization_title",
        "action",
        "from_state",
        "to_state",
        "user_name",
        "actor_label",
        "comment",
    ),
}


def _cell(value: Any) -> Any:
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    return value


def export_page(
    kind: str, scope: Scope, after: str | None, limit: int, months: int | None = None
) -> tuple[list[list[Any]], str | None]:
    """One page of an export in a stable order, after the key `after`: (rows, next key).

    Keyset paging: each page is one indexed query however deep it is.
    """
    builders = {"entities": _entities_page, "accounts": _accounts_page, "activity": _activity_page}
    return builders[kind](scope, after, limit, months)


def _entities_page(
    scope: Scope, after: str | None, limit: int, months: int | None
) -> tuple[list[list[Any]], str | None]:
    conditions = [
        model.Group.is_organization.is_(True),
        model.Group.state == "active",
        model.Group.id.not_in(_staff_organization_ids()),
        *scope.clause(model.Group.id),
    ]
    if after:
        conditions.append(model.Group.id > after)
    page = (
        sa.select(model.Group.id, model.Group.name, model.Group.title)
        .where(*conditions)
        .order_by(model.Group.id)
        .limit(limit)
        .cte("page")
    )
    counts = (
        sa.select(
            Account.organization_id,
            *[
                sa.func.count().filter(Account.state == state).label(state)
                for state in account_states.STATES
            ],
        )
        .where(Account.organization_id.in_(sa.select(page.c.id)))
        .group_by(Account.organization_id)
        .subquery()
    )
    downloads = (
        sa.select(MONTHLY.organization_id, sa.func.sum(MONTHLY.downloads).label("downloads"))
        .where(MONTHLY.organization_id.in_(sa.select(page.c.id)))
        .group_by(MONTHLY.organization_id)
        .subquery()
    )
    rows = _execute(
        sa.select(page, Adhesion, counts, downloads.c.downloads)
        .outerjoin(
            Adhesion, sa.and_(Adhesion.organization_id == page.c.id, Adhesion.is_current.is_(True))
        )
        .outerjoin(counts, counts.c.organization_id == page.c.id)
        .outerjoin(downloads, downloads.c.organization_id == page.c.id)
        .order_by(page.c.id)
    ).all()
    result = []
    for row in rows:
        adhesion: Adhesion | None = row.Adhesion
        values = [
            row.id,
            row.name,
            row.title or row.name,
            adhesion.number if adhesion else None,
            adhesion.state if adhesion else None,
            adhesion.mode if adhesion else None,
            adhesion.entity_type if adhesion else None,
            adhesion.eligibility_category if adhesion else None,
            adhesion.siret if adhesion else None,
            adhesion.department if adhesion else None,
            adhesion.postcode if adhesion else None,
            adhesion.city if adhesion else None,
            adhesion.valid_from if adhesion else None,
            adhesion.valid_until if adhesion else None,
            *[getattr(row, state) or 0 for state in account_states.STATES],
            int(row.downloads or 0),
        ]
        result.append([_cell(v) for v in values])
    next_key = rows[-1].id if len(rows) == limit else None
    return result, next_key


def _accounts_page(
    scope: Scope, after: str | None, limit: int, months: int | None
) -> tuple[list[list[Any]], str | None]:
    conditions = scope.clause(Account.organization_id)
    if after:
        conditions.append(Account.id > after)
    rows = _execute(
        sa.select(
            Account,
            model.User.name,
            model.User.fullname,
            model.User.email,
            model.Group.name.label("organization_name"),
            model.Group.title,
        )
        .join(model.User, model.User.id == Account.user_id)
        .outerjoin(model.Group, model.Group.id == Account.organization_id)
        .where(*conditions)
        .order_by(Account.id)
        .limit(limit)
    ).all()
    result = []
    for row in rows:
        account: Account = row[0]
        values = [
            account.id,
            row.name,
            row.fullname,
            row.email,
            row.organization_name,
            row.title or row.organization_name,
            account.state,
            account.job_title,
            account.department,
            account.email_domain_mismatch,
            account.created,
            account.validated_at,
            account.valid_until,
        ]
        result.append([_cell(v) for v in values])
    next_key = rows[-1][0].id if len(rows) == limit else None
    return result, next_key


def _activity_page(
    scope: Scope, after: str | None, limit: int, months: int | None
) -> tuple[list[list[Any]], str | None]:
    """Newest first; `after` is the id of the last event of the previous page."""
    conditions = scope.event_clause()
    if months:
        since = datetime.datetime.combine(month_starts(months)[0], datetime.time())
        conditions.append(AuditEvent.created >= since)
    if after:
        conditions.append(AuditEvent.id < int(after))
    rows = _execute(
        sa.select(
            AuditEvent,
            model.User.name,
            model.Group.name.label("organization_name"),
            model.Group.title,
        )
        .outerjoin(model.User, model.User.id == AuditEvent.user_id)
        .outerjoin(model.Group, model.Group.id == AuditEvent.organization_id)
        .where(*conditions)
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    ).all()
    result = []
    for row in rows:
        event: AuditEvent = row[0]
        values = [
            event.id,
            event.created,
            event.object_type,
            event.object_id,
            row.organization_name,
            row.title or row.organization_name,
            event.action,
            event.from_state,
            event.to_state,
            row.name,
            event.actor_label,
            event.comment,
        ]
        result.append([_cell(v) for v in values])
    next_key = str(rows[-1][0].id) if len(rows) == limit else None
    return result, next_key
