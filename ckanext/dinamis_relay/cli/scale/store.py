"""Writing the generated rows: COPY in dependency order, counters, VACUUM ANALYZE."""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ...model.tally import DERIVED_TABLES
from .activity import Activity
from .datasets import Datasets
from .organizations import Organizations
from .people import People
from .rows import Sizes, _copy
from .vocabulary import PREFIX


class Generator(Organizations, Datasets, People, Activity):
    """The whole generator: `staff`, `imagery_datasets`, `entities`, `accounts_and_people`,
    `imagery_requests` build rows in memory; `generate` writes them with COPY."""


def plugin_tables() -> list[str]:
    """Every table of the plugin's models, so that one added later is wiped too; not the
    tables PostgreSQL fills from the others (monthly download counts, tallies), which the
    counted tables' TRUNCATE triggers empty. Read from the models' own metadata: CKAN's
    `model.meta.metadata` may be a reflection of the whole database (CKAN's clean_db
    replaces it), alembic's version tables included."""
    return sorted(
        name
        for name in tk.BaseModel.metadata.tables
        if name.startswith("dinamis_relay_")
        and name not in DERIVED_TABLES
        and not name.endswith("alembic_version")
    )


def _wipe(connection: sa.Connection) -> None:
    """Remove every plugin row and the generated CKAN users and organizations."""
    connection.execute(sa.text("TRUNCATE {} RESTART IDENTITY".format(", ".join(plugin_tables()))))
    like = PREFIX + "%"
    connection.execute(
        sa.text(
            'DELETE FROM member WHERE group_id IN (SELECT id FROM "group" WHERE name LIKE :p) '
            'OR table_id IN (SELECT id FROM "user" WHERE name LIKE :p)'
        ),
        {"p": like},
    )
    connection.execute(
        sa.text(
            'DELETE FROM api_token WHERE user_id IN (SELECT id FROM "user" WHERE name LIKE :p)'
        ),
        {"p": like},
    )
    if sa.inspect(connection).has_table("group_extra"):  # CKAN 2.11 keeps group extras there
        connection.execute(
            sa.text(
                "DELETE FROM group_extra "
                'WHERE group_id IN (SELECT id FROM "group" WHERE name LIKE :p)'
            ),
            {"p": like},
        )
    packages = "SELECT id FROM package WHERE name LIKE :p"
    connection.execute(
        sa.text(f"DELETE FROM resource WHERE package_id IN ({packages})"), {"p": like}
    )
    if sa.inspect(connection).has_table("package_extra"):  # CKAN 2.11
        connection.execute(
            sa.text(f"DELETE FROM package_extra WHERE package_id IN ({packages})"), {"p": like}
        )
    connection.execute(sa.text("DELETE FROM package WHERE name LIKE :p"), {"p": like})
    _unindex_generated()
    connection.execute(sa.text('DELETE FROM "user" WHERE name LIKE :p'), {"p": like})
    connection.execute(sa.text('DELETE FROM "group" WHERE name LIKE :p'), {"p": like})


# The big tables: loaded without their secondary indexes, built once at the end (inserting
# half a million users or ten million downloads into B-trees of random UUIDs row by row
# costs far more than building each index once from sorted input).
BULK_TABLES = (
    "user",
    "member",
    "dinamis_relay_account",
    "dinamis_relay_imagery_request",
    "dinamis_relay_imagery_comment",
    "dinamis_relay_download_event",
    "dinamis_relay_audit_event",
)
AUDIT_COLUMNS = (
    "created",
    "object_type",
    "object_id",
    "organization_id",
    "action",
    "from_state",
    "to_state",
    "user_id",
    "actor_label",
    "comment",
    "data",
)


def generate(
    sizes: Sizes,
    seed: int = 42,
    replace: bool = False,
    password: str = "scale-password",
    echo: Callable[[str], None] = print,
) -> dict[str, int]:
    """Generate and store the data set; returns the row count of each table."""
    started = time.monotonic()

    def step(label: str) -> None:
        echo(f"{time.monotonic() - started:7.1f}s  {label}")

    connection = model.Session.connection()
    existing = connection.execute(sa.text("SELECT count(*) FROM dinamis_relay_adhesion")).scalar()
    if existing and not replace:
        raise tk.ValidationError(
            {
                "replace": [
                    f"The database already holds {existing} adhesions: pass --replace to "
                    "remove all DINAMIS data and the generated users first"
                ]
            }
        )
    if replace:
        _wipe(connection)
        step("previous DINAMIS data and generated users removed")
    frozen = _truncate_empty(connection)
    generator = Generator(sizes, seed, password, echo)
    generator.staff()
    generator.imagery_datasets()
    step(f"{len(generator.datasets)} imagery datasets built")
    generator.entities()
    step(f"{len(generator.adhesions)} adhesions built")
    generator.accounts_and_people()
    step(f"{len(generator.accounts)} accounts and {len(generator.users)} users built")
    generator.imagery_requests()
    step(f"{len(generator.requests)} imagery requests built")

    cursor = connection.connection.dbapi_connection.cursor()
    with _without_secondary_indexes(connection, BULK_TABLES, step):
        counts = _write_ckan_rows(generator, connection, cursor)
        step(f"CKAN rows written: {counts}")
        counts.update(_write_plugin_rows(generator, cursor, frozen))
        step("adhesions, accounts and imagery requests written")
        counts["download_event"] = generator.downloads(
            cursor, "dinamis_relay_download_event" in frozen
        )
        step(f"{counts['download_event']} download events written")
        generator.audit.sort(key=lambda e: e[0])
        counts["audit_event"] = _copy(
            cursor,
            "dinamis_relay_audit_event",
            AUDIT_COLUMNS,
            generator.audit,
            "dinamis_relay_audit_event" in frozen,
        )
        step(f"{counts['audit_event']} audit events written")
    # Numbers issued from now on continue the generated ones, gap-free.
    for (kind, year), last in generator.sequences.items():
        connection.execute(
            sa.text(
                "INSERT INTO dinamis_relay_number_sequence (kind, year, last_value) "
                "VALUES (:k, :y, :v) ON CONFLICT (kind, year) DO UPDATE "
                "SET last_value = GREATEST(dinamis_relay_number_sequence.last_value, :v)"
            ),
            {"k": kind, "y": year, "v": last},
        )
    model.Session.commit()
    step("committed")
    _vacuum_analyze()
    step("VACUUM ANALYZE done")
    _index(
        [d["id"] for d in generator.datasets],
        lambda done, total: generator.progress("indexed datasets", done, total),
    )
    step(f"{len(generator.datasets)} imagery datasets indexed")
    return counts


def _truncate_empty(connection: sa.Connection) -> set[str]:
    """TRUNCATE the plugin's empty tables (nothing is lost) and return them: a table emptied
    in this transaction takes COPY FREEZE, whose rows are born frozen and all-visible, so
    the VACUUM that follows has nothing to rewrite (a whole pass over ten million rows
    otherwise). One statement for all: a table referring to an empty one is empty too."""
    empty = [
        table
        for table in plugin_tables()
        if not connection.execute(sa.text(f"SELECT EXISTS (SELECT FROM {table})")).scalar()
    ]
    if empty:
        connection.execute(sa.text("TRUNCATE {}".format(", ".join(empty))))
    return set(empty)


def _write_ckan_rows(
    generator: Generator, connection: sa.Connection, cursor: Any
) -> dict[str, int]:
    """CKAN's organizations, users, memberships, datasets and resources."""
    counts = {"group": _copy_groups(connection, cursor, generator.groups)}
    counts["user"] = _copy(
        cursor,
        "user",
        (
            "id",
            "name",
            "created",
            "password",
            "fullname",
            "email",
            "sysadmin",
            "state",
            "plugin_extras",
        ),
        generator.users,
    )
    counts["member"] = _copy(
        cursor,
        "member",
        ("id", "group_id", "table_id", "state", "table_name", "capacity"),
        generator.members,
    )
    counts["package"], counts["resource"] = _copy_datasets(
        connection, cursor, generator.datasets, generator.resources
    )
    return counts


def _write_plugin_rows(generator: Generator, cursor: Any, frozen: set[str]) -> dict[str, int]:
    """Adhesions with their checks and acceptances, accounts, imagery requests and their
    comments."""

    def copy(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        return _copy(cursor, table, columns, rows, table in frozen)

    def mapped(table: str, rows: list[dict[str, Any]]) -> int:
        columns = [c.key for c in _table(table).columns]
        return copy(table, columns, ([row[c] for c in columns] for row in rows))

    counts = {"adhesion": mapped("dinamis_relay_adhesion", generator.adhesions)}
    counts["eligibility_check"] = copy(
        "dinamis_relay_eligibility_check",
        ("id", "adhesion_id", "eligible", "note", "checked_by", "checked_at"),
        generator.checks,
    )
    counts["acceptance"] = copy(
        "dinamis_relay_acceptance",
        (
            "id",
            "adhesion_id",
            "text_kind",
            "text_code",
            "text_version",
            "accepted_by_name",
            "accepted_by_email",
            "accepted_at",
        ),
        generator.acceptances,
    )
    counts["account"] = mapped("dinamis_relay_account", generator.accounts)
    generator.requests.sort(key=lambda r: r["created"])
    counts["imagery_request"] = mapped("dinamis_relay_imagery_request", generator.requests)
    generator.comments.sort(key=lambda c: c[-1])
    counts["imagery_comment"] = copy(
        "dinamis_relay_imagery_comment",
        ("request_id", "user_id", "body", "internal", "transition", "created"),
        generator.comments,
    )
    return counts


PACKAGE_COLUMNS = (
    "id",
    "name",
    "title",
    "notes",
    "license_id",
    "type",
    "owner_org",
    "creator_user_id",
    "metadata_created",
    "metadata_modified",
    "private",
    "state",
)
RESOURCE_COLUMNS = (
    "id",
    "package_id",
    "url",
    "format",
    "name",
    "position",
    "created",
    "metadata_modified",
    "state",
)


def _copy_datasets(
    connection: sa.Connection, cursor: Any, datasets: list[dict[str, Any]], resources: list[tuple]
) -> tuple[int, int]:
    """COPY the imagery datasets and their resources. CKAN 2.12 keeps a dataset's extras in
    its `extras` column, CKAN 2.11 as rows of `package_extra`."""

    def row(dataset: dict[str, Any]) -> tuple:
        created = dataset["created"]
        return (
            dataset["id"],
            dataset["name"],
            dataset["title"],
            dataset["notes"],
            "other-closed",
            "dataset",
            dataset["owner_org"],
            dataset["creator_user_id"],
            created,
            created,
            False,
            "active",
        )

    if "extras" in {c["name"] for c in sa.inspect(connection).get_columns("package")}:
        count = _copy(
            cursor,
            "package",
            (*PACKAGE_COLUMNS, "extras"),
            ((*row(d), d["extras"]) for d in datasets),
        )
    else:
        count = _copy(cursor, "package", PACKAGE_COLUMNS, (row(d) for d in datasets))
        _copy(
            cursor,
            "package_extra",
            ("id", "package_id", "key", "value", "state"),
            (
                (str(uuid.uuid4()), d["id"], key, value, "active")
                for d in datasets
                for key, value in d["extras"].items()
            ),
        )
    return count, _copy(cursor, "resource", RESOURCE_COLUMNS, resources)


@contextlib.contextmanager
def _without_secondary_indexes(
    connection: sa.Connection, tables: Sequence[str], step: Callable[[str], None]
) -> Iterator[None]:
    """Load big tables without their secondary indexes and build them once afterwards, in
    the same transaction. Indexes behind a constraint (primary keys, UNIQUE constraints)
    stay; unique indexes are rebuilt like the others and would fail loudly on a duplicate."""
    definitions = list(
        connection.execute(
            sa.text(
                "SELECT t.relname, i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x"
                " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
                " JOIN pg_namespace n ON n.oid = t.relnamespace"
                " WHERE n.nspname = current_schema() AND t.relname = ANY(:tables)"
                " AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
                " ORDER BY t.relname, i.relname"
            ),
            {"tables": list(tables)},
        )
    )
    for _table_name, name, _definition in definitions:
        connection.execute(sa.text(f'DROP INDEX "{name}"'))
    yield
    # Enough memory for each build to sort in memory (the server's default is 64 MB).
    connection.execute(sa.text("SET LOCAL maintenance_work_mem = '1GB'"))
    for table in tables:
        mine = [d for d in definitions if d[0] == table]
        if mine:
            for _table_name, _name, definition in mine:
                connection.execute(sa.text(definition))
            step(f"{len(mine)} indexes of {table} built")


def _index(ids: list[str], progress: Callable[[int, int], None]) -> None:
    """Index the generated datasets through CKAN's indexer (what `package_create` does), with
    one commit at the end; its line per dataset is left out (the progress lines say more)."""
    from ckan.lib import search

    search_log = logging.getLogger("ckan.lib.search")
    level = search_log.level
    search_log.setLevel(logging.WARNING)
    try:
        for done, start in enumerate(range(0, len(ids), 100), start=1):
            search.rebuild(package_ids=ids[start : start + 100], defer_commit=True, quiet=True)
            progress(min(done * 100, len(ids)), len(ids))
        if ids:
            search.commit()
    finally:
        search_log.setLevel(level)


def _unindex_generated() -> None:
    """Remove the generated datasets from the search index (one delete by query)."""
    from ckan.lib.search.common import make_connection

    site = (tk.config.get("ckan.site_id") or "").replace('"', "")
    make_connection().delete(q=f'+site_id:"{site}" +name:{PREFIX}*', commit=True)


GROUP_COLUMNS = (
    "id",
    "name",
    "title",
    "description",
    "created",
    "state",
    "type",
    "approval_status",
    "image_url",
    "is_organization",
    "extras",
)


def _copy_groups(connection: sa.Connection, cursor: Any, groups: list[tuple]) -> int:
    """COPY the organizations into CKAN's `group` table as the running CKAN has it.

    CKAN 2.12 keeps a group's extras in its `extras` column; CKAN 2.11 has no such column
    and keeps them as rows of `group_extra`.
    """
    if "extras" in {c["name"] for c in sa.inspect(connection).get_columns("group")}:
        return _copy(cursor, "group", GROUP_COLUMNS, groups)
    count = _copy(cursor, "group", GROUP_COLUMNS[:-1], (group[:-1] for group in groups))
    _copy(
        cursor,
        "group_extra",
        ("id", "group_id", "key", "value", "state"),
        (
            (str(uuid.uuid4()), group[0], key, value, "active")
            for group in groups
            for key, value in group[-1].items()
        ),
    )
    return count


def _table(name: str) -> sa.Table:
    from ... import model as plugin_model

    tables = {
        mapped.__table__.name: mapped.__table__
        for mapped in (plugin_model.Adhesion, plugin_model.Account, plugin_model.ImageryRequest)
    }
    return tables[name]


def _vacuum_analyze() -> None:
    """Fresh statistics and visibility maps, as autovacuum would give after a while, so the
    planner and index-only scans see the data as a long-running site would."""
    engine = model.meta.engine
    assert engine is not None
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # The derived counts follow the rows (triggers of migrations 0005 and 0011).
        for table in ("user", "group", "member", *plugin_tables(), *DERIVED_TABLES):
            connection.execute(sa.text(f'VACUUM ANALYZE "{table}"'))
