"""Free imagery quotas per entity, sensor and period (issue 15).

SPOT 6/7 is counted per calendar year, Pléiades and Pléiades Neo per calendar quarter, in km²
of the accepted requests' areas. Defaults are declared (`ckanext.dinamis_relay.quota.*_km2`);
instructors override them per entity. A request consumes its area when DINAMIS accepts it, in
the period of that day, and gives it back if it is rejected or cancelled later.

The counter row of (entity, sensor, period) is locked for every change, so concurrent
acceptances queue up and the second sees what the first consumed: never overspent.
"""

from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from .. import l10n
from ..model import ImageryRequest, QuotaCounter, QuotaOverride, QuotaUse
from ..model import imagery as imagery_states
from ..model.base import utcnow

# How each sensor's quota is counted (DINAMIS: SPOT 6/7 yearly, Pléiades by quarter).
PERIODS = {"spot67": "year", "pleiades": "quarter", "pleiades_neo": "quarter"}
CONSUME_AT = imagery_states.ACCEPTED
RESTORE_AT = (imagery_states.REJECTED, imagery_states.CANCELLED)


def period_of(sensor: str, day: datetime.date | None = None) -> str:
    """The period key of a day: "2026" (yearly sensors) or "2026-Q2" (quarterly ones)."""
    day = day or datetime.date.today()
    if PERIODS.get(sensor) == "year":
        return str(day.year)
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def default_km2(sensor: str) -> int:
    return int(tk.config.get(f"ckanext.dinamis_relay.quota.{sensor}_km2") or 0)


def _overrides(session: Any, organization_id: str) -> dict[str, int]:
    rows = session.execute(
        sa.select(QuotaOverride.sensor, QuotaOverride.km2).where(
            QuotaOverride.organization_id == organization_id
        )
    ).all()
    return {sensor: km2 for sensor, km2 in rows}


def _consumed(session: Any, organization_id: str, periods: dict[str, str]) -> dict[str, float]:
    rows = session.execute(
        sa.select(QuotaCounter.sensor, QuotaCounter.period, QuotaCounter.consumed_km2).where(
            QuotaCounter.organization_id == organization_id,
            sa.tuple_(QuotaCounter.sensor, QuotaCounter.period).in_(list(periods.items())),
        )
    ).all()
    return {sensor: float(km2) for sensor, period, km2 in rows if periods.get(sensor) == period}


def status_of(
    sensor: str, period: str, overrides: dict[str, int], consumed: dict[str, float]
) -> dict[str, Any]:
    limit = overrides.get(sensor, default_km2(sensor))
    used = round(consumed.get(sensor, 0.0), 3)
    return {
        "sensor": sensor,
        "period": period,
        "period_kind": PERIODS[sensor],
        "limit_km2": limit,
        "consumed_km2": used,
        "remaining_km2": round(max(0.0, limit - used), 3),
        "overridden": sensor in overrides,
    }


def entity_status(
    session: Any, organization_id: str, day: datetime.date | None = None
) -> list[dict[str, Any]]:
    """Every sensor's quota of the entity for the current periods: two queries."""
    periods = {sensor: period_of(sensor, day) for sensor in PERIODS}
    overrides = _overrides(session, organization_id)
    consumed = _consumed(session, organization_id, periods)
    return [status_of(s, periods[s], overrides, consumed) for s in PERIODS]


def _locked_counter(session: Any, organization_id: str, sensor: str, period: str) -> QuotaCounter:
    table = QuotaCounter.__table__
    session.execute(
        insert(table)
        .values(organization_id=organization_id, sensor=sensor, period=period, consumed_km2=0.0)
        .on_conflict_do_nothing()
    )
    return session.execute(
        sa.select(QuotaCounter)
        .where(
            QuotaCounter.organization_id == organization_id,
            QuotaCounter.sensor == sensor,
            QuotaCounter.period == period,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _fmt(value: float) -> str:
    return tk._("{area} km²").format(area=l10n.format_decimal(value, 1))


def consume(session: Any, request: ImageryRequest, day: datetime.date | None = None) -> QuotaUse:
    """Take the request's area from its entity's quota (ValidationError if it does not fit)."""
    period = period_of(request.sensor, day)
    counter = _locked_counter(session, request.organization_id, request.sensor, period)
    limit = _overrides(session, request.organization_id).get(
        request.sensor, default_km2(request.sensor)
    )
    remaining = max(0.0, limit - counter.consumed_km2)
    if request.area_km2 > remaining + 1e-9:
        raise tk.ValidationError(
            {
                "quota": [
                    tk._(
                        "This request ({area}) exceeds the entity's remaining free quota for "
                        "this sensor and period ({remaining} of {limit})"
                    ).format(
                        area=_fmt(request.area_km2), remaining=_fmt(remaining), limit=_fmt(limit)
                    )
                ]
            }
        )
    counter.consumed_km2 = counter.consumed_km2 + request.area_km2
    use = QuotaUse(
        request_id=request.id,
        organization_id=request.organization_id,
        sensor=request.sensor,
        period=period,
        km2=request.area_km2,
        consumed_at=utcnow(),
    )
    session.add(use)
    return use


def restore(session: Any, request: ImageryRequest) -> QuotaUse | None:
    """Give back what the request consumed, to the period it was taken from."""
    use = session.execute(
        sa.select(QuotaUse)
        .where(QuotaUse.request_id == request.id, QuotaUse.restored_at.is_(None))
        .with_for_update()
    ).scalar_one_or_none()
    if use is None:
        return None
    counter = _locked_counter(session, use.organization_id, use.sensor, use.period)
    counter.consumed_km2 = max(0.0, counter.consumed_km2 - use.km2)
    use.restored_at = utcnow()
    return use


def on_transition(session: Any, request: ImageryRequest, to_state: str) -> None:
    """Called by the imagery transition, in its transaction, before it commits."""
    if to_state == CONSUME_AT:
        consume(session, request)
    elif to_state in RESTORE_AT:
        restore(session, request)


def for_request(session: Any, request: ImageryRequest) -> dict[str, Any]:
    """The request's quota: its sensor's status for the entity, what it consumed, and
    `exceeds` (its area is more than what remains) while it is not accepted yet."""
    status = entity_status(session, request.organization_id)
    mine = next(s for s in status if s["sensor"] == request.sensor)
    use = session.get(QuotaUse, request.id)
    consumed = use is not None and use.restored_at is None
    return {
        **mine,
        "request_consumed_km2": use.km2 if consumed and use else 0.0,
        "exceeds": (not consumed)
        and request.state not in imagery_states.FINAL_STATES
        and request.area_km2 > mine["remaining_km2"],
    }


def set_override(
    session: Any, organization_id: str, sensor: str, km2: int | None, user_id: str | None
) -> dict[str, Any]:
    """Set (or, with None, remove) an entity's quota; refused below what the current
    period has consumed already."""
    period = period_of(sensor)
    counter = _locked_counter(session, organization_id, sensor, period)
    if km2 is not None and km2 < counter.consumed_km2:
        raise tk.ValidationError(
            {
                "km2": [
                    tk._(
                        "{consumed} have already been consumed this period: the quota cannot be "
                        "lower"
                    ).format(consumed=_fmt(counter.consumed_km2))
                ]
            }
        )
    existing = session.get(QuotaOverride, (organization_id, sensor))
    if km2 is None:
        if existing is not None:
            session.delete(existing)
    elif existing is None:
        session.add(
            QuotaOverride(
                organization_id=organization_id,
                sensor=sensor,
                km2=km2,
                set_by=user_id,
                set_at=utcnow(),
            )
        )
    else:
        existing.km2, existing.set_by, existing.set_at = km2, user_id, utcnow()
    session.flush()
    return next(s for s in entity_status(session, organization_id) if s["sensor"] == sensor)
