"""Sizes, ids and PostgreSQL COPY: the plumbing under the generator."""

from __future__ import annotations

import dataclasses
import datetime
import io
import json
import random
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from typing import Any


@dataclasses.dataclass
class Sizes:
    entities: int = 1000
    accounts: int = 50000
    downloads: int = 1000000
    requests: int = 20000
    # Imagery datasets with footprints (published by DINAMIS, indexed): by default 400 at
    # regional scale, one per ten entities beyond (indexing takes about 0.1 s each).
    datasets: int | None = None

    def __post_init__(self) -> None:
        if self.datasets is None:
            self.datasets = max(400, self.entities // 10)


class _Ids:
    """Reproducible UUIDs from the generator's seeded random source."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = "".join(c if c.isalnum() else "-" for c in ascii_text.lower())
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-")


def _luhn(prefix: str) -> str:
    for digit in "0123456789":
        candidate = prefix + digit
        total = 0
        for index, char in enumerate(reversed(candidate)):
            value = int(char) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def _copy_value(value: Any) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _copy(cursor: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY rows into a table, 50,000 at a time."""
    statement = 'COPY "{}" ({}) FROM STDIN'.format(table, ", ".join(f'"{c}"' for c in columns))
    count = 0
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_value(v) for v in row))
        buffer.write("\n")
        count += 1
        if count % 50000 == 0:
            buffer.seek(0)
            cursor.copy_expert(statement, buffer)
            buffer = io.StringIO()
    buffer.seek(0)
    cursor.copy_expert(statement, buffer)
    return count
