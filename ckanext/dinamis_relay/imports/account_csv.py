"""Reading the CSV files of bulk account imports.

The file must be UTF-8 (a byte-order mark, as Excel writes it, is fine); comma or semicolon
separated, as French spreadsheets often use semicolons. Anything else is refused with a message
that says what to fix, rather than guessed: a wrongly decoded name would create a wrong account.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import ckan.plugins.toolkit as tk

REQUIRED_COLUMNS = ("email", "fullname", "job_title", "intended_use")
OPTIONAL_COLUMNS = ("department", "phone", "organization")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
MAX_ROWS = 2000


def max_bytes() -> int:
    """Largest CSV accepted, as a file or as text (config: account_import.max_bytes)."""
    return int(tk.config.get("ckanext.dinamis_relay.account_import.max_bytes") or 2 * 1024 * 1024)


def too_large_message() -> str:
    return tk._("The file is too large (at most {size} kB)").format(size=max_bytes() // 1024)


class CsvError(ValueError):
    """The file as a whole cannot be read; the message is shown to the user."""


def read_upload(upload: Any) -> bytes:
    """Bytes of an uploaded file (werkzeug FileStorage or cgi FieldStorage-like)."""
    stream = getattr(upload, "stream", None) or getattr(upload, "file", None) or upload
    if not hasattr(stream, "read"):
        raise CsvError(tk._("No file was uploaded"))
    try:
        data = stream.read(max_bytes() + 1)
    except (OSError, ValueError, TypeError):
        raise CsvError(tk._("No file was uploaded")) from None
    if not isinstance(data, (bytes, str)):
        raise CsvError(tk._("No file was uploaded"))
    if len(data) > max_bytes():
        raise CsvError(too_large_message())
    return data if isinstance(data, bytes) else data.encode("utf-8", "replace")


def decode(data: bytes | str) -> str:
    if not isinstance(data, (bytes, str)):
        raise CsvError(tk._("Give the CSV file's content as text"))
    if len(data) > max_bytes():
        raise CsvError(too_large_message())
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvError(
            tk._(
                "The file is not encoded in UTF-8 (it may be Latin-1 / Windows-1252). "
                'Save it as "CSV UTF-8" from your spreadsheet and try again.'
            )
        ) from None


def _dialect(header_line: str) -> str:
    return ";" if header_line.count(";") > header_line.count(",") else ","


def expected_columns_text(
    required: tuple[str, ...] = REQUIRED_COLUMNS, optional: tuple[str, ...] = OPTIONAL_COLUMNS
) -> str:
    return tk._("Expected columns: {required} (required), {optional} (optional).").format(
        required=", ".join(required), optional=", ".join(optional)
    )


def parse(data: bytes | str) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) for every non-blank data row of an account import; CsvError if
    the file is unusable (not text, too large, not UTF-8, a NUL character or a lone
    surrogate, bad header)."""
    return parse_columns(data, REQUIRED_COLUMNS, OPTIONAL_COLUMNS, MAX_ROWS)


def parse_columns(
    data: bytes | str, required: tuple[str, ...], optional: tuple[str, ...], max_rows: int
) -> list[tuple[int, dict[str, str]]]:
    """`parse` for any set of columns (the procedure's imports use it too)."""
    text = decode(data)
    if "\x00" in text or _SURROGATE_RE.search(text):
        raise CsvError(
            tk._("The file contains characters that are not text (NUL or invalid Unicode).")
        )
    if not text.strip():
        raise CsvError(tk._("The file is empty.") + " " + expected_columns_text(required, optional))
    first_line = text.lstrip().splitlines()[0]
    reader = csv.reader(io.StringIO(text.lstrip()), delimiter=_dialect(first_line))
    try:
        header = [cell.strip().lower() for cell in next(reader)]
        missing = [c for c in required if c not in header]
        unknown = [c for c in header if c not in required + optional]
        duplicated = sorted({c for c in header if header.count(c) > 1})
        if missing or unknown or duplicated:
            problems = []
            if missing:
                problems.append(tk._("missing column(s): {}").format(", ".join(missing)))
            if unknown:
                problems.append(tk._("unknown column(s): {}").format(", ".join(unknown)))
            if duplicated:
                problems.append(tk._("repeated column(s): {}").format(", ".join(duplicated)))
            raise CsvError(
                tk._("Wrong header ({problems}).").format(problems="; ".join(problems))
                + " "
                + expected_columns_text(required, optional)
            )
        rows: list[tuple[int, dict[str, str]]] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                raise CsvError(
                    tk._("Line {line} has {found} cells, the header has {expected}.").format(
                        line=reader.line_num, found=len(cells), expected=len(header)
                    )
                )
            rows.append(
                (reader.line_num, dict(zip(header, (c.strip() for c in cells), strict=True)))
            )
            if len(rows) > max_rows:
                raise CsvError(tk._("Too many rows (at most {n}).").format(n=max_rows))
    except csv.Error:
        # csv's own message is English and technical: the line is what helps.
        raise CsvError(
            tk._("The file is not valid CSV (line {line}).").format(line=reader.line_num)
        ) from None
    if not rows:
        raise CsvError(tk._("The file has a header but no rows."))
    return rows
