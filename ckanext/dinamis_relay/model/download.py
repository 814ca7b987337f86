from __future__ import annotations

import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped

from .base import Base, DictizeMixin, text_column, utcnow


class DownloadEvent(Base, DictizeMixin):
    """One download of a DINAMIS resource, for the global view and statistics.

    Append-only and expected to grow to millions of rows: a bigint key that grows with time
    (keyset paging on it) and one index per way the rows are read.
    """

    __table__ = sa.Table(
        "dinamis_relay_download_event",
        Base.metadata,
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        # Emptied after the retention period or when the person's data is erased; the
        # event still counts in the statistics.
        text_column("user_id"),
        # The entity whose account gave access; empty for staff downloads.
        text_column("organization_id"),
        text_column("dataset_id", nullable=False),
        text_column("resource_id", nullable=False),
        text_column("licence"),
        sa.Column("created", sa.DateTime, nullable=False, default=utcnow),
        sa.Index("dinamis_relay_download_created_idx", "created"),
        sa.Index("dinamis_relay_download_org_idx", "organization_id", "id"),
        sa.Index("dinamis_relay_download_user_idx", "user_id", "id"),
        sa.Index("dinamis_relay_download_dataset_idx", "dataset_id", "id"),
    )

    id: Mapped[int]
    user_id: Mapped[str | None]
    organization_id: Mapped[str | None]
    dataset_id: Mapped[str]
    resource_id: Mapped[str]
    licence: Mapped[str | None]
    created: Mapped[datetime.datetime]


# Downloads per month and entity, kept exact by PostgreSQL triggers on the events (migration
# 0005): the dashboard's monthly series read a few hundred rows instead of a million.
download_monthly_table = sa.Table(
    "dinamis_relay_download_monthly",
    Base.metadata,
    sa.Column("month", sa.Date, primary_key=True),
    # Empty for staff downloads (no entity): part of the key, so never NULL.
    sa.Column("organization_id", sa.UnicodeText, primary_key=True),
    sa.Column("downloads", sa.BigInteger, nullable=False),
    # The dashboard of a few entities (migration 0011): the primary key leads with the month.
    sa.Index(
        "dinamis_relay_download_monthly_org_idx",
        "organization_id",
        "month",
        postgresql_include=["downloads"],
    ),
)
