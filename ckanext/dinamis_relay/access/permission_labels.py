"""Permission labels of DINAMIS imagery datasets (IPermissionLabels).

A public dataset carrying a DINAMIS licence code (`dinamis_licence`) is labelled
`dinamis-licence-<code>` and `dinamis-staff` instead of `public`; the owner organization's
members keep their usual `member-<org id>` label. A user gets `dinamis-licence-<code>` for
each licence accepted by the current, accepted adhesion of an entity where they hold an
active account, and `dinamis-staff` when super-referent, instructor or sysadmin.

User labels are computed on each check, so suspending an account or accepting an adhesion
takes effect at the next request; dataset labels only change when the dataset does, so no
reindex is needed when accounts or adhesions change.

The licence code is stored as the dataset extra `dinamis_licence`: CKAN's default schema keeps
it in `extras`, ckanext-scheming stores a field of that name as an extra as well.
"""

from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.model as model
import sqlalchemy as sa
from ckan.lib.plugins import DefaultPermissionLabels

from .. import texts
from ..model import Acceptance, Account, Adhesion
from . import active_accounts_clause
from .roles import roles_for

FIELD = "dinamis_licence"
LICENCE_PREFIX = "dinamis-licence-"
STAFF_LABEL = "dinamis-staff"


def licence_codes() -> list[str]:
    """The configured licence codes (`ckanext.dinamis_relay.licences`)."""
    return [code for code, _version in texts.licence_versions()]


def dataset_licence(dataset: model.Package | dict[str, Any] | None) -> str | None:
    """The DINAMIS licence code of a dataset object or dict, or None."""
    if dataset is None:
        return None
    if isinstance(dataset, dict):
        value = dataset.get(FIELD)
        if not value:
            for extra in dataset.get("extras") or []:
                if isinstance(extra, dict) and extra.get("key") == FIELD:
                    value = extra.get("value")
    else:
        value = None if _extra_deleted(dataset, FIELD) else dataset.extras.get(FIELD)
    value = (value or "").strip() if isinstance(value, str) else None
    return value or None


def _extra_deleted(dataset: model.Package, key: str) -> bool:
    """Whether the extra `key` is being deleted in the current transaction.

    CKAN 2.11 keeps extras as `package_extra` rows: `package_update` deletes a removed one
    from the session, yet `Package.extras` still shows it until the commit expires the
    object, which is when the search index asks for the labels. CKAN 2.12 keeps extras in a
    column of the package, so there is nothing to check there.
    """
    extra = getattr(dataset, "_extras", {}).get(key)
    if extra is None:
        return False
    state = sa.inspect(extra)
    return bool(
        state.deleted or state.was_deleted or (state.session and extra in state.session.deleted)
    )


def licence_label(code: str) -> str:
    return f"{LICENCE_PREFIX}{code}"


def user_licence_grants(user_id: str | None) -> dict[str, str]:
    """Licence codes the user may use, each with the entity whose account grants it (one
    query): active accounts of entities whose current adhesion is accepted and accepted the
    licence."""
    if not user_id:
        return {}
    rows = model.Session.execute(
        sa.select(Acceptance.text_code, Account.organization_id)
        .select_from(Account)
        .join(
            Adhesion,
            sa.and_(
                Adhesion.organization_id == Account.organization_id,
                Adhesion.is_current.is_(True),
            ),
        )
        .join(Acceptance, Acceptance.adhesion_id == Adhesion.id)
        .join(model.User, model.User.id == Account.user_id)
        .where(
            Account.user_id == user_id,
            Acceptance.text_kind == "licence",
            active_accounts_clause(),
        )
        .order_by(Account.organization_id)
    ).all()
    grants: dict[str, str] = {}
    for code, organization_id in rows:
        grants.setdefault(code, organization_id)
    return grants


def is_staff(user_id: str | None) -> bool:
    roles = roles_for(user_id)
    return roles.is_super_referent or roles.is_instructor


class DinamisPermissionLabels(DefaultPermissionLabels):
    def get_dataset_labels(self, dataset_obj: model.Package) -> list[str]:
        labels = super().get_dataset_labels(dataset_obj)
        code = dataset_licence(dataset_obj)
        if not code or "public" not in labels:
            # Private and draft datasets keep CKAN's own, narrower, labels.
            return labels
        labels = [licence_label(code), STAFF_LABEL]
        if authz.check_config_permission("allow_dataset_collaborators"):
            labels.append(f"collaborator-{dataset_obj.id}")
        if dataset_obj.owner_org:
            labels.append(f"member-{dataset_obj.owner_org}")
        else:
            labels.append(f"creator-{dataset_obj.creator_user_id}")
        return labels

    def get_user_dataset_labels(self, user_obj: model.User | None) -> list[str]:
        labels = super().get_user_dataset_labels(user_obj)
        if not user_obj or user_obj.is_anonymous:
            return labels
        labels.extend(licence_label(code) for code in user_licence_grants(user_obj.id))
        if is_staff(user_obj.id):
            labels.append(STAFF_LABEL)
        return labels
