"""Adhesion numbers stay unique and gap-free when decisions are taken at the same moment."""

from __future__ import annotations

import datetime
import threading

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa

from ckanext.dinamis_relay.lifecycle import audit
from ckanext.dinamis_relay.model import Adhesion

from .. import factories as f

N = 8


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_concurrent_accepts_get_consecutive_numbers(monkeypatch):
    staff = f.staff()
    adhesion_ids = [f.adhesion("pending_instruction")["id"] for _ in range(N)]
    # One more accept fails after its number was reserved: the rollback gives it back.
    refused_id = f.adhesion("pending_instruction")["id"]
    model.Session.commit()
    model.Session.remove()
    record = audit.record

    def failing_record(**kwargs):
        if kwargs["object_id"] == refused_id:
            raise RuntimeError("storage failure")
        return record(**kwargs)

    monkeypatch.setattr(audit, "record", failing_record)

    barrier = threading.Barrier(N + 1)
    outcomes: dict[str, object] = {}
    connections: set[int] = set()

    def accept(adhesion_id: str) -> None:
        # model.Session is scoped per thread: each thread has its own session and connection.
        try:
            connections.add(id(model.Session().connection().connection))
            barrier.wait(timeout=30)
            result = tk.get_action("dinamis_relay_adhesion_decide")(
                {"user": staff.instructor["name"]}, {"id": adhesion_id, "decision": "accept"}
            )
            outcomes[adhesion_id] = result["number"]
        except Exception as error:  # reported by the assertions below
            outcomes[adhesion_id] = error
        finally:
            model.Session.remove()

    threads = [
        threading.Thread(target=accept, args=(adhesion_id,))
        for adhesion_id in [*adhesion_ids, refused_id]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)

    assert len(connections) == N + 1
    assert isinstance(outcomes.pop(refused_id), RuntimeError)
    year = datetime.date.today().year
    expected = [f"DINAMIS-{year}-{seq:04d}" for seq in range(1, N + 1)]
    assert sorted(map(str, outcomes.values())) == expected

    stored = model.Session.execute(
        sa.select(Adhesion.id, Adhesion.number, Adhesion.state).where(Adhesion.id.in_(adhesion_ids))
    ).all()
    assert sorted(row.number for row in stored) == expected
    assert {row.state for row in stored} == {"accepted"}
    assert all(outcomes[row.id] == row.number for row in stored)
    refused = model.Session.get(Adhesion, refused_id)
    assert refused is not None and refused.state == "pending_instruction"
    assert refused.number is None
