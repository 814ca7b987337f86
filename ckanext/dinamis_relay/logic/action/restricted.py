"""Core read actions that could hand a DINAMIS dataset or its resource URLs to someone
without access, guarded (visibility.py).

Permission labels already filter `package_search` and `package_show`; these chains close
the rest: `package_list`, `current_package_list_with_resources` and `resource_search` query
the database for every public dataset, and in the `metadata` visibility mode `package_show`,
`package_search` and `resource_show` answer everyone, so resource URLs are removed there for
those who may not use the data. Contexts with `ignore_auth` (the search index, the activity
stream's snapshots) are left alone.
"""

from __future__ import annotations

import json
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

from ...access import permission_labels, visibility
from ...geo.coverage import INTERNAL


def _trusted(context: Context) -> bool:
    return bool(context.get("ignore_auth") or context.get(INTERNAL))


def _packages(ids_or_names: set[str], by: str = "id") -> dict[str, model.Package]:
    if not ids_or_names:
        return {}
    column = model.Package.id if by == "id" else model.Package.name
    rows = model.Session.query(model.Package).filter(column.in_(sorted(ids_or_names))).all()
    return {getattr(row, by): row for row in rows}


def _usable(context: Context, package: model.Package | None) -> bool:
    if package is None or not permission_labels.dataset_licence(package):
        return True
    return visibility.may_use_package(context, package)


@tk.chained_action
@tk.side_effect_free
def package_show(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    result = up_func(context, data_dict)
    if _trusted(context):
        return result
    return visibility.guard_dataset(context, result)


@tk.chained_action
@tk.side_effect_free
def resource_show(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    result = up_func(context, data_dict)
    if _trusted(context) or not isinstance(result, dict):
        return result
    package = model.Package.get(result.get("package_id") or "")
    if _usable(context, package):
        return result
    return visibility.strip_resource(result)


def _guard_row(context: Context, row: Any) -> Any:
    """A search result: a dataset dict, or a row of the `fl` fields asked for."""
    if not isinstance(row, dict):
        return row
    if "resources" in row or permission_labels.dataset_licence(row):
        return visibility.guard_dataset(context, row)
    for key in ("validated_data_dict", "data_dict"):
        if isinstance(row.get(key), str):
            try:
                dataset = json.loads(row[key])
            except ValueError:
                continue
            caller = visibility.user_labels(context)
            if permission_labels.dataset_licence(dataset) and not visibility.may_use(
                caller, dataset
            ):
                return visibility.strip_dataset(row)
    return row


@tk.chained_action
@tk.side_effect_free
def package_search(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    result = up_func(context, data_dict)
    if _trusted(context) or not isinstance(result, dict):
        return result
    result["results"] = [_guard_row(context, row) for row in result.get("results") or []]
    return result


@tk.chained_action
@tk.side_effect_free
def resource_search(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """Resources of public datasets, from the database: those of DINAMIS datasets the caller
    may not use are left out (in both modes), and the count lowered by as many."""
    result = up_func(context, data_dict)
    if _trusted(context) or not isinstance(result, dict):
        return result
    rows = result.get("results") or []
    packages = _packages({str(r.get("package_id")) for r in rows if isinstance(r, dict)})
    kept = [r for r in rows if _usable(context, packages.get(r.get("package_id")))]
    result["count"] = max(0, (result.get("count") or 0) - (len(rows) - len(kept)))
    result["results"] = kept
    return result


@tk.chained_action
@tk.side_effect_free
def package_list(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """Names of public datasets, from the database: in `hidden` mode, not those of DINAMIS
    datasets the caller may not see."""
    result = up_func(context, data_dict)
    if _trusted(context) or visibility.discoverable() or not isinstance(result, list):
        return result
    packages = _packages({n for n in result if isinstance(n, str)}, by="name")
    return [n for n in result if _usable(context, packages.get(n))]


@tk.chained_action
@tk.side_effect_free
def current_package_list_with_resources(
    up_func: Action, context: Context, data_dict: DataDict
) -> Any:
    """Public datasets with their resources, from the database: DINAMIS datasets the caller
    may not use are left out (`hidden`) or come without resource URLs (`metadata`)."""
    result = up_func(context, data_dict)
    if _trusted(context) or not isinstance(result, list):
        return result
    packages = _packages({str(d.get("id")) for d in result if isinstance(d, dict)})
    guarded = []
    for dataset in result:
        if _usable(context, packages.get(dataset.get("id"))):
            guarded.append(dataset)
        elif visibility.discoverable():
            guarded.append(visibility.strip_dataset(dataset))
    return guarded
