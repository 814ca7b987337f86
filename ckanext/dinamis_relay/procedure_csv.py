"""CSV files of the procedure's bulk actions (existing adherents, waves of applications).

Same rules as the account import (account_csv.py): UTF-8 (a BOM is fine), comma or semicolon
separated, every problem of the file as a whole refused with a message saying what to fix.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import ckan.plugins.toolkit as tk

from .account_csv import CsvError, decode, read_upload

MAX_ROWS = 1000

__all__ = ["CsvError", "parse", "rows_from"]


def _expected(required: tuple[str, ...], optional: tuple[str, ...]) -> str:
    return tk._("Expected columns: {required} (required), {optional} (optional).").format(
        required=", ".join(required), optional=", ".join(optional)
    )


def parse(
    data: bytes | str, required: tuple[str, ...], optional: tuple[str, ...]
) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) for every non-blank data row; CsvError if the file is unusable."""
    text = decode(data)
    if not text.strip():
        raise CsvError(tk._("The file is empty.") + " " + _expected(required, optional))
    first_line = text.lstrip().splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text.lstrip()), delimiter=delimiter)
    columns = required + optional
    try:
        header = [cell.strip().lower() for cell in next(reader)]
        missing = [c for c in required if c not in header]
        unknown = [c for c in header if c not in columns]
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
                + _expected(required, optional)
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
            if len(rows) > MAX_ROWS:
                raise CsvError(tk._("Too many rows (at most {n}).").format(n=MAX_ROWS))
    except csv.Error as error:
        raise CsvError(
            tk._("The file is not valid CSV (line {line}: {error}).").format(
                line=reader.line_num, error=error
            )
        ) from None
    if not rows:
        raise CsvError(tk._("The file has a header but no rows."))
    return rows


def rows_from(
    data_dict: dict[str, Any], required: tuple[str, ...], optional: tuple[str, ...]
) -> list[tuple[int, dict[str, str]]]:
    """The rows of `upload` (a file) or `csv` (its text); ValidationError on `csv` if unusable."""
    try:
        if data_dict.get("upload") not in (None, ""):
            raw: bytes | str = read_upload(data_dict["upload"])
        elif data_dict.get("csv"):
            raw = data_dict["csv"]
        else:
            raise CsvError(tk._("Give a CSV file (upload) or its text (csv)"))
        return parse(raw, required, optional)
    except CsvError as error:
        raise tk.ValidationError({"csv": [str(error)]}) from None


def row_messages(line: int | str, errors: dict[str, Any]) -> list[str]:
    """ "Row 3: siret: ..." messages, as the account import writes them."""
    messages = []
    for field, field_errors in sorted(errors.items()):
        for message in field_errors if isinstance(field_errors, list) else [field_errors]:
            messages.append(
                tk._("Row {row}: {field}: {message}").format(row=line, field=field, message=message)
            )
    return messages


def item_messages(item: str, errors: dict[str, Any]) -> list[str]:
    """ "<adhesion id>: state: ..." messages of bulk operations."""
    messages = []
    for field, field_errors in sorted(errors.items()):
        for message in field_errors if isinstance(field_errors, list) else [field_errors]:
            messages.append(
                tk._("{item}: {field}: {message}").format(item=item, field=field, message=message)
            )
    return messages
