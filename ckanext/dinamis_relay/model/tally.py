"""Counts PostgreSQL keeps for the global view (migration 0011_tallies): accounts per
entity and state, imagery requests per entity, state and reviewer, and national totals
per month (downloads, validated accounts, submitted imagery requests). The tallies hold
rollup rows too: entity `ALL` counts the whole nation, and an account tally row of state
`ALL` an entity's total.

Statement-level triggers on the counted tables keep them exact whatever writes the rows
(the actions, imports, bulk loads with COPY, deletions, TRUNCATE). At national scale (half a
million accounts, ten million downloads) the dashboard of all entities reads a few
thousand tally rows and one row per month instead of counting the accounts, the requests
and the per-entity download counts one by one.
"""

from __future__ import annotations

import sqlalchemy as sa

from .base import Base

# The rollup key: every entity (organization_id) or every state.
ALL = "*"

account_tally_table = sa.Table(
    "dinamis_relay_account_tally",
    Base.metadata,
    sa.Column("organization_id", sa.UnicodeText, primary_key=True),
    sa.Column("state", sa.UnicodeText, primary_key=True),
    sa.Column("accounts", sa.BigInteger, nullable=False),
    # The largest entities: their totals (state ALL) by size.
    sa.Index(
        "dinamis_relay_account_tally_size_idx", "state", sa.text("accounts DESC"), "organization_id"
    ),
)

imagery_tally_table = sa.Table(
    "dinamis_relay_imagery_tally",
    Base.metadata,
    sa.Column("organization_id", sa.UnicodeText, primary_key=True),
    sa.Column("state", sa.UnicodeText, primary_key=True),
    sa.Column("reviewer", sa.UnicodeText, primary_key=True),
    sa.Column("requests", sa.BigInteger, nullable=False),
)

month_total_table = sa.Table(
    "dinamis_relay_month_total",
    Base.metadata,
    # One of SERIES.
    sa.Column("series", sa.UnicodeText, primary_key=True),
    sa.Column("month", sa.Date, primary_key=True),
    sa.Column("n", sa.BigInteger, nullable=False),
)

# Series of the monthly totals: the counted table and the moment that puts a row in a month.
SERIES = {
    "downloads": ("dinamis_relay_download_event", "created"),
    "accounts_validated": ("dinamis_relay_account", "validated_at"),
    "imagery_requests": ("dinamis_relay_imagery_request", "submitted_at"),
}

# Tables PostgreSQL fills from others (migrations 0005 and 0011): never written directly.
DERIVED_TABLES = (
    "dinamis_relay_download_monthly",
    account_tally_table.name,
    imagery_tally_table.name,
    month_total_table.name,
)
