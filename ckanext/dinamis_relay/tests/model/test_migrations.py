"""The alembic migrations build exactly the tables the models describe, and go down to
nothing and up again through CKAN's own command line."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import ckan.model as model
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from ckan.model.base import BaseModel

import ckanext.dinamis_relay.model  # noqa: F401  (registers the plugin's tables)

PREFIX = "dinamis_relay_"
ROOT = pathlib.Path(__file__).resolve().parents[4]


def _plugin_tables(bind: sa.engine.Engine) -> set[str]:
    return {
        name
        for name in sa.inspect(bind).get_table_names()
        if name.startswith(PREFIX) and not name.endswith("alembic_version")
    }


def _include(obj, name, type_, reflected, compare_to) -> bool:
    if type_ == "table":
        return bool(name) and name.startswith(PREFIX) and not name.endswith("alembic_version")
    table = getattr(obj, "table", None)
    return table is None or table.name.startswith(PREFIX)


def _ckan(*args: str) -> subprocess.CompletedProcess[str]:
    ckan = pathlib.Path(sys.executable).with_name("ckan")
    return subprocess.run(
        [str(ckan), "-c", str(ROOT / "test.ini"), *args],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
        timeout=300,
    )


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_migrations_match_the_models():
    bind = model.Session.get_bind()
    with bind.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": _include, "compare_type": True}
        )
        differences = compare_metadata(context, BaseModel.metadata)
    assert differences == []


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_downgrade_to_nothing_and_upgrade_again_with_the_ckan_cli():
    bind = model.Session.get_bind()
    expected = _plugin_tables(bind)
    model.Session.remove()

    down = _ckan("db", "downgrade", "-p", "dinamis_relay", "--version", "base")
    assert down.returncode == 0, down.stderr
    assert _plugin_tables(bind) == set()

    up = _ckan("db", "upgrade", "-p", "dinamis_relay")
    assert up.returncode == 0, up.stderr
    assert _plugin_tables(bind) == expected
