"""Individual DINAMIS accounts: request, creation on behalf, validation, lifecycle, import.

The lifecycle is declared once in `lifecycle/account.py`; every state change here goes
through `lifecycle.apply` on a locked row (concurrent validations queue up and the second
one is refused by the table), which journals, commits and signals after the commit.

An account created on behalf of a new person is `active` at once (the validator created it)
but its CKAN user is `pending` until the person sets a password from the emailed link; CKAN
activates the user then. Access checks (access.py) require an active CKAN user, so such an
account gives access exactly when the person completes it; `awaiting_password` shows it.
"""

from __future__ import annotations

import datetime
import re
import secrets
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.logic.schema import create_user_for_user_invite_schema
from ckan.types import Context, DataDict

from ... import lifecycle
from ...access.roles import Roles, context_roles
from ...imports import account_csv
from ...lifecycle.account import ACCOUNT
from ...lifecycle.account import may_manage as _may_manage_entity
from ...model import Account, Adhesion, AuditEvent
from ...model import account as states
from ...model.base import make_uuid, utcnow
from ...notifications import account as account_notify
from ...procedure import professional_email
from ..auth.account import CACHE_KEY, get_account
from ..schema import account as schema
from ..schema import validate

OBJECT_TYPE = "account"


# ---------------------------------------------------------------- reading


def _account_select() -> sa.Select:
    """Accounts with what lists show about their person and entity: one query per page."""
    return (
        sa.select(
            Account,
            model.User.name.label("user_name"),
            model.User.fullname.label("user_fullname"),
            model.User.email.label("user_email"),
            model.User.state.label("user_state"),
            model.Group.name.label("organization_name"),
            model.Group.title.label("organization_title"),
            Adhesion.mode.label("adhesion_mode"),
            Adhesion.state.label("adhesion_state"),
        )
        .join(model.User, model.User.id == Account.user_id)
        .join(model.Group, model.Group.id == Account.organization_id)
        .outerjoin(
            Adhesion,
            sa.and_(
                Adhesion.organization_id == Account.organization_id,
                Adhesion.is_current.is_(True),
            ),
        )
    )


def _dictize_row(row: Any) -> dict[str, Any]:
    account: Account = row[0]
    data = account.dictize()
    data.update(
        user_name=row.user_name,
        user_fullname=row.user_fullname or row.user_name,
        user_email=row.user_email,
        user_state=row.user_state,
        awaiting_password=row.user_state == model.State.PENDING,
        organization_name=row.organization_name,
        organization_title=row.organization_title or row.organization_name,
        adhesion_mode=row.adhesion_mode,
        adhesion_state=row.adhesion_state,
    )
    return data


def _show(account_id: str) -> dict[str, Any]:
    row = model.Session.execute(_account_select().where(Account.id == account_id)).one()
    return _dictize_row(row)


def _history(account_id: str) -> list[dict[str, Any]]:
    events = model.Session.execute(
        sa.select(AuditEvent, model.User.name)
        .outerjoin(model.User, model.User.id == AuditEvent.user_id)
        .where(AuditEvent.object_type == OBJECT_TYPE, AuditEvent.object_id == account_id)
        .order_by(AuditEvent.id)
    ).all()
    return [dict(event.dictize(), user_name=name) for event, name in events]


def _in_mode(mode: str) -> sa.ColumnElement[bool]:
    """The account's entity has a current adhesion in `mode`: a semi-join, so that a page of
    accounts is chosen without joining them to the adhesions (see account_list)."""
    return Account.organization_id.in_(
        sa.select(Adhesion.organization_id).where(
            Adhesion.is_current.is_(True), Adhesion.mode == mode
        )
    )


def _readable_clause(roles: Roles, *, manageable: bool) -> sa.ColumnElement[bool]:
    """SQL condition for the accounts the caller may read (or, if manageable, manage)."""
    if roles.sysadmin or (roles.instructor and not manageable):
        return sa.true()
    clauses: list[sa.ColumnElement[bool]] = []
    if roles.super_referent:
        clauses.append(_in_mode("relay"))
    if roles.referent_of:
        in_orgs = Account.organization_id.in_(sorted(roles.referent_of))
        clauses.append(sa.and_(in_orgs, _in_mode("classic")) if manageable else in_orgs)
    if not manageable and roles.user_id:
        clauses.append(Account.user_id == roles.user_id)
    return sa.or_(*clauses) if clauses else sa.false()


# ---------------------------------------------------------------- helpers


def _actor(context: Context) -> model.User | None:
    user = context.get("user")
    return model.User.get(user) if user else None


def _organization(reference: str, field: str = "organization_id") -> model.Group:
    group = model.Group.get(reference)
    if group is None or not group.is_organization or group.state != "active":
        raise tk.ValidationError({field: [tk._("No such organization")]})
    return group


def current_adhesion(organization_id: str) -> Adhesion | None:
    return Adhesion.current_for(organization_id)


def may_manage(roles: Roles, adhesion: Adhesion | None) -> bool:
    if adhesion is None:
        return roles.sysadmin
    return _may_manage_entity(roles, adhesion.organization_id, adhesion.mode)


def _accepted_adhesion(organization_id: str, field: str = "organization_id") -> Adhesion:
    adhesion = current_adhesion(organization_id)
    if adhesion is None or not adhesion.within_validity():
        raise tk.ValidationError({field: [tk._("This entity has no accepted DINAMIS adhesion")]})
    return adhesion


def email_domain_mismatch(email: str | None, adhesion: Adhesion | None) -> bool:
    """True when the entity declares email domains and the email is in none of them, or
    when the email is a generic webmail address (professional_email.py).

    Subdomains match (agent@dir.example.fr for example.fr). No declared domain: no check.
    """
    if professional_email.is_generic(email):
        return True
    return professional_email.outside_domains(email, adhesion.email_domains if adhesion else [])


def _domain_blocking() -> bool:
    return tk.asbool(tk.config.get("ckanext.dinamis_relay.account_email_domain_blocking"))


def _check_domain(email: str | None, adhesion: Adhesion, field: str = "email") -> bool:
    mismatch = email_domain_mismatch(email, adhesion)
    if mismatch and _domain_blocking():
        messages = []
        if professional_email.is_generic(email):
            messages.append(professional_email.generic_message(email))
        if professional_email.outside_domains(email, adhesion.email_domains):
            messages.append(
                tk._("The email domain is not among the entity's domains ({domains})").format(
                    domains=", ".join(adhesion.email_domains)
                )
            )
        raise tk.ValidationError({field: messages})
    return mismatch


def _live_account(user_id: str, organization_id: str) -> Account | None:
    return model.Session.execute(
        sa.select(Account).where(
            Account.user_id == user_id,
            Account.organization_id == organization_id,
            Account.state.not_in(states.FINAL_STATES),
        )
    ).scalar_one_or_none()


def _unique_email_states() -> list[str]:
    """User states among which an email address must be unique, as CKAN's `email_is_unique`
    checks: `ckan.user.unique_email_states` (CKAN 2.12), only active users on CKAN 2.11,
    which has no such option."""
    states = tk.config.get("ckan.user.unique_email_states") or ["active"]
    return states.split() if isinstance(states, str) else list(states)


def _user_by_email(email: str) -> model.User | None:
    return model.Session.execute(
        sa.select(model.User)
        .where(
            sa.func.lower(model.User.email) == email.lower(),
            model.User.state.in_(_unique_email_states()),
        )
        .limit(1)
    ).scalar_one_or_none()


def _active_capacity(user_id: str, organization_id: str) -> str | None:
    return model.Session.execute(
        sa.select(model.Member.capacity).where(
            model.Member.table_name == "user",
            model.Member.table_id == user_id,
            model.Member.group_id == organization_id,
            model.Member.state == "active",
        )
    ).scalar()


def _valid_until(today: datetime.date | None = None) -> datetime.date:
    today = today or datetime.date.today()
    years = tk.config.get("ckanext.dinamis_relay.account_validity_years") or 1
    try:
        return today.replace(year=today.year + years)
    except ValueError:  # 29 February
        return today.replace(year=today.year + years, day=28)


def _apply(
    context: Context,
    account: Account,
    name: str,
    data_dict: DataDict | None = None,
    *,
    email: str | None,
    commit: bool = True,
    **kwargs: Any,
) -> str | None:
    """`lifecycle.apply` for accounts: the caller's id, and the person's email (`email`
    names the message of `account_notify.send_to_person`) written into the outbox in the
    transition's transaction."""
    kwargs.setdefault("actor_id", _actor_id(context))

    def follow(account: Account) -> None:
        if email == "request_received":
            account_notify.email(model.Session, "send_request_received", account.id)
        elif email:
            account_notify.email(model.Session, "send_to_person", account.id, email)

    return lifecycle.apply(
        context, ACCOUNT, account, name, data_dict, follow=follow, commit=commit, **kwargs
    )


def _actor_id(context: Context) -> str | None:
    return context_roles(context).user_id


def _locked_for(context: Context, action: str, data_dict: DataDict) -> Account:
    """The account by id, locked, after auth for `action` (a refusal releases the lock)."""
    account = lifecycle.lock_or_404(
        context, Account, data_dict.get("id"), tk._("Account not found")
    )
    context[CACHE_KEY] = account
    lifecycle.check_access(context, f"dinamis_relay_account_{action}", data_dict)
    return account


def _grant_membership(account: Account, context: Context) -> None:
    """Give `member` capacity unless the person already has a capacity in the organization."""
    if _active_capacity(account.user_id, account.organization_id) is not None:
        return
    tk.get_action("member_create")(
        {"user": context.get("user", ""), "ignore_auth": True, "defer_commit": True},
        {
            "id": account.organization_id,
            "object": account.user_id,
            "object_type": "user",
            "capacity": "member",
        },
    )
    account.membership_created = True


def remove_plugin_membership(account: Account) -> None:
    """Remove the membership activation created, unless someone raised it since."""
    if not account.membership_created:
        return
    account.membership_created = False
    member = model.Session.execute(
        sa.select(model.Member).where(
            model.Member.table_name == "user",
            model.Member.table_id == account.user_id,
            model.Member.group_id == account.organization_id,
            model.Member.state == "active",
        )
    ).scalar_one_or_none()
    if member is not None and member.capacity == "member":
        member.delete()


def _activate(account: Account, context: Context, actor_id: str | None) -> None:
    _grant_membership(account, context)
    account.valid_until = _valid_until()
    account.reminder_sent_at = None
    account.validated_by = actor_id
    account.validated_at = utcnow()


def _inserted(field: str) -> Any:
    """`prepare` of a new account: insert it, turning a race on the one-live-account index
    into a clean error on `field`."""

    def prepare(account: Account) -> None:
        model.Session.add(account)
        try:
            model.Session.flush()
        except sa.exc.IntegrityError:
            raise tk.ValidationError(
                {field: [tk._("There is already a DINAMIS account for this person and entity")]}
            ) from None

    return prepare


def _profile(data_dict: DataDict) -> dict[str, Any]:
    return {name: data_dict.get(name) for name in states.PROFILE_FIELDS}


# ---------------------------------------------------------------- actions


@validate(schema.account_request)
def dinamis_relay_account_request(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Ask for a DINAMIS account with an entity, for oneself.

    :param organization_id: the entity (organization id or name); its adhesion must be accepted
    :param job_title: required
    :param department: optional
    :param phone: optional
    :param intended_use: what the imagery is for, required
    :param accept_terms: must be true (the version accepted is recorded)
    :returns: the account, state ``requested``; the validators are emailed
    """
    tk.check_access("dinamis_relay_account_request", context, data_dict)
    user = _actor(context)
    if user is None:
        raise tk.NotAuthorized(tk._("Log in to request a DINAMIS account"))
    org = _organization(data_dict["organization_id"])
    adhesion = _accepted_adhesion(org.id)
    if _live_account(user.id, org.id) is not None:
        raise tk.ValidationError(
            {
                "organization_id": [
                    tk._("You already have a DINAMIS account or request with this entity")
                ]
            }
        )
    mismatch = _check_domain(user.email, adhesion)
    account = Account(
        id=make_uuid(),
        user_id=user.id,
        organization_id=org.id,
        adhesion_id=adhesion.id,
        terms_version=tk.config.get("ckanext.dinamis_relay.account_terms_version"),
        terms_accepted_at=utcnow(),
        email_domain_mismatch=mismatch,
        membership_created=False,
        created_by=user.id,
        **_profile(data_dict),
    )
    _apply(
        context,
        account,
        "request",
        data_dict,
        actor_id=user.id,
        prepare=_inserted("organization_id"),
        email="request_received",
    )
    return _show(account.id)


def _username_from_email(email: str) -> str:
    base = re.sub(r"[^a-z0-9_-]", "-", email.split("@")[0].lower()).strip("-")[:60] or "user"
    base = base if len(base) >= 2 else f"{base}-user"
    name = base
    while model.User.get(name) is not None:
        name = f"{base}-{secrets.token_hex(3)}"
    return name


def _check_new_person(email: str | None, field: str = "email") -> None:
    if not email:
        raise tk.ValidationError(
            {field: [tk._("Give the email of the person, or an existing user")]}
        )
    existing = _user_by_email(email)
    if existing is not None:
        raise tk.ValidationError(
            {
                field: [
                    tk._(
                        "This email is already used by the user {name}: create the account "
                        "for that user instead"
                    ).format(name=existing.name)
                ]
            }
        )


def _create_pending_user(context: Context, email: str, fullname: str | None) -> model.User:
    """A CKAN user without password, `pending` until the person sets one from the email."""
    user_dict = tk.get_action("user_create")(
        {
            "user": context.get("user", ""),
            "ignore_auth": True,
            "defer_commit": True,
            "schema": create_user_for_user_invite_schema(),
        },
        {
            "name": _username_from_email(email),
            "email": email,
            "fullname": fullname or "",
            "state": model.State.PENDING,
        },
    )
    user = model.User.get(user_dict["id"])
    assert user is not None
    return user


def _create_account(
    context: Context,
    actor_id: str | None,
    org: model.Group,
    adhesion: Adhesion,
    user: model.User,
    profile: dict[str, Any],
    mismatch: bool,
    invited: bool,
) -> Account:
    """A new active account in the session (committed by the caller), its email queued for
    after the commit."""
    account = Account(
        id=make_uuid(),
        user_id=user.id,
        organization_id=org.id,
        adhesion_id=adhesion.id,
        email_domain_mismatch=mismatch,
        membership_created=False,
        created_by=actor_id,
        **profile,
    )

    def prepare(account: Account) -> None:
        _inserted("user")(account)
        _activate(account, context, actor_id)

    _apply(
        context,
        account,
        "create",
        actor_id=actor_id,
        prepare=prepare,
        email="invited" if invited else "validated",
        commit=False,
    )
    return account


@validate(schema.account_create)
def dinamis_relay_account_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Open an active account on behalf of a person (entity referent or super-referent).

    :param organization_id: the entity; its adhesion must be accepted
    :param user: an existing CKAN user (name or id), or else
    :param email: the email of a new person (must not belong to an existing user)
    :param fullname: the new person's name
    :param job_title, department, phone, intended_use: as for account_request
    :returns: the account, ``active``. A new person's CKAN user is ``pending`` and receives an
        email with a link to set their password, which activates it.
    """
    tk.check_access("dinamis_relay_account_create", context, data_dict)
    actor = _actor(context)
    org = _organization(data_dict["organization_id"])
    adhesion = _accepted_adhesion(org.id)
    user: model.User | None = None
    if data_dict.get("user"):
        user = model.User.get(data_dict["user"])
        if user is None or user.state == "deleted":
            raise tk.ValidationError({"user": [tk._("No such user")]})
        if _live_account(user.id, org.id) is not None:
            raise tk.ValidationError(
                {"user": [tk._("This user already has a DINAMIS account with this entity")]}
            )
        email = user.email
    else:
        email = data_dict.get("email")
        _check_new_person(email)
    mismatch = _check_domain(email, adhesion)
    invited = user is None
    actor_id = actor.id if actor else None
    try:
        if user is None:
            user = _create_pending_user(context, email or "", data_dict.get("fullname"))
        account = _create_account(
            context, actor_id, org, adhesion, user, _profile(data_dict), mismatch, invited
        )
    except Exception:
        model.Session.rollback()
        raise
    lifecycle.finish(context)
    return _show(account.id)


@validate(schema.account_id)
def dinamis_relay_account_validate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Validate a requested account: it becomes active and grants CKAN membership.

    :param id: the account
    """
    account = _locked_for(context, "validate", data_dict)
    actor_id = _actor_id(context)

    def prepare(account: Account) -> None:
        adhesion = _accepted_adhesion(account.organization_id, field="state")
        user = model.User.get(account.user_id)
        # The email may have changed since the request: check it as it is now.
        account.email_domain_mismatch = _check_domain(user.email if user else None, adhesion)
        _activate(account, context, actor_id)

    _apply(context, account, "validate", data_dict, prepare=prepare, email="validated")
    return _show(account.id)


@validate(schema.account_refuse)
def dinamis_relay_account_refuse(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Refuse a requested account.

    :param id: the account
    :param reason: required, sent to the person
    """
    account = _locked_for(context, "refuse", data_dict)

    def prepare(account: Account) -> None:
        account.refusal_reason = data_dict["reason"]

    _apply(
        context,
        account,
        "refuse",
        data_dict,
        prepare=prepare,
        comment=data_dict["reason"],
        email="refused",
    )
    return _show(account.id)


@validate(schema.account_with_comment)
def dinamis_relay_account_suspend(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Suspend an active account: access stops at once, and so does the CKAN membership
    activation created (it comes back on reactivation).

    :param id: the account
    :param reason: optional
    """
    account = _locked_for(context, "suspend", data_dict)
    _apply(
        context,
        account,
        "suspend",
        data_dict,
        prepare=remove_plugin_membership,
        comment=data_dict.get("reason"),
        email="suspended",
    )
    return _show(account.id)


@validate(schema.account_with_comment)
def dinamis_relay_account_reactivate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Reactivate a suspended account, or renew an expired one (new validity period).

    :param id: the account
    :param reason: optional comment
    """
    account = _locked_for(context, "reactivate", data_dict)
    actor_id = _actor_id(context)
    name = "renew" if account.state == states.EXPIRED else "reactivate"

    def prepare(account: Account) -> None:
        if name == "renew":
            _activate(account, context, actor_id)
        else:
            _grant_membership(account, context)

    _apply(
        context,
        account,
        name,
        data_dict,
        prepare=prepare,
        comment=data_dict.get("reason"),
        email="reactivated",
    )
    return _show(account.id)


def close_account(
    context: Context,
    account: Account,
    action: str = "close",
    comment: str | None = None,
    remove_membership: bool = True,
    email: str | None = "closed",
) -> str | None:
    """Close in the current transaction without committing (also used by the membership
    sync, whose CKAN action commits)."""
    return _apply(
        context,
        account,
        action,
        prepare=remove_plugin_membership if remove_membership else None,
        comment=comment,
        email=email,
        commit=False,
    )


@validate(schema.account_with_comment)
def dinamis_relay_account_close(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Close an account (validators, or the person themself).

    Removes the CKAN membership only if activation created it.

    :param id: the account
    :param reason: optional
    """
    account = _locked_for(context, "close", data_dict)
    close_account(context, account, comment=data_dict.get("reason"))
    lifecycle.finish(context)
    return _show(account.id)


@tk.side_effect_free
@validate(schema.account_id)
def dinamis_relay_account_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One account with its person, entity and history (audit events).

    :param id: the account
    """
    tk.check_access("dinamis_relay_account_show", context, data_dict)
    account = get_account(context, data_dict)
    data = _show(account.id)
    data["history"] = _history(account.id)
    roles = context_roles(context)
    adhesion = current_adhesion(account.organization_id)
    data["can_manage"] = may_manage(roles, adhesion)
    # What the caller may do now, from the lifecycle table: the page shows these buttons.
    data["actions"] = ACCOUNT.allowed(roles, account)
    data["entity_email_domains"] = list(adhesion.email_domains or []) if adhesion else []
    data["email_generic"] = professional_email.is_generic(data.get("user_email"))
    return data


@tk.side_effect_free
@validate(schema.account_list)
def dinamis_relay_account_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Accounts the caller may see, newest first, paged.

    :param organization_id: only this entity
    :param state: only this state
    :param q: search in user name, full name and email
    :param mine: only the caller's own accounts
    :param manageable: only accounts the caller may validate and manage (their queue with
        ``state=requested``)
    :param email_domain_mismatch: only (true) or never (false) flagged accounts
    :param limit: 1 to ``ckanext.dinamis_relay.list_max_limit`` (default 20); :param offset:
    :returns: ``{"count", "results"}``; three queries whatever the page size
    """
    tk.check_access("dinamis_relay_account_list", context, data_dict)
    roles = context_roles(context)
    if data_dict["mine"]:
        where = [Account.user_id == (roles.user_id or "")]
    else:
        where = [_readable_clause(roles, manageable=data_dict["manageable"])]
    if data_dict.get("organization_id"):
        org = model.Group.get(data_dict["organization_id"])
        where.append(Account.organization_id == (org.id if org else ""))
    if data_dict.get("state"):
        where.append(Account.state == data_dict["state"])
    if "email_domain_mismatch" in data_dict:
        where.append(Account.email_domain_mismatch.is_(data_dict["email_domain_mismatch"]))
    search = bool(data_dict.get("q"))
    if search:
        pattern = "%{}%".format(
            data_dict["q"].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        )
        where.append(
            sa.or_(
                model.User.name.ilike(pattern),
                model.User.fullname.ilike(pattern),
                model.User.email.ilike(pattern),
            )
        )
    # Count and choose the page on the account table alone (joined to the user only to
    # search), then fetch the page's full rows by id: at 50,000 accounts a deep page walks
    # the list's index (migration 0006) instead of sorting every visible account with its
    # person, entity and adhesion. Three queries whatever the page size.
    lean = sa.select(Account.id).where(*where)
    if search:
        lean = lean.join(model.User, model.User.id == Account.user_id)
    count = model.Session.execute(
        lean.with_only_columns(sa.func.count(), maintain_column_froms=True)
    ).scalar_one()
    limit, offset = data_dict["limit"], data_dict["offset"]
    ids = (
        model.Session.execute(
            lean.order_by(Account.created.desc(), Account.id).limit(limit).offset(offset)
        )
        .scalars()
        .all()
    )
    rows = model.Session.execute(_account_select().where(Account.id.in_(ids))).all() if ids else []
    position = {account_id: index for index, account_id in enumerate(ids)}
    rows.sort(key=lambda row: position[row[0].id])
    return {"count": count, "results": [_dictize_row(row) for row in rows]}


# ---------------------------------------------------------------- import


def _import_rows(data_dict: DataDict) -> list[tuple[int, dict[str, str]]]:
    try:
        if data_dict.get("upload") not in (None, ""):
            raw: bytes | str = account_csv.read_upload(data_dict["upload"])
        elif data_dict.get("csv"):
            raw = data_dict["csv"]
        else:
            raise account_csv.CsvError(tk._("Give a CSV file (upload) or its text (csv)"))
        return account_csv.parse(raw)
    except account_csv.CsvError as error:
        raise tk.ValidationError({"csv": [str(error)]}) from None


def _check_row(
    context: Context,
    roles: Roles,
    row: dict[str, str],
    default_org: model.Group | None,
    seen_emails: set[str],
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Validate one CSV row without writing anything; returns (clean data, errors)."""
    data, errors = tk.navl_validate(
        {k: v for k, v in row.items() if v != ""},
        {
            "email": [schema.required_text(254), tk.get_validator("email_validator")],
            "fullname": [schema.required_text(200)],
            "organization": [schema.optional_text(200)],
            **schema._profile(),
        },
        context,
    )
    errors = {k: v for k, v in errors.items() if v}
    org = default_org
    if "organization" in data:
        group = model.Group.get(data["organization"])
        org = group if group is not None and group.is_organization else None
        if org is None:
            errors.setdefault("organization", []).append(tk._("No such organization"))
    elif org is None:
        errors.setdefault("organization", []).append(tk._("Missing value"))
    if org is not None:
        adhesion = current_adhesion(org.id)
        if not may_manage(roles, adhesion):
            errors.setdefault("organization", []).append(
                tk._("You do not manage the DINAMIS accounts of this entity")
            )
        elif adhesion is None or adhesion.state != "accepted":
            errors.setdefault("organization", []).append(
                tk._("This entity has no accepted DINAMIS adhesion")
            )
        else:
            data["_org"], data["_adhesion"] = org, adhesion
    email = data.get("email")
    if email and "email" not in errors:
        if email.lower() in seen_emails:
            errors.setdefault("email", []).append(tk._("This email appears twice in the file"))
        seen_emails.add(email.lower())
        try:
            _check_new_person(email)
            if "_adhesion" in data:
                data["_mismatch"] = _check_domain(email, data["_adhesion"])
        except tk.ValidationError as error:
            for message in error.error_dict.get("email", []):
                errors.setdefault("email", []).append(str(message))
    return data, errors


@validate(schema.account_import)
def dinamis_relay_account_import(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Create accounts (and pending CKAN users) from a CSV file: all rows or none.

    Columns: email, fullname, job_title, intended_use (required), department, phone,
    organization (optional; required when ``organization_id`` is not given). UTF-8, comma or
    semicolon separated.

    :param organization_id: the entity of every row without an ``organization`` cell
    :param upload: the CSV file, or
    :param csv: its text
    :param dry_run: only check the rows
    :returns: ``{"created": n, "accounts": [...]}``; errors come back per row number as
        ``ValidationError({"rows": ["Row 3: email: ..."]})`` and nothing is created.
    """
    tk.check_access("dinamis_relay_account_import", context, data_dict)
    roles = context_roles(context)
    default_org = (
        _organization(data_dict["organization_id"]) if data_dict.get("organization_id") else None
    )
    rows = _import_rows(data_dict)
    checked: list[tuple[int, dict[str, Any]]] = []
    messages: list[str] = []
    seen: set[str] = set()
    for line, row in rows:
        data, errors = _check_row(context, roles, row, default_org, seen)
        for field, field_errors in sorted(errors.items()):
            for message in field_errors:
                messages.append(
                    tk._("Row {row}: {field}: {message}").format(
                        row=line, field=field, message=message
                    )
                )
        checked.append((line, data))
    if messages:
        raise tk.ValidationError({"rows": messages})
    if data_dict["dry_run"]:
        return {"created": 0, "rows": len(checked), "dry_run": True, "accounts": []}

    actor = _actor(context)
    actor_id = actor.id if actor else None
    created: list[Account] = []
    inner: Context = dict(context, defer_commit=True)
    line = 0
    try:
        for row_line, data in checked:
            line = row_line  # named in the error if this row fails
            user = _create_pending_user(inner, data["email"], data.get("fullname"))
            created.append(
                _create_account(
                    inner,
                    actor_id,
                    data["_org"],
                    data["_adhesion"],
                    user,
                    _profile(data),
                    data.get("_mismatch", False),
                    invited=True,
                )
            )
    except tk.ValidationError as error:
        # Checked above, so only a race lands here; still, undo every row and say which.
        model.Session.rollback()
        raise tk.ValidationError(
            {
                "rows": [
                    tk._("Row {row}: {field}: {message}").format(
                        row=line, field=field, message=message
                    )
                    for field, message in error.error_summary.items()
                ]
            }
        ) from None
    except Exception:
        # One failure undoes every row: the transaction was never committed.
        model.Session.rollback()
        raise
    # One commit for every row; each person's invitation and signal follow it.
    lifecycle.finish(context)
    return {
        "created": len(created),
        "rows": len(checked),
        "dry_run": False,
        "accounts": [account.id for account in created],
    }


# ---------------------------------------------------------------- validity


@validate(schema.account_expire)
def dinamis_relay_account_expire(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Expire active accounts past their validity; email reminders before the end.

    Run daily by ``ckan dinamis-relay expire``. Sysadmins only. Access already stops at the
    end of validity (access.py); this records the state and tells the person.

    :param dry_run: only list what would change
    :returns: ``{"expired": [ids], "reminded": [ids]}``
    """
    tk.check_access("dinamis_relay_account_expire", context, data_dict)
    today = datetime.date.today()
    reminder_days = tk.config.get("ckanext.dinamis_relay.reminder_days") or 0
    due_query = sa.select(Account).where(
        Account.state == states.ACTIVE, Account.valid_until < today
    )
    remind_query = sa.select(Account).where(
        Account.state == states.ACTIVE,
        Account.valid_until >= today,
        Account.valid_until <= today + datetime.timedelta(days=reminder_days),
        Account.reminder_sent_at.is_(None),
    )
    if not data_dict["dry_run"]:
        # Two runs at once (several job hosts) each take different rows.
        due_query = due_query.with_for_update(skip_locked=True)
        remind_query = remind_query.with_for_update(skip_locked=True)
    due = model.Session.execute(due_query).scalars().all()
    to_remind = model.Session.execute(remind_query).scalars().all()
    result = {"expired": [a.id for a in due], "reminded": [a.id for a in to_remind]}
    if data_dict["dry_run"]:
        return result
    for account in due:
        _apply(
            context,
            account,
            "expire",
            data_dict,
            comment=tk._("End of validity"),
            email="expired",
            commit=False,
        )
    now = utcnow()
    for account in to_remind:
        account.reminder_sent_at = now
        account_notify.email(model.Session, "send_to_person", account.id, "reminder")
    lifecycle.finish(context)
    return result


__all__ = [
    "dinamis_relay_account_close",
    "dinamis_relay_account_create",
    "dinamis_relay_account_expire",
    "dinamis_relay_account_import",
    "dinamis_relay_account_list",
    "dinamis_relay_account_reactivate",
    "dinamis_relay_account_refuse",
    "dinamis_relay_account_request",
    "dinamis_relay_account_show",
    "dinamis_relay_account_suspend",
    "dinamis_relay_account_validate",
]
