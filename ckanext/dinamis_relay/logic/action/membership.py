"""Keeping accounts in step with CKAN membership, whatever path removes a member.

Core actions are chained: member_delete (which organization_member_delete and
group_member_delete call), organization_update (and organization_patch, which calls it) when
it carries a `users` list, and user_delete. The account is closed in the same transaction as
the membership change, with an audit event `membership_removed`.
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.lib.dictization import model_dictize
from ckan.types import Action, Context, DataDict

from ... import signals
from ...model import Account
from ...model import account as states
from .account import close_account

# Accounts that a lost membership closes. A pending request is left for its validator, who
# may still validate it (which grants membership again) or refuse it.
CLOSABLE = (states.ACTIVE, states.SUSPENDED, states.EXPIRED)

Closed = list[tuple[Account, str | None, str | None]]


def _actor_id(context: Context) -> str | None:
    user = model.User.get(context.get("user") or "") if context.get("user") else None
    return user.id if user else None


def _stage_closures(
    user_ids: set[str],
    organization_id: str | None,
    actor_id: str | None,
    comment: str,
    closable: tuple[str, ...] = CLOSABLE,
) -> Closed:
    """Close (in the session, uncommitted) the accounts of these users, in one organization
    or in all of them; the membership itself is being removed by CKAN."""
    if not user_ids:
        return []
    query = sa.select(Account).where(
        Account.user_id.in_(sorted(user_ids)), Account.state.in_(closable)
    )
    if organization_id is not None:
        query = query.where(Account.organization_id == organization_id)
    closed: Closed = []
    for account in model.Session.execute(query).scalars():
        from_state = close_account(
            account,
            actor_id,
            action="membership_removed",
            comment=comment,
            remove_membership=False,
        )
        closed.append((account, from_state, actor_id))
    return closed


def _send_signals(closed: Closed) -> None:
    for account, from_state, actor_id in closed:
        signals.account_transition.send(
            account.id,
            action="membership_removed",
            from_state=from_state,
            to_state=account.state,
            user_id=actor_id,
        )


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


@tk.chained_action
def member_delete(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    group = model.Group.get(data_dict.get("id") or "") if data_dict.get("id") else None
    user = (
        model.User.get(data_dict.get("object") or "")
        if data_dict.get("object_type") == "user" and data_dict.get("object")
        else None
    )
    if group is None or user is None or not group.is_organization:
        return next_action(context, data_dict)
    # Core checks this too, but only after we would have staged the closures.
    tk.check_access("member_delete", context, data_dict)
    if not _is_member(user.id, group.id):
        return next_action(context, data_dict)
    closed = _stage_closures(
        {user.id}, group.id, _actor_id(context), tk._("Removed from the organization")
    )
    try:
        result = next_action(context, data_dict)  # commits the closures with the removal
    except Exception:
        model.Session.rollback()
        raise
    _send_signals(closed)
    return result


def _update_with_users(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    group = model.Group.get(data_dict.get("id") or "") if data_dict.get("id") else None
    if "users" not in data_dict or group is None:
        return next_action(context, data_dict)
    before = _active_member_ids(group.id)
    deferred = context.get("defer_commit")
    context["defer_commit"] = True
    try:
        result = next_action(context, data_dict)
    except Exception:
        model.Session.rollback()
        raise
    finally:
        if deferred is None:
            context.pop("defer_commit", None)
        else:
            context["defer_commit"] = deferred
    model.Session.flush()  # CKAN's session does not autoflush
    removed = before - _active_member_ids(group.id)
    closed = _stage_closures(
        removed, group.id, _actor_id(context), tk._("Removed from the organization's users")
    )
    if not deferred:
        model.repo.commit()
        _send_signals(closed)
        # Core dictized the organization before the flush (its session does not autoflush),
        # so its users were those of before the update; core commits first when not deferred.
        result = model_dictize.group_dictize(context.get("group") or group, context)
    return result


@tk.chained_action
def organization_update(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    # organization_patch goes through organization_update, so it is covered as well.
    return _update_with_users(next_action, context, data_dict)


@tk.chained_action
def user_delete(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    user = model.User.get(data_dict.get("id") or "") if data_dict.get("id") else None
    if user is None:
        return next_action(context, data_dict)
    tk.check_access("user_delete", context, data_dict)
    # A deleted user can hold no account, not even a pending request.
    closed = _stage_closures(
        {user.id},
        None,
        _actor_id(context),
        tk._("User deleted"),
        closable=(states.REQUESTED, *CLOSABLE),
    )
    try:
        result = next_action(context, data_dict)  # commits the closures with the deletion
    except Exception:
        model.Session.rollback()
        raise
    _send_signals(closed)
    return result


__all__ = ["member_delete", "organization_update", "user_delete"]
