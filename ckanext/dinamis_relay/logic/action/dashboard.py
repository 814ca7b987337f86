"""The global view: the dashboard of super-referents, instructors and referents, its CSV
exports, and the public statistics (DOMAIN.md, "Global view and statistics").

The aggregates are in dashboard.py; each action runs a fixed number of queries whatever the
data size. The public statistics are cached in Redis for
`ckanext.dinamis_relay.stats_cache_seconds`.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ...access.roles import context_roles
from ...lifecycle.adhesion import visible_clause
from ...model import dashboard
from ...model.base import utcnow
from ...personal_data import minimise
from ..schema import dashboard as schema
from ..schema import validate

log = logging.getLogger(__name__)


def _scope(context: Context, data_dict: DataDict) -> dashboard.Scope:
    """Every entity for super-referents, instructors and sysadmins; the referent's own
    entities otherwise; one entity when `organization_id` is given (auth checked it)."""
    roles = context_roles(context)
    if data_dict.get("organization_id"):
        ids: frozenset[str] | None = frozenset([data_dict["organization_id"]])
    elif roles.is_super_referent or roles.is_instructor:
        ids = None
    else:
        ids = roles.referent_of
    return dashboard.Scope(
        organization_ids=ids,
        validated=bool(data_dict.get("validated")),
        visible_adhesions=visible_clause(roles),
    )


@tk.side_effect_free
@validate(schema.dashboard)
def dinamis_relay_dashboard(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The caller's global view.

    :param organization_id: only this entity (id or name)
    :param months: length of the monthly series, 1 to 36 (default 12)
    :param validated: only entities whose adhesion is accepted (default false)
    :returns: ``filters``; ``scope`` ("all" or "entities") and, for referents, their
        ``organizations``; ``work`` (what waits for the caller: ``count`` and recent
        ``items`` per kind); ``entities`` (adhesions by state and mode, entities without
        application); ``accounts`` (by state, and ``by_entity`` for the 20 largest);
        ``imagery_requests`` (by state); ``monthly`` (``months``, ``downloads``,
        ``imagery_requests`` submitted, ``accounts_validated``); ``recent_activity``.
    """
    tk.check_access("dinamis_relay_dashboard", context, data_dict)
    roles = context_roles(context)
    scope = _scope(context, data_dict)
    accounts = dashboard.accounts_by_state(scope)
    result: dict[str, Any] = {
        "filters": {
            "organization_id": data_dict.get("organization_id"),
            "months": data_dict["months"],
            "validated": data_dict["validated"],
        },
        "scope": "all" if scope.organization_ids is None else "entities",
        "work": dashboard.work_waiting(roles, scope),
        "entities": dashboard.entities_by_state(scope),
        "accounts": {
            "total": sum(accounts.values()),
            "by_state": accounts,
            "by_entity": dashboard.accounts_by_entity(scope),
        },
        "imagery_requests": {"by_state": dashboard.requests_by_state(scope)},
        "monthly": dashboard.monthly_series(scope, data_dict["months"]),
        "recent_activity": dashboard.recent_activity(scope),
        "generated_at": utcnow().isoformat(),
    }
    if not (roles.is_super_referent or roles.is_instructor):
        result["organizations"] = dashboard.organizations_in(roles.referent_of)
    return result


@tk.side_effect_free
@validate(schema.dashboard_export)
def dinamis_relay_dashboard_export(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One page of a CSV export of the dashboard (the web page streams every page).

    :param kind: entities, accounts or activity (the audit journal, newest first)
    :param organization_id, validated: as for the dashboard; :param months: activity only,
        the last N months
    :param after: the ``next`` of the previous page; :param limit: rows per page (1000)
    :returns: ``{"columns", "rows", "next"}``; ``next`` is null on the last page. One query
        per page whatever its depth.
    """
    tk.check_access("dinamis_relay_dashboard_export", context, data_dict)
    scope = _scope(context, data_dict)
    after = data_dict.get("after")
    if after and data_dict["kind"] == "activity" and not after.isdigit():
        raise tk.ValidationError({"after": [tk._("Not a page key of this export")]})
    rows, next_key = dashboard.export_page(
        data_dict["kind"], scope, after, data_dict["limit"], data_dict.get("months")
    )
    columns = list(dashboard.EXPORT_COLUMNS[data_dict["kind"]])
    rows = minimise.export_rows(
        context_roles(context),
        data_dict["kind"],
        columns,
        rows,
        data_dict.get("organization_id"),
    )
    return {"columns": columns, "rows": rows, "next": next_key}


def _cache_key(months: int) -> str:
    site_id = tk.config.get("ckan.site_id") or "default"
    return f"{site_id}:dinamis_relay:stats:{months}"


def _cache_seconds() -> int:
    try:
        return max(0, int(tk.config.get("ckanext.dinamis_relay.stats_cache_seconds") or 0))
    except (TypeError, ValueError):
        return 0


@tk.side_effect_free
@validate(schema.stats)
def dinamis_relay_stats(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Public statistics of the service: aggregated counts, no personal data.

    :param months: length of the monthly series, 1 to 36 (default 12)
    :returns: ``entities`` (``adherent``, ``by_type``, ``by_department``), ``accounts``
        (``active``), ``imagery_requests`` (``submitted``, ``by_state``), ``downloads``
        (``total``), ``monthly`` (``months``, ``downloads``, ``imagery_requests``,
        ``accounts_validated``, ``adhesions_accepted``), ``generated_at``. Cached for
        ``ckanext.dinamis_relay.stats_cache_seconds``.
    """
    tk.check_access("dinamis_relay_stats", context, data_dict)
    months = data_dict["months"]
    seconds = _cache_seconds()
    connection = None
    if seconds:
        try:
            from ckan.lib.redis import connect_to_redis

            connection = connect_to_redis()
            cached = connection.get(_cache_key(months))
            if cached:
                return json.loads(cached)
        except Exception:  # Redis down: statistics still answer, uncached.
            log.warning("DINAMIS statistics: Redis cache unavailable", exc_info=True)
            connection = None
    result = dashboard.public_stats(months)
    result["months"] = months
    result["generated_at"] = utcnow().isoformat()
    if connection is not None:
        try:
            connection.setex(_cache_key(months), seconds, json.dumps(result))
        except Exception:
            log.warning("DINAMIS statistics: could not cache", exc_info=True)
    return result
