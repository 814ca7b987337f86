"""Two patches of different fields of one draft at the same moment: both changes survive."""

from __future__ import annotations

import threading
import time

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa

from ckanext.dinamis_relay.logic.action import adhesion as adhesion_actions
from ckanext.dinamis_relay.model import Adhesion

from .. import factories as f

PATCHES = ({"acronym": "VDP"}, {"city": "Talence"})


def _someone_waits_for_a_lock() -> bool:
    """True when a session of this database waits for a row lock (a fresh snapshot each
    time: pg_stat_activity is frozen inside a transaction)."""
    with model.meta.engine.connect() as connection:
        return bool(
            connection.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar()
        )


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_concurrent_patches_of_different_fields_both_survive(monkeypatch):
    draft = f.adhesion("draft")
    referent = draft["referent_dict"]["name"]
    model.Session.commit()
    model.Session.remove()

    # Hold each patch just after it has read the adhesion (at its access check) until the
    # other one has read it too, or is queued behind this one's row lock. Reading without
    # the lock lets both read the same values, and the second write then brings back the
    # first one's field.
    check = adhesion_actions._check
    arrivals = {"n": 0}
    guard = threading.Lock()

    def held_check(context, action, adhesion, data_dict):
        check(context, action, adhesion, data_dict)
        if action != "patch":
            return
        with guard:
            arrivals["n"] += 1
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with guard:
                if arrivals["n"] == len(PATCHES):
                    return
            if _someone_waits_for_a_lock():
                return
            time.sleep(0.02)

    monkeypatch.setattr(adhesion_actions, "_check", held_check)

    barrier = threading.Barrier(len(PATCHES))
    errors: list[BaseException] = []
    connections: set[int] = set()

    def patch(fields: dict[str, str]) -> None:
        # model.Session is scoped per thread: each thread has its own session and connection.
        try:
            connections.add(id(model.Session().connection().connection))
            barrier.wait(timeout=30)
            tk.get_action("dinamis_relay_adhesion_patch")(
                {"user": referent}, {"id": draft["id"], **fields}
            )
        except BaseException as error:  # reported by the assertions below
            errors.append(error)
        finally:
            model.Session.remove()

    threads = [threading.Thread(target=patch, args=(fields,)) for fields in PATCHES]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert len(connections) == len(PATCHES)

    stored = model.Session.get(Adhesion, draft["id"])
    assert stored is not None
    assert (stored.acronym, stored.city) == ("VDP", "Talence")
    # Nothing else moved.
    assert stored.legal_name == draft["legal_name"]
    assert stored.postcode == draft["postcode"]
    assert stored.state == "draft"
