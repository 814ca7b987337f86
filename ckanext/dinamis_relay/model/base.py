from __future__ import annotations

import datetime
import uuid
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa


def text_column(name: str, *args: Any, **kwargs: Any) -> sa.Column:
    return sa.Column(name, sa.UnicodeText, *args, **kwargs)


def make_uuid() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime.datetime:
    """Naive UTC, as CKAN stores its own timestamps."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class DictizeMixin:
    """Plain dict of the row's columns, dates as ISO strings, for action results."""

    __table__: sa.Table

    def dictize(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for column in self.__table__.columns:
            value = getattr(self, column.key)
            if isinstance(value, (datetime.datetime, datetime.date)):
                value = value.isoformat()
            result[column.key] = value
        return result


class LockableMixin:
    """Row-locking reads shared by the objects that have a lifecycle."""

    id: Any

    @classmethod
    def locked(cls, session: Any, object_id: str) -> Any:
        """The row by id, locked until the end of the transaction (`SELECT … FOR UPDATE`)
        and reloaded, so concurrent transitions of one object queue up and the second one
        sees the state the first one left; None when there is no such row."""
        return session.execute(
            sa.select(cls)
            .where(cls.id == object_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one_or_none()


Base = tk.BaseModel
