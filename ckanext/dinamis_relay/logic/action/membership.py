"""Keeping accounts in step with CKAN membership, whatever path removes a member.

Core actions are chained: member_delete (which organization_member_delete and
group_member_delete call), organization_update and group_update (and their patch actions,
which call them) when they carry a `users` list, organization_delete, organization_purge and
group_purge, and user_delete. The account is closed in the same transaction as the
membership change, with an audit event `membership_removed`; access itself is computed from
the facts at each request (access.py), so it stops even where no hook runs.
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.lib.dictization import model_dictize
from ckan.types import Action, Context, DataDict

from ...model import Account
from ...model import account as states
from ..validators import core_reference
from .account import close_account

# Accounts that a lost membership closes. A pending request is left for its validator, who
# may still validate it (which grants membership again) or refuse it.
CLOSABLE = (states.ACTIVE, states.SUSPENDED, states.EXPIRED)


def _stage_closures(
    context: Context,
    user_ids: set[str] | None,
    organization_id: str | None,
    comment: str,
    closable: tuple[str, ...] = CLOSABLE,
) -> int:
    """Close (in the session, uncommitted, rows locked) the accounts of these users (None:
    of everyone), in one organization or in all of them; CKAN is removing the membership
    itself and commits. Signals follow that commit. Returns how many were closed."""
    if user_ids is not None and not user_ids:
        return 0
    query = sa.select(Account).where(Account.state.in_(closable)).with_for_update()
    if user_ids is not None:
        query = query.where(Account.user_id.in_(sorted(user_ids)))
    if organization_id is not None:
        query = query.where(Account.organization_id == organization_id)
    accounts = list(model.Session.execute(query).scalars())
    system: Context = {**context, "defer_commit": True}
    for account in accounts:
        close_account(
            system,
            account,
            action="membership_removed",
            comment=comment,
            remove_membership=False,
            email=None,
        )
    return len(accounts)


def _active_member_ids(organization_id: str) -> set[str]:
    return set(
        model.Session.execute(
            sa.select(model.Member.table_id).where(
                model.Member.group_id == organization_id,
                model.Member.table_name == "user",
                model.Member.state == "active",
            )
        ).scalars()
    )


def _is_member(user_id: str, organization_id: str) -> bool:
    return user_id in _active_member_ids(organization_id)


def _group(reference: object) -> model.Group | None:
    # Core looks the raw value up too; only a string can name a group.
    return model.Group.get(reference) if isinstance(reference, str) and reference else None


def _user(reference: object) -> model.User | None:
    return model.User.get(reference) if isinstance(reference, str) and reference else None


def _then_commit(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """Run the core action, which commits the staged closures with its own change."""
    try:
        return next_action(context, data_dict)
    except Exception:
        model.Session.rollback()
        raise


@tk.chained_action
def member_delete(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    group_ref = core_reference(data_dict, "id")
    user_ref = core_reference(data_dict, "object")
    group = model.Group.get(group_ref) if group_ref else None
    user = model.User.get(user_ref) if data_dict.get("object_type") == "user" and user_ref else None
    if group is None or user is None or not group.is_organization:
        return next_action(context, data_dict)
    # Core checks this too, but only after we would have staged the closures.
    tk.check_access("member_delete", context, data_dict)
    if not _is_member(user.id, group.id):
        return next_action(context, data_dict)
    _stage_closures(context, {user.id}, group.id, tk._("Removed from the organization"))
    return _then_commit(next_action, context, data_dict)


def _update_with_users(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    group_ref = core_reference(data_dict, "id")
    group = model.Group.get(group_ref) if group_ref else None
    if "users" not in data_dict or group is None or not group.is_organization:
        return next_action(context, data_dict)
    before = _active_member_ids(group.id)
    deferred = context.get("defer_commit")
    context["defer_commit"] = True
    try:
        result = next_action(context, data_dict)
        model.Session.flush()  # CKAN's session does not autoflush
    except Exception:
        model.Session.rollback()
        raise
    finally:
        if deferred is None:
            context.pop("defer_commit", None)
        else:
            context["defer_commit"] = deferred
    removed = before - _active_member_ids(group.id)
    _stage_closures(context, removed, group.id, tk._("Removed from the organization's users"))
    if not deferred:
        model.repo.commit()
        # Core dictized the organization before the flush (its session does not autoflush),
        # so its users were those of before the update; core commits first when not deferred.
        result = model_dictize.group_dictize(context.get("group") or group, context)
    return result


@tk.chained_action
def organization_update(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    # organization_patch goes through organization_update, so it is covered as well.
    return _update_with_users(next_action, context, data_dict)


@tk.chained_action
def group_update(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    # group_update (and group_patch) also accept an organization's id and its users list.
    return _update_with_users(next_action, context, data_dict)


def _organization_gone(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """Deleting or purging an organization closes its people's accounts with it."""
    group = _group(data_dict.get("id"))
    if group is None or not group.is_organization:
        return next_action(context, data_dict)
    _stage_closures(
        context,
        None,
        group.id,
        tk._("The organization was deleted"),
        closable=(states.REQUESTED, *CLOSABLE),
    )
    return _then_commit(next_action, context, data_dict)


@tk.chained_action
def organization_delete(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    return _organization_gone(next_action, context, data_dict)


@tk.chained_action
def organization_purge(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    return _organization_gone(next_action, context, data_dict)


@tk.chained_action
def user_delete(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    user_ref = core_reference(data_dict, "id")
    user = model.User.get(user_ref) if user_ref else None
    if user is None:
        return next_action(context, data_dict)
    tk.check_access("user_delete", context, data_dict)
    # A deleted user can hold no account, not even a pending request.
    _stage_closures(
        context,
        {user.id},
        None,
        tk._("User deleted"),
        closable=(states.REQUESTED, *CLOSABLE),
    )
    return _then_commit(next_action, context, data_dict)


__all__ = [
    "group_update",
    "member_delete",
    "organization_delete",
    "organization_purge",
    "organization_update",
    "user_delete",
]
