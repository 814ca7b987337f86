"""Test data of the global view: entities, accounts, requests and downloads written straight
through the models (fast, and independent of the other concerns' actions)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import uuid
from collections.abc import Iterator
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.tests import factories

from ckanext.dinamis_relay.model import (
    Account,
    DownloadEvent,
    ImageryRequest,
)
from ckanext.dinamis_relay.model.base import utcnow

from . import factories as f

# Run an action as a user (None: anonymous), with a fresh context as a request would.
call = f.call_action

SQUARE = f.SQUARE


def staff_member(org_name: str, capacity: str = "editor") -> dict[str, Any]:
    user = factories.User()
    group = model.Group.get(org_name)
    if group is None:
        factories.Organization(name=org_name, users=[{"name": user["name"], "capacity": capacity}])
    else:
        member = model.Member(
            group_id=group.id,
            table_id=user["id"],
            table_name="user",
            capacity=capacity,
            state="active",
        )
        model.Session.add(member)
        model.Session.commit()
    return user


def account(
    org: dict[str, Any], state: str = "active", user: dict[str, Any] | None = None
) -> tuple[dict[str, Any], Account]:
    user = user or factories.User()
    row = Account(
        user_id=user["id"],
        organization_id=org["id"],
        state=state,
        validated_at=utcnow() if state not in ("requested", "refused") else None,
    )
    model.Session.add(row)
    model.Session.commit()
    return user, row


def imagery_request(
    user: dict[str, Any], org: dict[str, Any], state: str = "submitted", reviewer: str = "relay"
) -> ImageryRequest:
    today = datetime.date.today()
    row = ImageryRequest(
        user_id=user["id"],
        organization_id=org["id"],
        title="Suivi du trait de côte",
        area=SQUARE,
        area_km2=87.0,
        period_start=today,
        period_end=today + datetime.timedelta(days=30),
        sensor="pleiades",
        max_cloud_cover=10,
        max_viewing_angle=20,
        acquisition_mode="archive",
        intended_use="Érosion",
        state=state,
        reviewer=reviewer,
        submitted_at=utcnow() if state != "draft" else None,
        forwarded_at=utcnow() if state == "forwarded" else None,
        number=f"IMG-2026-{uuid.uuid4().hex[:8]}" if state != "draft" else None,
    )
    model.Session.add(row)
    model.Session.commit()
    return row


def downloads(user: dict[str, Any], org: dict[str, Any] | None, count: int, **fields: Any) -> None:
    for _ in range(count):
        model.Session.add(
            DownloadEvent(
                user_id=user["id"],
                organization_id=org["id"] if org else None,
                dataset_id="dataset",
                resource_id="resource",
                licence="dinamis-pleiades",
                **fields,
            )
        )
    model.Session.commit()


@dataclasses.dataclass
class World:
    super_referent: dict[str, Any]
    instructor: dict[str, Any]
    sysadmin: dict[str, Any]
    referent: dict[str, Any]  # of the classic entity
    outsider: dict[str, Any]
    relay_entity: dict[str, Any]
    classic_entity: dict[str, Any]
    other_classic_entity: dict[str, Any]
    requester: dict[str, Any]

    def roles(self) -> dict[str, dict[str, Any] | None]:
        return {
            "anonymous": None,
            "outsider": self.outsider,
            "requester": self.requester,
            "referent": self.referent,
            "super_referent": self.super_referent,
            "instructor": self.instructor,
            "sysadmin": self.sysadmin,
        }


def world() -> World:
    """Two accepted entities (relay, classic) with accounts, requests and downloads, a classic
    entity of another referent, a relay draft without check and a pending application."""
    super_referent = staff_member(tk.config["ckanext.dinamis_relay.relay_organization"])
    instructor = staff_member(tk.config["ckanext.dinamis_relay.dinamis_organization"])
    referent = factories.User(fullname="Référente SIG")
    relay_entity, _ = f.entity("relay", entity_type="epci_cc", department="33")
    classic_entity, _ = f.entity("classic", referent=referent, department="64")
    other, _ = f.entity("classic", referent=factories.User(), department="40")
    f.entity("relay", "draft", title="Commune brouillon")
    f.entity("relay", "pending_instruction", checked=True)
    requester, _ = account(relay_entity, "active")
    account(relay_entity, "requested")
    account(relay_entity, "suspended")
    classic_user, _ = account(classic_entity, "active")
    account(classic_entity, "requested")
    account(other, "active")
    imagery_request(requester, relay_entity, "submitted", "relay")
    imagery_request(requester, relay_entity, "draft", "relay")
    imagery_request(classic_user, classic_entity, "in_review", "referent")
    imagery_request(classic_user, classic_entity, "forwarded", "referent")
    downloads(requester, relay_entity, 3)
    downloads(classic_user, classic_entity, 2)
    return World(
        super_referent=super_referent,
        instructor=instructor,
        sysadmin=factories.Sysadmin(),
        referent=referent,
        outsider=factories.User(),
        relay_entity=relay_entity,
        classic_entity=classic_entity,
        other_classic_entity=other,
        requester=requester,
    )


@contextlib.contextmanager
def count_queries() -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    statements: list[str] = []

    def listener(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = model.Session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
