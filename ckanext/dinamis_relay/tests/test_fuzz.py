"""No input makes it fail: every plugin action, the chained core actions and the web pages,
as every role, with generated payloads (tests/fuzzing.py), through CKAN's test app.

Each call must answer below 500, and a refused call (4xx) must leave the database as it
was. Bounded for CI: DINAMIS_FUZZ_EXAMPLES calls (default 250); the seed is printed, and
DINAMIS_FUZZ_SEED=<seed> replays a run. scripts/fuzz.py runs the same generator over HTTP.
"""

from __future__ import annotations

import json
import logging
import os
import random
import traceback
from typing import Any

import ckan.model as model
import pytest
import sqlalchemy as sa
from ckan.tests import factories
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from . import factories as f
from . import fuzzing

EXAMPLES = int(os.environ.get("DINAMIS_FUZZ_EXAMPLES") or 250)
SEED = int(os.environ.get("DINAMIS_FUZZ_SEED") or random.randrange(2**32))
CORE_COLUMNS = {
    "member": "id, table_id, group_id, state, capacity",
    '"user"': "id, name, state, sysadmin, email",
    '"group"': "id, name, title, state",
    # Every column: CKAN 2.12 keeps the extras in the package row, 2.11 in package_extra.
    "package": "*",
}


def snapshot() -> dict[str, list[tuple]]:
    """Every row of the plugin's tables and the core rows its chained actions touch."""
    model.Session.rollback()
    tables = [
        row[0]
        for row in model.Session.execute(
            sa.text(
                "SELECT tablename FROM pg_tables WHERE tablename LIKE 'dinamis_relay_%'"
                " ORDER BY tablename"
            )
        )
    ]
    result: dict[str, list[tuple]] = {}
    for table in tables:
        rows = model.Session.execute(sa.text(f"SELECT * FROM {table}")).all()
        result[table] = sorted((tuple(row) for row in rows), key=repr)
    core = dict(CORE_COLUMNS)
    if model.Session.execute(sa.text("SELECT to_regclass('package_extra')")).scalar():
        core["package_extra"] = "*"
    for table, columns in core.items():
        rows = model.Session.execute(sa.text(f"SELECT {columns} FROM {table}")).all()
        result[table] = sorted((tuple(row) for row in rows), key=repr)
    model.Session.rollback()
    return result


def raised_in_plugin(exc_info: Any) -> bool:
    """Whether an exception was raised in the plugin's code: no CKAN core frame below the
    plugin's last frame (a core action crashing on input the plugin passed on unchanged is
    CKAN's own 500, which scripts/fuzz.py counts with and without the plugin)."""
    frames = [frame.filename for frame in traceback.extract_tb(exc_info[2])]
    plugin = [i for i, name in enumerate(frames) if "ckanext/dinamis_relay" in name]
    core = [i for i, name in enumerate(frames) if "/ckan/" in name and "ckanext" not in name]
    return bool(plugin) and (not core or plugin[-1] > core[-1])


def _world() -> tuple[fuzzing.World, dict[str, dict[str, str]]]:
    """Real objects in several states, and an API token per role (anonymous: none)."""
    staff = f.staff()
    draft = f.adhesion("draft")
    pending = f.adhesion("pending_instruction", mode="relay")
    account = f.account("active")
    requested = f.account("requested", organization=account["organization_dict"])
    dataset = factories.Dataset(owner_org=account["organization_id"])

    request = f.ImageryRequestFactory(
        user=account["person_dict"], organization_id=account["organization_id"]
    )
    plain = factories.User()
    users = {
        "sysadmin": staff.sysadmin,
        "super_referent": staff.super_referent,
        "instructor": staff.instructor,
        "referent": draft["referent_dict"],
        "account_holder": account["person_dict"],
        "user": plain,
    }
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    for role, user in users.items():
        headers[role] = {"Authorization": factories.APIToken(user=user["name"])["token"]}
    world = fuzzing.World(
        ids={
            "adhesion": [draft["id"], pending["id"]],
            "organization": [
                draft["organization_id"],
                draft["organization_dict"]["name"],
                pending["organization_dict"]["title"],
            ],
            "account": [account["id"], requested["id"]],
            "imagery_request": [request["id"]],
            "user": [plain["name"], account["person_dict"]["id"], requested["user_name"]],
            "dataset": [
                dataset["id"],
                dataset["resources"][0]["id"] if dataset["resources"] else dataset["name"],
            ],
        }
    )
    return world, headers


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")
def test_no_input_gives_a_server_error(app, record_property, caplog):
    world, headers = _world()
    actions = {**fuzzing.plugin_actions(), **fuzzing.CORE_ACTIONS}
    targets = sorted(actions) + sorted(fuzzing.WEB_ROUTES)
    # Printed at the end of the run (conftest.py), from a pytest-xdist worker too.
    record_property(
        "summary", f"fuzz: {EXAMPLES} calls, seed {SEED} (DINAMIS_FUZZ_SEED={SEED} replays)"
    )
    failures: list[str] = []
    core_errors: list[str] = []
    caplog.set_level(logging.ERROR)

    @seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        rng=st.randoms(use_true_random=False),
        target=st.sampled_from(targets),
        role=st.sampled_from(sorted(headers)),
    )
    def call(rng: random.Random, target: str, role: str) -> None:
        before = snapshot()
        caplog.clear()
        if target in fuzzing.WEB_ROUTES:
            path = fuzzing.web_path(rng, target, fuzzing.WEB_ROUTES[target], world)
            response = app.get(path, headers=headers[role], follow_redirects=False)
            sent: Any = path
        else:
            sent = fuzzing.payload(rng, actions[target], world)
            response = app.post(
                f"/api/3/action/{target}",
                data=json.dumps(sent),
                content_type="application/json",
                headers=headers[role],
            )
        status = response.status_code
        if status >= 500 and target in fuzzing.CORE_ACTIONS:
            crashes = [r.exc_info for r in caplog.records if r.exc_info]
            assert not any(raised_in_plugin(info) for info in crashes), f"{target}: {sent}"
            # CKAN core's own 500 on this input (some core actions crash on malformed
            # input by themselves); scripts/fuzz.py compares them with and without the plugin.
            core_errors.append(target)
            return
        if status >= 500:
            failures.append(f"{status} {target} as {role}: {str(sent)[:300]}")
        assert status < 500, f"{target} as {role}: {str(sent)[:300]}"
        if status >= 400:
            assert snapshot() == before, f"refused {target} as {role} changed the database"

    call()
    record_property(
        "summary", f"fuzz: CKAN core's own 500s on the chained core actions: {len(core_errors)}"
    )
    assert not failures
