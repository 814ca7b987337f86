"""CSV files of the procedure's bulk actions (existing adherents, waves of applications).

Same rules as the account import (account_csv.py): UTF-8 (a BOM is fine), comma or semicolon
separated, every problem of the file as a whole refused with a message saying what to fix.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from .account_csv import CsvError, parse_columns, read_upload

MAX_ROWS = 1000

__all__ = ["CsvError", "parse", "rows_from"]


def parse(
    data: bytes | str, required: tuple[str, ...], optional: tuple[str, ...]
) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) for every non-blank data row; CsvError if the file is unusable."""
    return parse_columns(data, required, optional, MAX_ROWS)


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
