"""Imagery quota actions: an entity's quotas, instructors' overrides, consumption per entity.

Consumption itself happens in the imagery transition (quotas.on_transition).
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.logic import validate
from ckan.types import Context, DataDict

from ...access.roles import context_roles
from ...lifecycle import audit
from ...model import Adhesion, QuotaCounter, QuotaOverride
from ...model.adhesion import ACCEPTED
from ...procedure import quotas
from ..schema import procedure as schema


def _organization(reference: str) -> model.Group:
    group = model.Group.get(reference)
    if group is None or not group.is_organization or group.state != "active":
        raise tk.ValidationError({"organization_id": [tk._("Organization not found")]})
    return group


@tk.side_effect_free
@validate(schema.quota_show)
def dinamis_relay_quota_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """An entity's free imagery quotas for the current periods.

    :param organization_id: the entity (id or name)
    :returns: ``{"organization": {id, name, title}, "quotas": [{sensor, period,
        period_kind (year | quarter), limit_km2, consumed_km2, remaining_km2, overridden}]}``
    """
    group = _organization(data_dict["organization_id"])
    tk.check_access("dinamis_relay_quota_show", context, {"organization_id": group.id})
    return {
        "organization": {"id": group.id, "name": group.name, "title": group.title},
        "quotas": quotas.entity_status(model.Session, group.id),
    }


@validate(schema.quota_set)
def dinamis_relay_quota_set(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Override an entity's quota for one sensor (instructors).

    :param organization_id: the entity
    :param sensor: spot67 | pleiades | pleiades_neo
    :param km2: the quota per period; left out, back to the configured default. Refused
        below what the current period has consumed.
    :returns: the sensor's quota status
    """
    tk.check_access("dinamis_relay_quota_set", context, data_dict)
    km2 = data_dict.get("km2")
    try:
        status = quotas.set_override(
            model.Session,
            data_dict["organization_id"],
            data_dict["sensor"],
            km2,
            context_roles(context).user_id,
        )
    except tk.ValidationError:
        model.Session.rollback()
        raise
    audit.record(
        object_type="quota",
        object_id=f"{data_dict['organization_id']}:{data_dict['sensor']}",
        organization_id=data_dict["organization_id"],
        action="quota_set",
        user_id=context_roles(context).user_id,
        data={"sensor": data_dict["sensor"], "km2": km2},
    )
    if not context.get("defer_commit"):
        model.Session.commit()
    return status


@tk.side_effect_free
@validate(schema.quota_list)
def dinamis_relay_quota_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Consumption per entity for the current periods (instructors: every adherent;
    super-referents: relay-mode partners), by legal name, paged.

    :param mode: classic | relay; :param limit: at most 500 (default 50); :param offset:
    :returns: ``{"count", "periods", "results": [{organization, mode, quotas: [...]}]}``;
        four queries whatever the page size
    """
    tk.check_access("dinamis_relay_quota_list", context, data_dict)
    roles = context_roles(context)
    conditions = [Adhesion.is_current.is_(True), Adhesion.state == ACCEPTED]
    mode = data_dict.get("mode")
    if not roles.is_instructor:
        mode = "relay"
    if mode:
        conditions.append(Adhesion.mode == mode)
    session = model.Session
    count = session.execute(
        sa.select(sa.func.count()).select_from(Adhesion).where(*conditions)
    ).scalar_one()
    rows = session.execute(
        sa.select(Adhesion.organization_id, Adhesion.mode, Adhesion.legal_name, model.Group.name)
        .join(model.Group, model.Group.id == Adhesion.organization_id)
        .where(*conditions)
        .order_by(Adhesion.legal_name, Adhesion.organization_id)
        .limit(data_dict["limit"])
        .offset(data_dict["offset"])
    ).all()
    ids = [row.organization_id for row in rows]
    periods = {sensor: quotas.period_of(sensor) for sensor in quotas.PERIODS}
    consumed: dict[str, dict[str, float]] = {}
    overrides: dict[str, dict[str, int]] = {}
    if ids:
        for org_id, sensor, _period, km2 in session.execute(
            sa.select(
                QuotaCounter.organization_id,
                QuotaCounter.sensor,
                QuotaCounter.period,
                QuotaCounter.consumed_km2,
            ).where(
                QuotaCounter.organization_id.in_(ids),
                sa.tuple_(QuotaCounter.sensor, QuotaCounter.period).in_(list(periods.items())),
            )
        ):
            consumed.setdefault(org_id, {})[sensor] = km2
        for org_id, sensor, km2 in session.execute(
            sa.select(QuotaOverride.organization_id, QuotaOverride.sensor, QuotaOverride.km2).where(
                QuotaOverride.organization_id.in_(ids)
            )
        ):
            overrides.setdefault(org_id, {})[sensor] = km2
    results = [
        {
            "organization": {"id": row.organization_id, "name": row.name},
            "legal_name": row.legal_name,
            "mode": row.mode,
            "quotas": [
                quotas.status_of(
                    sensor,
                    periods[sensor],
                    overrides.get(row.organization_id, {}),
                    consumed.get(row.organization_id, {}),
                )
                for sensor in quotas.PERIODS
            ],
        }
        for row in rows
    ]
    return {"count": count, "periods": periods, "results": results}
