"""navl schemas of the dashboard, statistics and export actions."""

from __future__ import annotations

import re

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey, Schema, Validator

MAX_MONTHS = 36
DEFAULT_MONTHS = 12
EXPORT_KINDS = ("entities", "accounts", "activity")
EXPORT_PAGE = 1000


@validator_args
def dashboard(
    ignore_empty: Validator,
    default: Validator,
    dinamis_relay_organization_id: Validator,
    dinamis_relay_int: Validator,
    dinamis_relay_bool: Validator,
) -> Schema:
    return {
        "organization_id": [ignore_empty, dinamis_relay_organization_id],
        "months": [default(DEFAULT_MONTHS), dinamis_relay_int(1, MAX_MONTHS)],
        "validated": [default(False), dinamis_relay_bool],
    }


@validator_args
def stats(default: Validator, dinamis_relay_int: Validator) -> Schema:
    return {"months": [default(DEFAULT_MONTHS), dinamis_relay_int(1, MAX_MONTHS)]}


@validator_args
def dashboard_export(
    not_empty: Validator,
    ignore_empty: Validator,
    default: Validator,
    dinamis_relay_one_of: Validator,
    dinamis_relay_organization_id: Validator,
    dinamis_relay_int: Validator,
    dinamis_relay_bool: Validator,
    dinamis_relay_text: Validator,
    dinamis_relay_limit: Validator,
) -> Schema:
    # Keyset pages (`after`: the previous page's `next`), with the lists' one maximum.
    return {
        "kind": [not_empty, dinamis_relay_one_of(EXPORT_KINDS)],
        "organization_id": [ignore_empty, dinamis_relay_organization_id],
        "months": [ignore_empty, dinamis_relay_int(1, MAX_MONTHS)],
        "validated": [default(False), dinamis_relay_bool],
        "after": [ignore_empty, dinamis_relay_text(200)],
        "limit": [default(EXPORT_PAGE), dinamis_relay_limit],
        "__after": [_activity_key],
    }


def _activity_key(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """The activity export pages on audit event ids (a bigint): ASCII digits only."""
    after = data.get(("after",))
    if data.get(("kind",)) != "activity" or not isinstance(after, str) or not after:
        return
    if not re.fullmatch(r"[0-9]{1,18}", after):
        errors.setdefault(("after",), []).append(tk._("Not a page key of this export"))
