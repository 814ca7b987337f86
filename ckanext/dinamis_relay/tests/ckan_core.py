"""pytest plugin for running CKAN core's own tests, alone or with dinamis_relay loaded.

scripts/ckan_core_tests.py runs the files of ``CORE_FILES`` twice with
``-p ckanext.dinamis_relay.tests.ckan_core``: once as they are (CKAN alone) and once with
``--with-dinamis-relay``, where every test loads the plugin and every database reset is
followed by the plugin's migrations, as on a site that ran ``ckan db upgrade -p
dinamis_relay``. In the action test modules only the membership, organization and user
tests are kept, and everywhere the dataset, resource and file tests are left out (LEFT_OUT).
"""

from __future__ import annotations

import os
import re
from typing import Any

import pytest

PLUGIN = "dinamis_relay"

# Relative to the installed ckan package.
CORE_FILES = (
    "tests/logic/action/test_create.py",
    "tests/logic/action/test_delete.py",
    "tests/logic/action/test_update.py",
    "tests/logic/action/test_get.py",
    "tests/logic/auth",
    "tests/test_authz.py",
)
# Action tests kept: class or test name about members, organizations or users.
ACTION_PART = re.compile(r"member|organi[sz]ation|org_|_org\b|user", re.IGNORECASE)
# Left out everywhere, to fit CI's time budget (the plugin run loads the plugin for each
# test, seconds apiece on 2 shared cores): datasets and their collaborators, resources,
# views, search, files, follows, invitations, user plugin extras and images. Measured on
# CKAN 2.12: 253 of the 526 member, organization, user and auth tests are kept, about a
# quarter of the time of the 526 run alone.
LEFT_OUT = re.compile(
    r"collaborator|package|dataset|resource|view|search|file|follow|invite|plugin_?extras"
    r"|image_url",
    re.IGNORECASE,
)

# What the default (CI) run keeps: the tests of the core actions the plugin chains or whose
# auth it extends — memberships, organization updates, deletions and purges, user deletion —
# and CKAN's authorization module. `DINAMIS_RELAY_CKAN_CORE=full` runs the whole selection
# above (253 tests, about 20 minutes on 2 cores with the plugin loaded in each).
CHAINED = re.compile(
    r"member|TestOrganizationUpdate|TestOrganizationPatch|TestOrganizationDelete|purge"
    r"|TestUserDelete|user_delete|test_authz",
    re.IGNORECASE,
)

MIGRATIONS = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    "migration",
    PLUGIN,
    "alembic.ini",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--with-dinamis-relay",
        action="store_true",
        help="load dinamis_relay in every test and run its migrations after each database reset",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--with-dinamis-relay"):
        import ckan.tests.helpers as test_helpers

        # CKAN's reset_db and clean_db fixtures return this function when they run, so every
        # reset — fixture, setup_method or direct call — gets the plugin's tables back.
        test_helpers.reset_db = _reset_db_and_migrate(test_helpers.reset_db)


@pytest.hookimpl(trylast=True)  # after CKAN's, which loads the configuration
def pytest_sessionstart(session: pytest.Session) -> None:
    if session.config.getoption("--with-dinamis-relay"):
        _migrate()  # the plugin's tables are there before any test, as on a site


def _reset_db_and_migrate(reset_db: Any) -> Any:
    def reset_db_and_migrate() -> None:
        reset_db()
        _migrate()

    return reset_db_and_migrate


def _migrate() -> None:
    """What CKAN's migrate_db_for does, naming the folder: migrate_db_for finds it through the
    loaded plugin, and a reset can come before the test has loaded it (setup_method)."""
    from ckan import model

    original = model.repo._alembic_ini
    model.repo._alembic_ini = MIGRATIONS
    try:
        model.repo.upgrade_db("head")
    finally:
        model.repo._alembic_ini = original


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        (kept if _selected(item) else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    if config.getoption("--with-dinamis-relay"):
        for item in items:
            # CKAN's with_plugins fixture adds the mark's names to ckan.plugins after the
            # test's own ckan_config marks, so the plugin joins whatever the test loads.
            item.add_marker(pytest.mark.with_plugins(PLUGIN))


def _selected(item: pytest.Item) -> bool:
    cls = getattr(item, "cls", None)
    names = f"{cls.__name__ if cls else ''}::{getattr(item, 'originalname', item.name)}"
    path = str(getattr(item, "path", ""))
    if f"{os.sep}tests{os.sep}logic{os.sep}action{os.sep}" in path and not ACTION_PART.search(
        names
    ):
        return False
    where = f"{os.path.basename(path)}::{names}"
    if LEFT_OUT.search(where):
        return False
    return os.environ.get("DINAMIS_RELAY_CKAN_CORE") == "full" or bool(CHAINED.search(where))
