"""The global view: the staff dashboard with its CSV exports, and the public statistics page.

Charts are bars in HTML and CSS drawn on the server (no script, no CDN), each followed by the
table of its figures, the accessible alternative (RGAA).
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
from collections.abc import Iterator
from typing import Any

import ckan.plugins.toolkit as tk
from babel import dates as babel_dates
from flask import Response, stream_with_context
from flask.typing import ResponseReturnValue

from .. import l10n, labels
from ..logic.schema.dashboard import DEFAULT_MONTHS, EXPORT_KINDS
from . import action_context as _context
from . import dinamis_relay, export_columns

MONTH_CHOICES = (3, 6, 12, 24, 36)
# CSV for spreadsheets set to French: `;` between cells (`,` is the decimal separator there)
# and a byte order mark, without which Excel reads UTF-8 as Windows-1252.
CSV_DELIMITER = ";"
CSV_BOM = "\ufeff"
# Cells a spreadsheet would run as a formula (CSV injection): prefixed with a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_PAGE = 1000


def _errors(error: tk.ValidationError) -> dict[str, list[str]]:
    return {
        field: [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]
        for field, messages in (error.error_dict or {}).items()
    }


def _filters(args: Any) -> dict[str, Any]:
    """The filters of the query string, as given (the action validates them)."""
    return {
        key: args[key].strip()
        for key in ("organization_id", "months", "validated")
        if args.get(key, "").strip()
    }


def _ticks(top: int) -> list[int]:
    """Round values for the scale, from 0 to at least `top`, at most five: 0, 2, 4, 6…"""
    steps = itertools.chain.from_iterable((m, 2 * m, 5 * m) for m in (10**e for e in range(12)))
    step = next(s for s in steps if top <= 4 * s)
    last = -(-top // step) * step
    return list(range(0, last + 1, step))


def _month_label(month: str) -> tuple[str, str]:
    """("déc.", "décembre 2026") for "2026-12", in the page's language."""
    day = datetime.date(int(month[:4]), int(month[5:7]), 1)
    locale = l10n.current_locale()
    return (
        babel_dates.format_date(day, "MMM", locale=locale),
        babel_dates.format_date(day, "LLLL y", locale=locale),
    )


def chart(labels: list[str], values: list[int]) -> dict[str, Any]:
    """A bar chart drawn in HTML and CSS: heights in % of the highest tick of the scale, so
    that its labels keep the size of the page's text at any width (an SVG stretched to its
    box made them tiny). `labels` are months ("2026-12")."""
    ticks = _ticks(max(values) if values else 0)
    top = ticks[-1] or 1
    every = max(1, -(-len(values) // 12))  # at most 12 month names under the bars
    bars = []
    for index, (month, value) in enumerate(zip(labels, values, strict=True)):
        short, long = _month_label(month)
        bars.append(
            {
                "percent": round(100 * value / top, 2),
                "label": long,
                "short": short,
                "shown": index % every == 0,
                # The year under the first month named and under January.
                "year": month[:4] if index == 0 or month[5:7] == "01" else "",
                "value": value,
            }
        )
    return {
        "bars": bars,
        "ticks": [{"value": tick, "percent": round(100 * tick / top, 2)} for tick in ticks],
        "max": max(values) if values else 0,
        "every": every,
    }


def _labels() -> dict[str, dict[str, str]]:
    return {
        "adhesion_state": labels.adhesion_states(),
        "account_state": labels.account_states(),
        "imagery_state": labels.imagery_states(),
        "entity_type": labels.entity_types(),
        "mode": labels.modes(),
        "imagery_event": labels.imagery_events(),
        "account_event": labels.account_events(),
    }


@dinamis_relay.route("/dashboard")
def dashboard() -> ResponseReturnValue:
    """The global view of super-referents, instructors and sysadmins; referents see theirs."""
    if not tk.current_user.is_authenticated:
        return tk.abort(403, tk._("Log in to see the DINAMIS dashboard"))
    filters = _filters(tk.request.args)
    errors: dict[str, list[str]] = {}
    action = tk.get_action("dinamis_relay_dashboard")
    try:
        data = action(_context(), dict(filters))
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error) or tk._("Not authorized to see this page"))
    except tk.ValidationError as error:
        # Nonsense filters: say which, and show the unfiltered view.
        errors = _errors(error)
        try:
            data = action(_context(), {})
        except tk.NotAuthorized as refused:
            return tk.abort(403, str(refused) or tk._("Not authorized to see this page"))
    monthly = data["monthly"]
    charts = {
        kind: chart(monthly["months"], monthly[kind])
        for kind in ("downloads", "imagery_requests", "accounts_validated")
    }
    export_args = {k: v for k, v in filters.items() if k not in errors}
    return tk.render(
        "dinamis_relay/dashboard/index.html",
        {
            "data": data,
            "filters": filters,
            "errors": errors,
            "charts": charts,
            "labels": _labels(),
            "month_choices": MONTH_CHOICES,
            "export_args": export_args,
        },
    )


def _csv_line(values: list[Any]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow([_csv_cell(value) for value in values])
    return buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dinamis_relay.route("/dashboard/export/<kind>.csv")
def dashboard_export(kind: str) -> ResponseReturnValue:
    """Entities, accounts or activity as CSV, streamed page by page (see CSV_DELIMITER)."""
    if kind not in EXPORT_KINDS:
        return tk.abort(404, tk._("No such export"))
    if not tk.current_user.is_authenticated:
        return tk.abort(403, tk._("Log in to export the DINAMIS dashboard"))
    filters = _filters(tk.request.args)
    if kind != "activity":
        filters.pop("months", None)
    action = tk.get_action("dinamis_relay_dashboard_export")
    request_data = {**filters, "kind": kind, "limit": EXPORT_PAGE}
    # The first page before the response starts: refusals and bad filters get a real
    # status, not a truncated file.
    try:
        first = action(_context(), dict(request_data))
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error) or tk._("Not authorized to export"))
    except tk.ValidationError as error:
        message = "; ".join(f"{k}: {' '.join(v)}" for k, v in _errors(error).items())
        return tk.abort(400, message)

    names = list(first["columns"])
    written = export_columns.columns(kind, names)

    def lines() -> Iterator[str]:
        yield CSV_BOM + _csv_line([header for header, _cell in written])
        page = first
        while True:
            for values in page["rows"]:
                row = dict(zip(names, values, strict=True))
                yield _csv_line([cell(row) for _header, cell in written])
            if not page["next"]:
                return
            page = action(_context(), {**request_data, "after": page["next"]})

    today = datetime.date.today().isoformat()
    return Response(
        stream_with_context(lines()),
        mimetype="text/csv",
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="dinamis-{kind}-{today}.csv"',
            "Cache-Control": "no-store",
        },
    )


@dinamis_relay.route("/stats")
def stats() -> ResponseReturnValue:
    """Public statistics of the service."""
    errors: dict[str, list[str]] = {}
    months = tk.request.args.get("months", "").strip()
    action = tk.get_action("dinamis_relay_stats")
    try:
        data = action(_context(), {"months": months} if months else {})
    except tk.ValidationError as error:
        errors = _errors(error)
        data = action(_context(), {})
    monthly = data["monthly"]
    charts = {
        kind: chart(monthly["months"], monthly[kind])
        for kind in ("downloads", "imagery_requests", "accounts_validated", "adhesions_accepted")
    }
    return tk.render(
        "dinamis_relay/stats/index.html",
        {
            "data": data,
            "errors": errors,
            "charts": charts,
            "labels": _labels(),
            "month_choices": MONTH_CHOICES,
            "months": data.get("months", DEFAULT_MONTHS),
        },
    )
