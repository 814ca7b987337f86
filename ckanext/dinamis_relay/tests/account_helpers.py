"""Building blocks of the account tests: entities with an adhesion written straight through
the model (so these tests do not depend on the adhesion actions), people in each role."""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.dinamis_relay.model import Account, Adhesion, AuditEvent

from . import factories as f

# Run an action as a user (None: anonymous), with a fresh context as a request would.
call = f.call_action


def make_adhesion(
    organization_id: str,
    *,
    mode: str = "classic",
    state: str = "accepted",
    referent: dict[str, Any] | None = None,
    email_domains: list[str] | None = None,
) -> Adhesion:
    """The organization's current adhesion, replacing any previous current one."""
    for previous in model.Session.query(Adhesion).filter_by(
        organization_id=organization_id, is_current=True
    ):
        previous.is_current = False
    model.Session.flush()
    adhesion = Adhesion(
        organization_id=organization_id,
        is_current=True,
        mode=mode,
        state=state,
        legal_name="Entity " + organization_id[:8],
        referent_user_id=referent["id"] if referent else None,
        email_domains=list(email_domains or []),
    )
    model.Session.add(adhesion)
    model.Session.commit()
    return adhesion


def entity(
    mode: str = "classic",
    *,
    state: str = "accepted",
    referent: dict[str, Any] | None = None,
    email_domains: list[str] | None = None,
    **org_fields: Any,
) -> dict[str, Any]:
    """An organization with a current adhesion."""
    org = factories.Organization(**org_fields)
    make_adhesion(org["id"], mode=mode, state=state, referent=referent, email_domains=email_domains)
    return org


def staff_org(name: str) -> dict[str, Any]:
    group = model.Group.get(name)
    if group is not None:
        return {"id": group.id, "name": group.name}
    return factories.Organization(name=name)


def super_referent() -> dict[str, Any]:
    user = factories.User()
    _add_member(staff_org("relay")["id"], user["id"], "editor")
    return user


def instructor() -> dict[str, Any]:
    user = factories.User()
    _add_member(staff_org("dinamis")["id"], user["id"], "editor")
    return user


def _add_member(org_id: str, user_id: str, capacity: str) -> None:
    tk.get_action("member_create")(
        {"ignore_auth": True, "user": ""},
        {"id": org_id, "object": user_id, "object_type": "user", "capacity": capacity},
    )


def add_member(org: dict[str, Any], user: dict[str, Any], capacity: str = "member") -> None:
    _add_member(org["id"], user["id"], capacity)


def capacity(org: dict[str, Any], user: dict[str, Any]) -> str | None:
    member = (
        model.Session.query(model.Member)
        .filter_by(table_name="user", table_id=user["id"], group_id=org["id"], state="active")
        .one_or_none()
    )
    return member.capacity if member else None


def account_row(account_id: str) -> Account:
    model.Session.expire_all()
    account = model.Session.get(Account, account_id)
    assert account is not None
    return account


def account_count() -> int:
    return model.Session.query(Account).count()


def events(account_id: str) -> list[AuditEvent]:
    return (
        model.Session.query(AuditEvent)
        .filter_by(object_type="account", object_id=account_id)
        .order_by(AuditEvent.id)
        .all()
    )


def user_email(domain: str = "example.fr") -> str:
    import uuid

    return f"agent-{uuid.uuid4().hex[:8]}@{domain}"
