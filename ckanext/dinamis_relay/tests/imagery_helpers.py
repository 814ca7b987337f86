"""Test data of the services tests (labels, downloads, imagery requests).

Adhesions, acceptances and accounts are written straight through the models, so these tests
depend only on the tables, not on the adhesion or account actions.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import factory
import sqlalchemy as sa
from ckan.tests import factories

from ckanext.dinamis_relay.model import (
    Account,
    Adhesion,
    AuditEvent,
    DownloadEvent,
    ImageryRequest,
    ImageryRequestComment,
)

from . import factories as f

# Run an action as a user (None: anonymous), with a fresh context as a request would.
call = f.call_action

SPOT = "dinamis-spot67"
PLEIADES = "dinamis-pleiades"
PASSWORD = "Imagery-pass-2026"

SQUARE = f.SQUARE
BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[-0.6, 44.8], [-0.5, 44.9], [-0.5, 44.8], [-0.6, 44.9], [-0.6, 44.8]]],
}


def staff_member(org_name: str, capacity: str = "editor") -> dict[str, Any]:
    user = factories.User(password=PASSWORD)
    group = model.Group.get(org_name)
    if group is None:
        factories.Organization(name=org_name, users=[{"name": user["name"], "capacity": capacity}])
    else:
        sysadmin = factories.Sysadmin()
        call(
            "organization_member_create",
            sysadmin,
            id=group.id,
            username=user["name"],
            role=capacity,
        )
    return user


def account(user: dict[str, Any], org: dict[str, Any], state: str = "active") -> Account:
    """An account row in `state`, with the CKAN membership an activation gives (access
    needs both)."""
    row = Account(
        user_id=user["id"], organization_id=org["id"], state=state, membership_created=True
    )
    model.Session.add(row)
    model.Session.commit()
    tk.get_action("member_create")(
        {"ignore_auth": True},
        {"id": org["id"], "object": user["id"], "object_type": "user", "capacity": "member"},
    )
    return row


def set_account_state(row: Account, state: str) -> None:
    row = model.Session.merge(row)
    row.state = state
    model.Session.commit()


def set_adhesion_state(adhesion: Adhesion, state: str) -> None:
    adhesion = model.Session.merge(adhesion)
    adhesion.state = state
    model.Session.commit()


@dataclasses.dataclass
class World:
    """Every role around imagery requests: a relay-mode and a classic-mode entity."""

    super_referent: dict[str, Any]
    instructor: dict[str, Any]
    sysadmin: dict[str, Any]
    relay_entity: dict[str, Any]
    classic_entity: dict[str, Any]
    referent: dict[str, Any]  # of the classic entity
    requester: dict[str, Any]  # active account with the relay entity
    classic_requester: dict[str, Any]  # active account with the classic entity
    suspended: dict[str, Any]  # suspended account with the relay entity
    outsider: dict[str, Any]  # logged in, no account

    def roles(self) -> dict[str, dict[str, Any] | None]:
        return {
            "anonymous": None,
            "outsider": self.outsider,
            "suspended": self.suspended,
            "requester": self.requester,
            "classic_requester": self.classic_requester,
            "referent": self.referent,
            "super_referent": self.super_referent,
            "instructor": self.instructor,
            "sysadmin": self.sysadmin,
        }


def world() -> World:
    super_referent = staff_member(tk.config["ckanext.dinamis_relay.relay_organization"])
    instructor = staff_member(tk.config["ckanext.dinamis_relay.dinamis_organization"])
    referent = factories.User(password=PASSWORD, fullname="Référente SIG")
    relay_entity, _ = f.entity("relay")
    classic_entity, _ = f.entity("classic", referent=referent)
    requester = factories.User(password=PASSWORD, fullname="Camille Demandeuse")
    account(requester, relay_entity)
    classic_requester = factories.User(password=PASSWORD)
    account(classic_requester, classic_entity)
    suspended = factories.User(password=PASSWORD)
    account(suspended, relay_entity, state="suspended")
    return World(
        super_referent=super_referent,
        instructor=instructor,
        sysadmin=factories.Sysadmin(password=PASSWORD),
        relay_entity=relay_entity,
        classic_entity=classic_entity,
        referent=referent,
        requester=requester,
        classic_requester=classic_requester,
        suspended=suspended,
        outsider=factories.User(password=PASSWORD),
    )


def request_data(**overrides: Any) -> dict[str, Any]:
    """The fields of ImageryRequestFactory, as a dict to send."""
    return factory.build(dict, FACTORY_CLASS=f.ImageryRequestFactory, **overrides)


def snapshot() -> dict[str, list[tuple]]:
    """Every row of the services tables: compare before and after refused input."""
    model.Session.rollback()
    model.Session.expire_all()
    result = {}
    for mapped in (ImageryRequest, ImageryRequestComment, AuditEvent, DownloadEvent):
        table = mapped.__table__
        rows = model.Session.execute(sa.select(table)).all()
        result[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return result
