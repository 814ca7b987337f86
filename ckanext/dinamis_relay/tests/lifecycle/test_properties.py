"""Stateful property test of the adhesion and account lifecycles against the real database.

Random roles call random lifecycle actions with random data on a few entities; after every
step the invariants below must hold. Bounded for CI (`DINAMIS_RELAY_STATEFUL_EXAMPLES` runs of
`DINAMIS_RELAY_STATEFUL_STEPS` steps, 6 runs of 25 by default); hypothesis prints the failing
sequence and the seed to rerun it (`--hypothesis-seed`).
"""

from __future__ import annotations

import datetime
import itertools
import os
import re
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan.tests import factories
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from ckanext.dinamis_relay.lifecycle import NEW, Lifecycle
from ckanext.dinamis_relay.lifecycle.account import ACCOUNT
from ckanext.dinamis_relay.lifecycle.adhesion import ADHESION
from ckanext.dinamis_relay.model import Account, Adhesion, AuditEvent

from .. import factories as f

EXAMPLES = int(os.environ.get("DINAMIS_RELAY_STATEFUL_EXAMPLES", "6"))
STEPS = int(os.environ.get("DINAMIS_RELAY_STATEFUL_STEPS", "25"))
ENTITIES = 2
ROLES = ("referent", "org_admin", "super_referent", "instructor", "sysadmin", "stranger")
REFUSALS = (tk.NotAuthorized, tk.ValidationError, tk.ObjectNotFound)


def _plugin_rows() -> dict[str, list[tuple]]:
    model.Session.rollback()
    model.Session.expire_all()
    snapshot = {}
    for mapped in (Adhesion, Account, AuditEvent):
        rows = model.Session.execute(sa.select(mapped.__table__)).all()
        snapshot[mapped.__table__.name] = sorted((tuple(r) for r in rows), key=repr)
    return snapshot


class Lifecycles(RuleBasedStateMachine):
    staff: f.Staff

    def __init__(self) -> None:
        super().__init__()
        self.entities: list[dict[str, Any]] = []
        for _ in range(ENTITIES):
            admin = factories.User()
            referent = factories.User()
            person = factories.User()
            org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}])
            self.entities.append(
                {"org": org, "admin": admin, "referent": referent, "person": person}
            )
        self.steps = 0

    # --- helpers

    def _user(self, role: str, entity: dict[str, Any]) -> dict[str, Any] | None:
        return {
            "referent": entity["referent"],
            "org_admin": entity["admin"],
            "super_referent": self.staff.super_referent,
            "instructor": self.staff.instructor,
            "sysadmin": self.staff.sysadmin,
            "stranger": None,
        }[role]

    def _call(self, action: str, user: dict[str, Any] | None, **data: Any) -> None:
        """Run an action; a refusal must leave the plugin's tables exactly as they were."""
        self.steps += 1
        before = _plugin_rows()
        try:
            tk.get_action(action)({"user": user["name"] if user else ""}, data)
        except REFUSALS:
            assert _plugin_rows() == before, f"{action} was refused but changed the database"
        finally:
            model.Session.remove()

    def _adhesion(self, entity: dict[str, Any]) -> Adhesion | None:
        model.Session.expire_all()
        return Adhesion.current_for(entity["org"]["id"])

    # --- adhesion rules

    @rule(
        entity=st.integers(0, ENTITIES - 1),
        role=st.sampled_from(ROLES),
        mode=st.sampled_from(("classic", "relay")),
    )
    def create(self, entity: int, role: str, mode: str) -> None:
        e = self.entities[entity]
        data = f.adhesion_data(referent_user_id=e["referent"]["id"])
        if mode == "relay":
            data["convention_number"] = "CONV-2024-001"
        self._call(
            "dinamis_relay_adhesion_create",
            self._user(role, e),
            organization_id=e["org"]["id"],
            mode=mode,
            **data,
        )

    @rule(
        entity=st.integers(0, ENTITIES - 1),
        role=st.sampled_from(ROLES),
        action=st.sampled_from(
            ("submit", "check_eligibility", "decide", "suspend", "reinstate", "terminate", "renew")
        ),
        decision=st.sampled_from(("accept", "reject", "return")),
        reason=st.sampled_from(("", "Motif")),
        eligible=st.booleans(),
    )
    def adhesion_step(
        self, entity: int, role: str, action: str, decision: str, reason: str, eligible: bool
    ) -> None:
        e = self.entities[entity]
        adhesion = self._adhesion(e)
        if adhesion is None:
            return
        data: dict[str, Any] = {"id": adhesion.id}
        if action == "decide":
            data["decision"] = decision
        if action == "check_eligibility":
            data.update(eligible=eligible, note="Vérifié")
        if reason and action in ("decide", "suspend", "terminate", "reinstate"):
            data["reason"] = reason
        if not reason and action in ("suspend", "terminate"):
            data["reason"] = ""
        self._call(f"dinamis_relay_adhesion_{action}", self._user(role, e), **data)

    @rule(entity=st.integers(0, ENTITIES - 1), accept=st.booleans())
    def legal_answer(self, entity: int, accept: bool) -> None:
        adhesion = self._adhesion(self.entities[entity])
        if adhesion is None or not adhesion.legal_token_nonce:
            return
        self._call(
            "dinamis_relay_adhesion_legal_validate",
            None,
            token=f.legal_token(adhesion.id),
            decision="accept" if accept else "decline",
        )

    @rule(entity=st.integers(0, ENTITIES - 1))
    def validity_ends(self, entity: int) -> None:
        adhesion = self._adhesion(self.entities[entity])
        if adhesion is None or adhesion.state != "accepted":
            return
        adhesion.valid_until = datetime.date.today() - datetime.timedelta(days=1)
        model.Session.commit()
        self._call("dinamis_relay_adhesion_expire", self.staff.sysadmin)

    # --- account rules

    @rule(entity=st.integers(0, ENTITIES - 1))
    def request_account(self, entity: int) -> None:
        e = self.entities[entity]
        self._call(
            "dinamis_relay_account_request",
            e["person"],
            organization_id=e["org"]["id"],
            job_title="Chargé SIG",
            intended_use="Suivi du littoral",
            accept_terms=True,
        )

    @rule(
        entity=st.integers(0, ENTITIES - 1),
        role=st.sampled_from((*ROLES, "person")),
        action=st.sampled_from(("validate", "refuse", "suspend", "reactivate", "close")),
        reason=st.sampled_from(("", "Motif")),
    )
    def account_step(self, entity: int, role: str, action: str, reason: str) -> None:
        e = self.entities[entity]
        model.Session.expire_all()
        account = model.Session.execute(
            sa.select(Account)
            .where(Account.user_id == e["person"]["id"])
            .order_by(Account.created.desc())
            .limit(1)
        ).scalar()
        if account is None:
            return
        user = e["person"] if role == "person" else self._user(role, e)
        data: dict[str, Any] = {"id": account.id}
        if reason:
            data["reason"] = reason
        self._call(f"dinamis_relay_account_{action}", user, **data)

    # --- invariants

    def _events(self, object_type: str) -> dict[str, list[AuditEvent]]:
        org_ids = [e["org"]["id"] for e in self.entities]
        events = model.Session.execute(
            sa.select(AuditEvent)
            .where(AuditEvent.object_type == object_type, AuditEvent.organization_id.in_(org_ids))
            .order_by(AuditEvent.id)
        ).scalars()
        by_object: dict[str, list[AuditEvent]] = {}
        for event in events:
            by_object.setdefault(event.object_id, []).append(event)
        return by_object

    def _check_chains(self, lifecycle: Lifecycle, mapped: Any) -> None:
        for object_id, events in self._events(lifecycle.object_type).items():
            assert events[0].from_state is None, f"{object_id} starts from {events[0].from_state}"
            for previous, event in itertools.pairwise(events):
                assert event.from_state == previous.to_state, (
                    f"broken chain on {object_id}: {previous.action}→{previous.to_state}, "
                    f"then {event.action} from {event.from_state}"
                )
            for event in events:
                if event.action == "reminder":
                    continue
                declared = [t for t in lifecycle.transitions if t.name == event.action]
                assert declared, f"undeclared transition {event.action}"
                if event.from_state is not NEW:
                    rule_ = lifecycle.rule(event.action, event.from_state)
                    assert rule_ is not None, f"{event.action} from {event.from_state}"
                    assert event.to_state == (rule_.to_state or event.from_state)
                else:
                    assert event.to_state in {t.to_state for t in declared}
            row = model.Session.get(mapped, object_id)
            assert row is not None and row.state == events[-1].to_state

    @invariant()
    def audit_chains_are_unbroken_and_declared(self) -> None:
        model.Session.expire_all()
        self._check_chains(ADHESION, Adhesion)
        self._check_chains(ACCOUNT, Account)

    @invariant()
    def membership_follows_accounts(self) -> None:
        for e in self.entities:
            accounts = (
                model.Session.execute(
                    sa.select(Account.state).where(Account.user_id == e["person"]["id"])
                )
                .scalars()
                .all()
            )
            capacity = model.Session.execute(
                sa.select(model.Member.capacity).where(
                    model.Member.table_name == "user",
                    model.Member.table_id == e["person"]["id"],
                    model.Member.group_id == e["org"]["id"],
                    model.Member.state == "active",
                )
            ).scalar()
            active = "active" in accounts
            # The person is only ever made a member by the plugin here.
            assert (capacity == "member") == active, (accounts, capacity)

    @invariant()
    def numbers_are_unique_and_gap_free(self) -> None:
        numbers = (
            model.Session.execute(sa.select(Adhesion.number).where(Adhesion.number.is_not(None)))
            .scalars()
            .all()
        )
        assert len(numbers) == len(set(numbers))
        sequence = sorted(int(re.findall(r"\d+", n)[-1]) for n in numbers)
        assert sequence == list(range(1, len(sequence) + 1))


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_random_roles_and_actions_keep_the_lifecycles_sound(capsys):
    Lifecycles.staff = f.staff()
    run_state_machine_as_test(
        Lifecycles,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            print_blob=True,
        ),
    )
