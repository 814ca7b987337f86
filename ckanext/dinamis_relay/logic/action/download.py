"""Downloads of DINAMIS resources: recorded by the download route, listed for the global view."""

from __future__ import annotations

import datetime
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.types import Context, DataDict

from ...access import permission_labels
from ...access.roles import context_roles
from ...model import DownloadEvent
from ..schema import download as schema
from ..schema import validate


def _session(context: Context) -> Any:
    return context.get("session") or model.Session


@validate(schema.download_record)
def dinamis_relay_download_record(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Record that the caller downloads resource `id` (used by /dinamis/download/<id>).

    Access is CKAN's own `resource_show` check, which goes through the permission labels.
    Only resources of datasets with a DINAMIS licence are recorded; returns
    {"recorded": bool, "event_id", "resource": resource dict, "dataset_id", "licence"}.
    """
    tk.check_access("dinamis_relay_download_record", context, data_dict)
    resource = model.Resource.get(data_dict["id"])
    if resource is None or resource.state != "active":
        raise tk.ObjectNotFound(tk._("Resource not found"))
    package = model.Package.get(resource.package_id)
    if package is None or package.state != "active":
        raise tk.ObjectNotFound(tk._("Resource not found"))
    resource_dict = tk.get_action("resource_show")(
        {"user": context.get("user", "")}, {"id": resource.id}
    )
    code = permission_labels.dataset_licence(package)
    result: dict[str, Any] = {
        "recorded": False,
        "event_id": None,
        "resource": resource_dict,
        "dataset_id": package.id,
        "dataset_name": package.name,
        "licence": code,
    }
    user = model.User.get(context.get("user") or "")
    if not code or user is None:
        return result
    grants = permission_labels.user_licence_grants(user.id)
    event = DownloadEvent(
        user_id=user.id,
        organization_id=grants.get(code),
        dataset_id=package.id,
        resource_id=resource.id,
        licence=code,
    )
    session = _session(context)
    session.add(event)
    if not context.get("defer_commit"):
        session.commit()
    else:
        session.flush()
    result.update(recorded=True, event_id=event.id)
    return result


def _scope(context: Context, data_dict: DataDict) -> sa.ColumnElement[bool] | None:
    """Rows the caller may read beyond the filters: None means all."""
    roles = context_roles(context)
    if roles.is_super_referent or context.get("ignore_auth"):
        return None
    conditions = [DownloadEvent.user_id == roles.user_id]
    if roles.referent_of:
        conditions.append(DownloadEvent.organization_id.in_(sorted(roles.referent_of)))
    return sa.or_(*conditions)


def _end_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())


@tk.side_effect_free
@validate(schema.download_list)
def dinamis_relay_download_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Recorded downloads, newest first.

    Filters: `organization_id`, `user_id`, `dataset_id`, `resource_id`, `since` / `until`
    (dates, inclusive). Paging: `limit` (default 50, at most 1000) and either `offset` or the
    keyset cursor `before_id` (the last `id` of the previous page; faster on deep pages).
    Super-referents and sysadmins read all downloads, a referent those of their entities, any
    user their own. Returns {"count", "results", "next_before_id"}; two queries whatever the
    page size.
    """
    tk.check_access("dinamis_relay_download_list", context, data_dict)
    conditions: list[sa.ColumnElement[bool]] = []
    for field in ("organization_id", "user_id", "dataset_id", "resource_id"):
        if data_dict.get(field):
            conditions.append(getattr(DownloadEvent, field) == data_dict[field])
    if data_dict.get("since"):
        conditions.append(
            DownloadEvent.created >= datetime.datetime.combine(data_dict["since"], datetime.time())
        )
    if data_dict.get("until"):
        conditions.append(DownloadEvent.created < _end_of(data_dict["until"]))
    scope = _scope(context, data_dict)
    if scope is not None:
        conditions.append(scope)
    session = _session(context)
    count = session.execute(
        sa.select(sa.func.count()).select_from(DownloadEvent).where(*conditions)
    ).scalar_one()
    limit = data_dict.get("limit") or 50
    page = (
        sa.select(
            DownloadEvent,
            model.User.name.label("user_name"),
            model.Group.name.label("organization_name"),
            model.Group.title.label("organization_title"),
            model.Package.name.label("dataset_name"),
            model.Package.title.label("dataset_title"),
            model.Resource.name.label("resource_name"),
        )
        .outerjoin(model.User, model.User.id == DownloadEvent.user_id)
        .outerjoin(model.Group, model.Group.id == DownloadEvent.organization_id)
        .outerjoin(model.Package, model.Package.id == DownloadEvent.dataset_id)
        .outerjoin(model.Resource, model.Resource.id == DownloadEvent.resource_id)
        .where(*conditions)
        .order_by(DownloadEvent.id.desc())
        .limit(limit)
    )
    if data_dict.get("before_id"):
        page = page.where(DownloadEvent.id < data_dict["before_id"])
    else:
        page = page.offset(data_dict.get("offset") or 0)
    results = []
    for row in session.execute(page).all():
        item = row[0].dictize()
        item.update(
            user_name=row.user_name,
            organization_name=row.organization_name,
            organization_title=row.organization_title or row.organization_name,
            dataset_name=row.dataset_name,
            dataset_title=row.dataset_title or row.dataset_name,
            resource_name=row.resource_name,
        )
        results.append(item)
    next_before = results[-1]["id"] if len(results) == limit else None
    return {"count": count, "results": results, "next_before_id": next_before}
