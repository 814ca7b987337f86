"""Official numbers (DINAMIS-2026-0042): unique and gap-free per kind and year."""

from __future__ import annotations

import datetime

import ckan.model as model
import ckan.plugins.toolkit as tk

from ..model.sequence import next_value

PATTERN_OPTIONS = {
    "adhesion": "ckanext.dinamis_relay.adhesion_number_pattern",
    "amendment": "ckanext.dinamis_relay.amendment_number_pattern",
    "convention": "ckanext.dinamis_relay.convention_number_pattern",
}


def next_number(kind: str, year: int | None = None) -> str:
    """Reserve and format the next number of `kind` ("adhesion", "amendment", "convention").

    Must run inside the transaction that stores the number: the counter row stays locked
    until it commits, and a rollback gives the number back.
    """
    year = year or datetime.date.today().year
    seq = next_value(model.Session(), kind, year)
    return tk.config[PATTERN_OPTIONS[kind]].format(year=year, seq=seq)
