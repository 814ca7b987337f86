from __future__ import annotations

import itertools
from typing import Any

import ckan.model as model
import pytest
from ckan.tests import factories as ckan_factories
from pytest_factoryboy import register

from . import factories, workers
from .compat import keep_cookies, work_off_queue
from .reuse import Apps, Database, Plugins

# The plugin's objects, created through its actions (factories.py): the fixtures
# `adhesion_draft`, `account_request` and `imagery_request_draft`, and the factories
# themselves as `adhesion_factory`, `account_factory` and `imagery_request_factory`
# (pytest-factoryboy names those after the class), to call with the fields a test needs.
register(factories.AdhesionFactory, "adhesion_draft")
register(factories.AccountFactory, "account_request")
register(factories.ImageryRequestFactory, "imagery_request_draft")


def pytest_configure(config: pytest.Config) -> None:
    # Before CKAN's pytest plugin loads the configuration (its pytest_sessionstart).
    distributed = getattr(config.option, "dist", "no") != "no"
    count = int(getattr(config.option, "numprocesses", None) or 0) if distributed else 0
    try:
        workers.configure(config.getoption("ckan_ini"), count)
    except RuntimeError as error:
        raise pytest.UsageError(str(error)) from None


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """What tests left for the reader with `record_property("summary", line)` (the seed of a
    random run), printed at the end: a pytest-xdist worker's own output is not shown."""
    lines = {
        (report.nodeid, value): None
        for reports in terminalreporter.stats.values()
        for report in reports
        for name, value in getattr(report, "user_properties", ())
        if name == "summary"
    }
    if lines:
        terminalreporter.section("summary lines")
        for nodeid, value in lines:
            terminalreporter.write_line(f"{nodeid}: {value}")


@pytest.fixture(autouse=True, scope="session")
def quick_password_hashing():
    """Passwords hashed with 1,000 PBKDF2 rounds instead of passlib's 25,000+: the hashing
    is CKAN's and not under test, and at ~70 ms a user (every factory user, every login
    re-hashes) it was a tenth of the suite's time."""
    from ckan.model import user as user_model
    from passlib.hash import pbkdf2_sha512

    production = user_model.pbkdf2_sha512
    user_model.pbkdf2_sha512 = pbkdf2_sha512.using(rounds=1000)
    yield
    user_model.pbkdf2_sha512 = production


@pytest.fixture()
def clean_db(reset_db, migrate_db_for):
    """CKAN's clean_db plus the plugin's migrations; once the schema is complete, every
    table is emptied in one round trip instead (the same empty database, see reuse.py)."""
    ckan_factories.fake.unique.clear()
    if Database.empty():
        return
    engine = model.meta.engine
    reset_db()
    migrate_db_for("dinamis_relay")
    # CKAN's migration environment leaves its own engine, without a connection pool, as the
    # model's: every later query would open a new connection. Give back the pooled one.
    model.init_model(engine)
    Database.ready = True


@pytest.fixture()
def with_plugins(ckan_config, monkeypatch, request):
    """CKAN's with_plugins (the `ckan.plugins` of the configuration plus the mark's), which
    leaves the plugins loaded for the next test with the same configuration (reuse.py)."""
    names = list(
        itertools.chain.from_iterable(m.args for m in request.node.iter_markers("with_plugins"))
    )
    assert all(isinstance(name, str) for name in names), "plugin names only"
    current = ckan_config["ckan.plugins"]
    if isinstance(current, str):
        current = current.split()
    monkeypatch.setitem(ckan_config, "ckan.plugins", list(current) + names)
    Plugins.ensure(ckan_config)
    yield


@pytest.fixture()
def make_app(ckan_config):
    """CKAN's make_app, giving the app already built in the same configuration (reuse.py)."""
    from ckan.lib.app_globals import _CONFIG_CACHE

    _CONFIG_CACHE.clear()
    return lambda: Apps.get(ckan_config)


@pytest.fixture()
def app(make_app):
    """CKAN's test app, keeping its cookies between requests on CKAN 2.11 as on 2.12."""
    test_app = make_app()
    keep_cookies(test_app)
    return test_app


@pytest.fixture()
def run_jobs(clean_queues, with_test_worker):
    """Call it to run, in this process, every background job queued so far (on the queues
    given, or all of the plugin's)."""
    return work_off_queue
