"""The DINAMIS licence code of datasets, checked when a dataset is created or updated.

The code lives in the dataset extra `dinamis_licence` (see access/permission_labels.py).
With CKAN's default schema a top-level `dinamis_licence` is accepted too and moved into
`extras`; with ckanext-scheming the field of that name does the same itself.
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

from ...access.permission_labels import FIELD, licence_codes
from ..validators import core_reference


def _extras_value(extras: list[dict[str, Any]]) -> Any:
    for extra in extras:
        if isinstance(extra, dict) and extra.get("key") == FIELD:
            return extra.get("value")
    return None


def _check(value: Any) -> None:
    if value in (None, ""):
        return
    if not isinstance(value, str) or value.strip() not in licence_codes():
        raise tk.ValidationError(
            {
                FIELD: [
                    tk._("Unknown DINAMIS licence; use one of: {codes}").format(
                        codes=", ".join(licence_codes())
                    )
                ]
            }
        )


def _existing_extras(data_dict: DataDict) -> list[dict[str, Any]]:
    reference = core_reference(data_dict, "id") or core_reference(data_dict, "name")
    package = model.Package.get(reference) if reference else None
    if package is None:
        return []
    return [{"key": key, "value": value} for key, value in package.extras.items()]


def prepare_licence(data_dict: DataDict, updating: bool) -> None:
    """Validate the licence code and, without scheming, store a top-level one as an extra."""
    extras = data_dict.get("extras")
    if FIELD in data_dict:
        _check(data_dict[FIELD])
    elif isinstance(extras, list):
        _check(_extras_value(extras))
    if FIELD not in data_dict or p.plugin_loaded("scheming_datasets"):
        return
    value = data_dict.pop(FIELD)
    if not isinstance(extras, list):
        # Updating without extras would otherwise wipe the others.
        extras = _existing_extras(data_dict) if updating else []
    extras = [e for e in extras if not (isinstance(e, dict) and e.get("key") == FIELD)]
    if value:
        extras.append({"key": FIELD, "value": value.strip()})
    data_dict["extras"] = extras


@tk.chained_action
def package_create(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    prepare_licence(data_dict, updating=False)
    return up_func(context, data_dict)


@tk.chained_action
def package_update(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    prepare_licence(data_dict, updating=True)
    return up_func(context, data_dict)
