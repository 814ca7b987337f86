from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Mapped

from .base import Base


class NumberSequence(Base):
    """Last number issued per kind (adhesion, amendment, convention) and year."""

    __table__ = sa.Table(
        "dinamis_relay_number_sequence",
        Base.metadata,
        sa.Column("kind", sa.UnicodeText, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last_value", sa.Integer, nullable=False),
    )

    kind: Mapped[str]
    year: Mapped[int]
    last_value: Mapped[int]


def next_value(session: sa.orm.Session, kind: str, year: int) -> int:
    """Reserve the next number of `kind` for `year`.

    The upsert locks the counter row until the caller's transaction ends, so concurrent
    callers queue up and a rolled-back transaction gives its number back: no gap, no
    duplicate. A PostgreSQL SEQUENCE would be faster but leaves gaps on rollback.
    """
    table = NumberSequence.__table__
    stmt = (
        insert(table)
        .values(kind=kind, year=year, last_value=1)
        .on_conflict_do_update(
            index_elements=[table.c.kind, table.c.year],
            set_={"last_value": table.c.last_value + 1},
        )
        .returning(table.c.last_value)
    )
    return int(session.execute(stmt).scalar_one())
