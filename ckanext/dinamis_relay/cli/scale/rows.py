"""Sizes, ids and PostgreSQL COPY: the plumbing under the generator."""

from __future__ import annotations

import dataclasses
import datetime
import functools
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


@functools.lru_cache(maxsize=65536)
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


def _escaped(text: str) -> str:
    """COPY's text format escapes backslashes and the row and column separators (few
    values have any: test first, it is four times faster than a translation)."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _copy_value(value: Any) -> str:
    """One value in PostgreSQL's COPY text format."""
    kind = type(value)
    if kind is str:
        return _escaped(value)
    if value is None:
        return "\\N"
    if kind is bool:
        return "t" if value else "f"
    if kind is datetime.datetime:
        return value.isoformat(sep=" ")
    if kind is dict or kind is list:
        return _escaped(json.dumps(value, ensure_ascii=False))
    return _escaped(str(value))


def _copy(
    cursor: Any,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    freeze: bool = False,
) -> int:
    """COPY rows into a table, 50,000 at a time. `freeze`: the table was emptied in this
    transaction, its rows are written frozen and all-visible (no VACUUM pass to set hint
    bits over the whole table afterwards)."""
    statement = 'COPY "{}" ({}) FROM STDIN{}'.format(
        table, ", ".join(f'"{c}"' for c in columns), " WITH (FREEZE)" if freeze else ""
    )
    count = 0
    lines: list[str] = []
    value = _copy_value
    for row in rows:
        lines.append("\t".join([value(v) for v in row]))
        count += 1
        if len(lines) == 50000:
            cursor.copy_expert(statement, io.StringIO("\n".join(lines) + "\n"))
            lines = []
    if lines:
        cursor.copy_expert(statement, io.StringIO("\n".join(lines) + "\n"))
    return count
