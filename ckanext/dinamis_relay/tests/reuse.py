"""Loaded plugins, test apps and an empty database, reused from one test to the next.

CKAN's fixtures rebuild everything for every test: `with_plugins` unloads and reloads every
plugin (each time running `environment.update_config`, which re-reads CKAN's whole config
declaration), `app` builds a new Flask application (which loads the plugins twice more) and
`clean_db` deletes each table's rows one statement at a time then runs the plugin's alembic
migrations. On these 2 cores that was about 1.5 s per test, most of the suite's time.

Here the same work is done only when its input changed. The input is the configuration: a
test whose configuration (after its `ckan_config` marks and `with_plugins` mark) is the one
the plugins were loaded with reuses them, and the same for an app. What loading writes into
the configuration (computed settings) is written again, since `ckan_config` restores the
configuration after each test. Any other configuration reloads, exactly as CKAN does.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import ckan.model as model
import ckan.plugins as plugins
import sqlalchemy as sa
from ckan.plugins import core as plugins_core
from ckan.tests import helpers as test_helpers

Snapshot = frozenset[tuple[str, str]]

MAX_APPS = 12


def snapshot(config: Any) -> Snapshot:
    return frozenset((key, repr(value)) for key, value in config.items())


def _written(before: dict[str, Any], config: Any) -> dict[str, Any]:
    return {key: value for key, value in config.items() if before.get(key, ...) != value}


class Plugins:
    """The plugins the previous tests left loaded, and the configurations they suit: the one
    they were loaded in and the same after loading wrote its computed settings."""

    suits: set[Snapshot] = set()
    written: dict[str, Any] = {}

    @classmethod
    def ensure(cls, config: Any) -> None:
        wanted = plugins.toolkit.aslist(config.get("ckan.plugins"))
        key = snapshot(config)
        if key in cls.suits and wanted == plugins_core._PLUGINS:
            config.update(cls.written)
            return
        before = dict(config)
        plugins.load_all()
        cls.suits, cls.written = {key, snapshot(config)}, _written(before, config)

    @classmethod
    def reloaded(cls, key: Snapshot, written: dict[str, Any], config: Any) -> None:
        """Something else (building an app) reloaded the plugins in configuration `key`,
        writing `written` into it."""
        if key in cls.suits:
            cls.suits.add(snapshot(config))
        else:
            cls.suits, cls.written = {key, snapshot(config)}, written


class Apps:
    """Test applications by the configuration they were built in (the newest few)."""

    built: OrderedDict[Snapshot, tuple[Any, dict[str, Any]]] = OrderedDict()

    @classmethod
    def get(cls, config: Any) -> test_helpers.CKANTestApp:
        key = snapshot(config)
        if key in cls.built:
            Plugins.ensure(config)
            wsgi_app, written = cls.built[key]
            cls.built.move_to_end(key)
            config.update(written)
            # A new client each time: no cookie or session passes from one test to the next.
            return test_helpers.CKANTestApp(wsgi_app)
        before = dict(config)
        test_app = test_helpers._get_test_app()  # loads the plugins again, in this configuration
        written = _written(before, config)
        Plugins.reloaded(key, written, config)
        cls.built[key] = (test_app.app, written)
        if len(cls.built) > MAX_APPS:
            cls.built.popitem(last=False)
        return test_app


class Database:
    """Emptying every table in one round trip once the schema is at the plugin's head."""

    ready = False

    @classmethod
    def empty(cls) -> bool:
        """Empty every table (but alembic's) if the schema is known complete; False if not."""
        if not cls.ready:
            return False
        model.Session.remove()
        with model.meta.engine.begin() as connection:
            migrated = (
                connection.execute(
                    sa.text("SELECT to_regclass('dinamis_relay_alembic_version') IS NOT NULL")
                ).scalar()
                and connection.execute(
                    sa.text("SELECT count(*) FROM dinamis_relay_alembic_version")
                ).scalar()
            )
            if not migrated:  # a test took the migrations down
                cls.ready = False
                return False
            existing = set(
                connection.execute(
                    sa.text(
                        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                        "AND tablename NOT LIKE '%alembic_version'"
                    )
                ).scalars()
            )
            # Children before parents (the models' foreign keys), in one round trip: DELETE
            # on tables this small takes milliseconds where TRUNCATE takes a quarter second.
            # The models' own metadata (CKAN's and the plugin's), not `model.meta.metadata`,
            # which CKAN's clean_db replaces by a reflection of the database: an empty one
            # when the database was new, and then the order is lost.
            ordered = [t.name for t in reversed(model.repo.metadata.sorted_tables)]
            tables = [name for name in existing if name not in ordered] + [
                name for name in ordered if name in existing
            ]
            connection.execute(sa.text("; ".join(f'DELETE FROM "{name}"' for name in tables)))
        return True
