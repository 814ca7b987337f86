"""Tables of the real procedure's additions (issue 15): registered adhesions and quotas.

Kept apart from the adhesion and imagery tables so that those stay as the lifecycle code
declares them; each row points to its adhesion or request by id.
"""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped

from .base import Base, DictizeMixin, text_column, utcnow


class Registration(Base, DictizeMixin):
    """An adhesion accepted outside the platform and registered here (no new procedure).

    The adhesion row carries the number and dates like any accepted one; this row says it was
    registered, whether the number follows the platform's pattern, and by whom.
    """

    __table__ = sa.Table(
        "dinamis_relay_registration",
        Base.metadata,
        text_column(
            "adhesion_id",
            sa.ForeignKey("dinamis_relay_adhesion.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        # True when the number does not follow `adhesion_number_pattern` (given by DINAMIS
        # under another scheme): shown as "external".
        sa.Column("number_external", sa.Boolean, nullable=False, default=False),
        sa.Column("accepted_on", sa.Date, nullable=False),
        text_column("registered_by"),
        sa.Column("registered_at", sa.DateTime, nullable=False, default=utcnow),
        text_column("note"),
    )

    adhesion_id: Mapped[str]
    number_external: Mapped[bool]
    accepted_on: Mapped[datetime.date]
    registered_by: Mapped[str | None]
    registered_at: Mapped[datetime.datetime]
    note: Mapped[str | None]


class QuotaOverride(Base, DictizeMixin):
    """An instructor's quota for one entity and sensor, replacing the configured default."""

    __table__ = sa.Table(
        "dinamis_relay_quota_override",
        Base.metadata,
        text_column("organization_id", primary_key=True),
        text_column("sensor", primary_key=True),
        sa.Column("km2", sa.Integer, nullable=False),
        text_column("set_by"),
        sa.Column("set_at", sa.DateTime, nullable=False, default=utcnow),
    )

    organization_id: Mapped[str]
    sensor: Mapped[str]
    km2: Mapped[int]
    set_by: Mapped[str | None]
    set_at: Mapped[datetime.datetime]


class QuotaCounter(Base, DictizeMixin):
    """What an entity consumed of one sensor's quota in one period ("2026", "2026-Q2").

    Acceptances lock this row, so concurrent ones queue up and never overspend.
    """

    __table__ = sa.Table(
        "dinamis_relay_quota_counter",
        Base.metadata,
        text_column("organization_id", primary_key=True),
        text_column("sensor", primary_key=True),
        text_column("period", primary_key=True),
        sa.Column("consumed_km2", sa.Float, nullable=False, default=0.0),
        sa.Index("dinamis_relay_quota_counter_period_idx", "period", "sensor"),
    )

    organization_id: Mapped[str]
    sensor: Mapped[str]
    period: Mapped[str]
    consumed_km2: Mapped[float]


class QuotaUse(Base, DictizeMixin):
    """The quota an accepted imagery request took, so that a later rejection or
    cancellation gives back exactly that, to that period."""

    __table__ = sa.Table(
        "dinamis_relay_quota_use",
        Base.metadata,
        text_column(
            "request_id",
            sa.ForeignKey("dinamis_relay_imagery_request.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        text_column("organization_id", nullable=False),
        text_column("sensor", nullable=False),
        text_column("period", nullable=False),
        sa.Column("km2", sa.Float, nullable=False),
        sa.Column("consumed_at", sa.DateTime, nullable=False, default=utcnow),
        sa.Column("restored_at", sa.DateTime),
    )

    request_id: Mapped[str]
    organization_id: Mapped[str]
    sensor: Mapped[str]
    period: Mapped[str]
    km2: Mapped[float]
    consumed_at: Mapped[datetime.datetime]
    restored_at: Mapped[datetime.datetime | None]
