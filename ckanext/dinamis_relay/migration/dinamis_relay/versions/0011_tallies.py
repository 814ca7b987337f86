"""Global view at national scale: counts kept by PostgreSQL (issue 17 item 6).

At 10,000 entities, 500,000 accounts and 10,000,000 downloads, the dashboard of all
entities spent a second counting accounts and requests by state and summing the per-entity
download counts month by month. Three tables now hold those counts:

- `dinamis_relay_account_tally`: accounts per entity and state, with rollup rows: the
  nation's accounts per state (entity `*`) and each entity's total (state `*`), indexed by
  size for the largest entities;
- `dinamis_relay_imagery_tally`: imagery requests per entity, state and reviewer, with the
  nation's per state and reviewer (entity `*`);
- `dinamis_relay_month_total`: national totals per month of downloads (by `created`),
  validated accounts (`validated_at`) and submitted imagery requests (`submitted_at`).

Statement-level triggers with transition tables keep them exact on every path (actions,
imports, COPY, deletions, TRUNCATE), as migration 0005 does for the downloads per month and
entity: one grouped upsert per writing statement, counter rows locked in key order so that
concurrent statements queue instead of deadlocking (the national rows are shared by every
writer of the table: a statement waits for the transaction that last changed the same count
to end). An UPDATE that changes none of the counted columns writes nothing. Deletions only
decrement existing rows (never insert), so emptying the counted table and its tally in any
order leaves both empty.

Also an index on the downloads per month by entity first, for the dashboard of a few
entities (the primary key leads with the month).

Revision ID: 0011_tallies
Revises: 0010_supporting_documents
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_tallies"
down_revision = "0010_supporting_documents"
branch_labels = None
depends_on = None

# counted table → (tally table, its key columns, its count column, the rows each counted
# row adds to: one expression per key column, '*' for "every entity" or "every state"), or
# None
TALLIES = {
    "dinamis_relay_account": (
        "dinamis_relay_account_tally",
        ("organization_id", "state"),
        "accounts",
        (("organization_id", "state"), ("'*'", "state"), ("organization_id", "'*'")),
    ),
    "dinamis_relay_imagery_request": (
        "dinamis_relay_imagery_tally",
        ("organization_id", "state", "reviewer"),
        "requests",
        (("organization_id", "state", "reviewer"), ("'*'", "state", "reviewer")),
    ),
    "dinamis_relay_download_event": None,
}
# counted table → (series of dinamis_relay_month_total, the column placing a row in a month)
MONTHS = {
    "dinamis_relay_account": ("accounts_validated", "validated_at"),
    "dinamis_relay_imagery_request": ("imagery_requests", "submitted_at"),
    "dinamis_relay_download_event": ("downloads", "created"),
}
# trigger operation → (transition tables with their sign, whether the delta may insert)
OPERATIONS = {
    "ins": ((("new_rows", 1),), True),
    "upd": ((("new_rows", 1), ("old_rows", -1)), True),
    "del": ((("old_rows", -1),), False),
}
EVENTS = {
    "ins": ("INSERT", "NEW TABLE AS new_rows"),
    "upd": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    "del": ("DELETE", "OLD TABLE AS old_rows"),
}


def _delta(sources, selects, where: str = "") -> str:
    """Rows (keys..., d): each select list once per source, d its sign."""
    return " UNION ALL ".join(
        f"SELECT {select}, {sign} AS d FROM {name}{where}"
        for name, sign in sources
        for select in selects
    )


def _apply(table: str, keys: str, count: str, delta: str, may_insert: bool) -> str:
    """SQL adding the grouped `delta` (rows of keys and d) to the counts of `table`."""
    grouped = f"SELECT {keys}, sum(d) AS d FROM ({delta}) AS x GROUP BY {keys} HAVING sum(d) <> 0"
    if may_insert:
        return (
            f"INSERT INTO {table} AS t ({keys}, {count}) {grouped} ORDER BY {keys} "
            f"ON CONFLICT ({keys}) DO UPDATE SET {count} = t.{count} + EXCLUDED.{count};"
        )
    match = " AND ".join(f"t.{key} = g.{key}" for key in keys.split(", "))
    return f"UPDATE {table} AS t SET {count} = t.{count} + g.d FROM ({grouped}) AS g WHERE {match};"


def _counts(table: str, sources, may_insert: bool) -> list[str]:
    """The statements adding the rows of `sources` to the counts of `table`."""
    statements = []
    tally = TALLIES[table]
    if tally:
        tally_table, keys, count, rows = tally
        selects = [
            ", ".join(f"{value} AS {key}" for value, key in zip(row, keys, strict=True))
            for row in rows
        ]
        delta = _delta(sources, selects)
        statements.append(_apply(tally_table, ", ".join(keys), count, delta, may_insert))
    series, column = MONTHS[table]
    month = f"'{series}'::text AS series, date_trunc('month', {column})::date AS month"
    delta = _delta(sources, [month], f" WHERE {column} IS NOT NULL")
    statements.append(_apply("dinamis_relay_month_total", "series, month", "n", delta, may_insert))
    return statements


def _function(table: str, operation: str) -> str:
    sources, may_insert = OPERATIONS[operation]
    body = "\n    ".join(_counts(table, sources, may_insert))
    return (
        f"CREATE OR REPLACE FUNCTION {table}_tally_{operation}() RETURNS trigger\n"
        f"LANGUAGE plpgsql AS $$\nBEGIN\n    {body}\n    RETURN NULL;\nEND $$;"
    )


def _truncate_function(table: str) -> str:
    tally = TALLIES[table]
    series = MONTHS[table][0]
    body = f"DELETE FROM dinamis_relay_month_total WHERE series = '{series}';"
    if tally:
        body = f"TRUNCATE {tally[0]};\n    {body}"
    return (
        f"CREATE OR REPLACE FUNCTION {table}_tally_trunc() RETURNS trigger\n"
        f"LANGUAGE plpgsql AS $$\nBEGIN\n    {body}\n    RETURN NULL;\nEND $$;"
    )


def _operations(table: str) -> list[str]:
    # Download events are never updated but to erase their person (retention, erasure):
    # no counted column changes, and millions of rows need no transition tables.
    if table == "dinamis_relay_download_event":
        return ["ins", "del"]
    return list(OPERATIONS)


def _triggers(table: str) -> list[str]:
    result = []
    for operation in _operations(table):
        event, referencing = EVENTS[operation]
        result.append(
            f"CREATE TRIGGER {table}_tally_{operation} AFTER {event} ON {table} "
            f"REFERENCING {referencing} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {table}_tally_{operation}();"
        )
    result.append(
        f"CREATE TRIGGER {table}_tally_trunc AFTER TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_tally_trunc();"
    )
    return result


def upgrade():
    op.create_table(
        "dinamis_relay_account_tally",
        sa.Column("organization_id", sa.UnicodeText, primary_key=True),
        sa.Column("state", sa.UnicodeText, primary_key=True),
        sa.Column("accounts", sa.BigInteger, nullable=False),
    )
    # The largest entities: their totals (state '*') by size.
    op.create_index(
        "dinamis_relay_account_tally_size_idx",
        "dinamis_relay_account_tally",
        ["state", sa.text("accounts DESC"), "organization_id"],
    )
    op.create_table(
        "dinamis_relay_imagery_tally",
        sa.Column("organization_id", sa.UnicodeText, primary_key=True),
        sa.Column("state", sa.UnicodeText, primary_key=True),
        sa.Column("reviewer", sa.UnicodeText, primary_key=True),
        sa.Column("requests", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "dinamis_relay_month_total",
        sa.Column("series", sa.UnicodeText, primary_key=True),
        sa.Column("month", sa.Date, primary_key=True),
        sa.Column("n", sa.BigInteger, nullable=False),
    )
    op.create_index(
        "dinamis_relay_download_monthly_org_idx",
        "dinamis_relay_download_monthly",
        ["organization_id", "month"],
        postgresql_include=["downloads"],
    )
    for table in TALLIES:
        for operation in _operations(table):
            op.execute(_function(table, operation))
        op.execute(_truncate_function(table))
        for trigger in _triggers(table):
            op.execute(trigger)
        # The counts of the rows already there.
        for statement in _counts(table, ((table, 1),), True):
            op.execute(statement)


def downgrade():
    for table in TALLIES:
        for operation in (*_operations(table), "trunc"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_tally_{operation} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_tally_{operation}()")
    op.drop_index("dinamis_relay_download_monthly_org_idx", "dinamis_relay_download_monthly")
    op.drop_table("dinamis_relay_month_total")
    op.drop_table("dinamis_relay_imagery_tally")
    op.drop_table("dinamis_relay_account_tally")
