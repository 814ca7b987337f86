"""How DINAMIS imagery datasets appear to those without access (`...dinamis_relay.visibility`).

- `hidden` (the default): invisible — search, pages, API, DCAT — to anyone the permission
  labels do not let in (permission_labels.py).
- `metadata` (INSPIRE-style discovery): the dataset is public — title, description,
  footprint, dates, in search, on pages and in DCAT feeds — but for anyone without access
  every resource URL is removed from API and page answers, the search index holds no
  resource URL of these datasets, and downloads are refused.

"Access" is what the permission labels of the `hidden` mode grant: the labels a DINAMIS
dataset carries besides `public` (permission_labels.DinamisPermissionLabels), met by the
user's labels.
Switching mode changes dataset labels: rebuild the search index (`ckan search-index rebuild`).
"""

from __future__ import annotations

import copy
from typing import Any

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk

from . import permission_labels

HIDDEN = "hidden"
METADATA = "metadata"
MODES = (HIDDEN, METADATA)
PUBLIC_LABEL = "public"
# Resource keys that lead to the data itself.
URL_KEYS = ("url", "download_url", "access_url")
CACHE_KEY = "_dinamis_relay_user_labels"


def mode() -> str:
    value = (tk.config.get("ckanext.dinamis_relay.visibility") or HIDDEN).strip()
    return value if value in MODES else HIDDEN


def discoverable() -> bool:
    return mode() == METADATA


def dataset_labels(restricted: list[str], dataset_obj: Any) -> list[str]:
    """The dataset's permission labels given the restricted ones of permission_labels.py: in
    `metadata` mode a public DINAMIS dataset is also `public` (everyone sees its metadata)."""
    if (
        discoverable()
        and PUBLIC_LABEL not in restricted
        and permission_labels.STAFF_LABEL in restricted
        and permission_labels.dataset_licence(dataset_obj)
    ):
        return [*restricted, PUBLIC_LABEL]
    return restricted


def access_labels(dataset: dict[str, Any]) -> set[str]:
    """The labels that grant access to a public DINAMIS dataset (its labels but `public`)."""
    code = permission_labels.dataset_licence(dataset)
    if not code:
        return {PUBLIC_LABEL}
    granted = {permission_labels.licence_label(code), permission_labels.STAFF_LABEL}
    if dataset.get("owner_org"):
        granted.add(f"member-{dataset['owner_org']}")
    elif dataset.get("creator_user_id"):
        granted.add(f"creator-{dataset['creator_user_id']}")
    if dataset.get("id"):
        granted.add(f"collaborator-{dataset['id']}")
    return granted


def user_labels(context: dict[str, Any]) -> set[str] | None:
    """The caller's permission labels; None means everything (sysadmin, ignore_auth).
    Kept in the context: a search guards each of its results with them."""
    if context.get("ignore_auth"):
        return None
    name = context.get("user") or ""
    cached = context.get(CACHE_KEY)
    if cached is not None and cached[0] == name:
        return cached[1]
    result = _user_labels(context, name)
    context[CACHE_KEY] = (name, result)
    return result


def _user_labels(context: dict[str, Any], name: str) -> set[str] | None:
    user = context.get("auth_user_obj")
    if user is None or getattr(user, "name", None) != name:
        user = model.User.get(name) if name else None
    if user is not None and authz.is_sysadmin(user.name):
        return None
    from ckan.lib.plugins import get_permission_labels

    return set(get_permission_labels().get_user_dataset_labels(user))


def may_use(user: set[str] | None, dataset: dict[str, Any]) -> bool:
    """Whether a caller with these labels may reach the data of this dataset."""
    if user is None or not permission_labels.dataset_licence(dataset) or dataset.get("private"):
        return True
    return bool(user & access_labels(dataset))


def may_use_package(context: dict[str, Any], package: model.Package) -> bool:
    return may_use(
        user_labels(context),
        {
            "id": package.id,
            "owner_org": package.owner_org,
            "creator_user_id": package.creator_user_id,
            "private": package.private,
            "extras": [{"key": k, "value": v} for k, v in package.extras.items()],
        },
    )


def strip_resource(resource: dict[str, Any]) -> dict[str, Any]:
    resource = dict(resource)
    for key in URL_KEYS:
        if key in resource:
            resource[key] = ""
    resource["dinamis_restricted"] = True
    return resource


def strip_dataset(dataset: dict[str, Any]) -> dict[str, Any]:
    """A copy of the dataset dict without resource URLs."""
    dataset = copy.copy(dataset)
    dataset["resources"] = [strip_resource(r) for r in dataset.get("resources") or []]
    for key in ("res_url", "download_url", "data_dict", "validated_data_dict", "urls"):
        dataset.pop(key, None)
    dataset["dinamis_restricted"] = True
    return dataset


def guard_dataset(context: dict[str, Any], dataset: Any) -> Any:
    """The dataset as the caller may read it: without resource URLs when they may not use it."""
    if not isinstance(dataset, dict) or not permission_labels.dataset_licence(dataset):
        return dataset
    if may_use(user_labels(context), dataset):
        return dataset
    return strip_dataset(dataset)


def strip_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Search index document of a DINAMIS dataset in `metadata` mode: no resource URL in the
    searchable fields (they would answer `res_url:...` probes of anyone)."""
    if discoverable() and permission_labels.dataset_licence(
        {
            "extras": [
                {
                    "key": permission_labels.FIELD,
                    "value": pkg_dict.get(f"extras_{permission_labels.FIELD}"),
                }
            ]
        }
        if pkg_dict.get(f"extras_{permission_labels.FIELD}")
        else pkg_dict
    ):
        for key in ("res_url", "download_url", "urls"):
            pkg_dict.pop(key, None)
    return pkg_dict


def may_use_resource(context: dict[str, Any], resource_id: str | None) -> bool:
    """Whether the caller may reach the data of this resource (downloads)."""
    resource = model.Resource.get(resource_id or "")
    package = model.Package.get(resource.package_id) if resource is not None else None
    if package is None or not permission_labels.dataset_licence(package):
        return True
    return may_use_package(context, package)


def call_to_action() -> str:
    return tk._(
        "Reserved for DINAMIS adherents: check whether your organisation is an adherent, "
        "or ask for an account."
    )
