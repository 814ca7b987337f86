from __future__ import annotations

import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped

from .base import Base, DictizeMixin, LockableMixin, make_uuid, text_column, utcnow

# Imagery request states (DOMAIN.md, "Access to services").
DRAFT = "draft"
SUBMITTED = "submitted"
IN_REVIEW = "in_review"
ANSWERED = "answered"
FORWARDED = "forwarded"
ACCEPTED = "accepted"
IN_PROGRESS = "in_progress"
DELIVERED = "delivered"
CLOSED = "closed"
REJECTED = "rejected"
CANCELLED = "cancelled"
STATES = (
    DRAFT,
    SUBMITTED,
    IN_REVIEW,
    ANSWERED,
    FORWARDED,
    ACCEPTED,
    IN_PROGRESS,
    DELIVERED,
    CLOSED,
    REJECTED,
    CANCELLED,
)
FINAL_STATES = (CLOSED, REJECTED, CANCELLED)

SENSORS = ("spot67", "pleiades", "pleiades_neo")
ACQUISITION_MODES = ("archive", "new_acquisition")
# Who does the first-level review: the relay's super-referents for relay-mode entities,
# the entity referent for classic-mode ones (fixed when the request is submitted).
REVIEWERS = ("relay", "referent")

# Fields the requester fills in (create and update).
EDITABLE_FIELDS = (
    "title",
    "area",
    "period_start",
    "period_end",
    "sensor",
    "stereo",
    "max_cloud_cover",
    "max_viewing_angle",
    "acquisition_mode",
    "intended_use",
    "justification",
)

imagery_request_table = sa.Table(
    "dinamis_relay_imagery_request",
    Base.metadata,
    text_column("id", primary_key=True, default=make_uuid),
    # Given on submission (pattern `ckanext.dinamis_relay.imagery.number_pattern`).
    text_column("number", unique=True),
    text_column("user_id", nullable=False),
    text_column("organization_id", nullable=False),
    text_column("title", nullable=False),
    # Normalised GeoJSON geometry (Polygon or MultiPolygon, WGS84) and its computed area.
    sa.Column("area", JSONB, nullable=False),
    sa.Column("area_km2", sa.Float, nullable=False),
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("period_end", sa.Date, nullable=False),
    text_column("sensor", nullable=False),
    sa.Column("stereo", sa.Boolean, nullable=False, default=False),
    sa.Column("max_cloud_cover", sa.Integer, nullable=False),
    sa.Column("max_viewing_angle", sa.Integer, nullable=False),
    text_column("acquisition_mode", nullable=False),
    text_column("intended_use", nullable=False),
    text_column("justification"),
    text_column("state", nullable=False, default=DRAFT),
    text_column("reviewer", nullable=False, default="relay"),
    sa.Column("submitted_at", sa.DateTime),
    # Set when the request reaches DINAMIS: from then on instructors see it.
    sa.Column("forwarded_at", sa.DateTime),
    sa.Column("closed_at", sa.DateTime),
    sa.Column("created", sa.DateTime, nullable=False, default=utcnow),
    sa.Column("modified", sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow),
    sa.Index("dinamis_relay_imagery_user_idx", "user_id", "created"),
    sa.Index("dinamis_relay_imagery_org_idx", "organization_id", "created"),
    sa.Index("dinamis_relay_imagery_state_idx", "state", "modified"),
    # The dashboard's monthly series of submitted requests (migration 0005).
    sa.Index("dinamis_relay_imagery_submitted_idx", "submitted_at"),
)


class ImageryRequest(Base, DictizeMixin, LockableMixin):
    """A new imagery request (archive search or acquisition programming) by one person for
    one entity (CKAN organization)."""

    __table__ = imagery_request_table

    id: Mapped[str]
    number: Mapped[str | None]
    user_id: Mapped[str]
    organization_id: Mapped[str]
    title: Mapped[str]
    area: Mapped[dict[str, Any]]
    area_km2: Mapped[float]
    period_start: Mapped[datetime.date]
    period_end: Mapped[datetime.date]
    sensor: Mapped[str]
    stereo: Mapped[bool]
    max_cloud_cover: Mapped[int]
    max_viewing_angle: Mapped[int]
    acquisition_mode: Mapped[str]
    intended_use: Mapped[str]
    justification: Mapped[str | None]
    state: Mapped[str]
    reviewer: Mapped[str]
    submitted_at: Mapped[datetime.datetime | None]
    forwarded_at: Mapped[datetime.datetime | None]
    closed_at: Mapped[datetime.datetime | None]
    created: Mapped[datetime.datetime]
    modified: Mapped[datetime.datetime]


class ImageryRequestComment(Base, DictizeMixin):
    """One message of a request's thread. Internal messages are between staff (relay,
    referent, DINAMIS) and hidden from the requester."""

    __table__ = sa.Table(
        "dinamis_relay_imagery_comment",
        Base.metadata,
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        text_column(
            "request_id",
            sa.ForeignKey("dinamis_relay_imagery_request.id", ondelete="CASCADE"),
            nullable=False,
        ),
        text_column("user_id", nullable=False),
        text_column("body", nullable=False),
        sa.Column("internal", sa.Boolean, nullable=False, default=False),
        # The transition this message came with, if any (e.g. "answer", "reject").
        text_column("transition"),
        sa.Column("created", sa.DateTime, nullable=False, default=utcnow),
        sa.Index("dinamis_relay_imagery_comment_request_idx", "request_id", "id"),
    )

    id: Mapped[int]
    request_id: Mapped[str]
    user_id: Mapped[str]
    body: Mapped[str]
    internal: Mapped[bool]
    transition: Mapped[str | None]
    created: Mapped[datetime.datetime]
