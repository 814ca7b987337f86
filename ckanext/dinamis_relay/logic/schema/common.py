"""Schema pieces shared by every object: paging, references by id."""

from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator

DEFAULT_LIMIT = 20


@validator_args
def paging(
    default: Validator, dinamis_relay_limit: Validator, dinamis_relay_offset: Validator
) -> Schema:
    """`limit` (1 to ckanext.dinamis_relay.list_max_limit, default 20) and `offset`: the
    paging of every list action, which answers {"count", "results"}."""
    return {
        "limit": [default(DEFAULT_LIMIT), dinamis_relay_limit],
        "offset": [default(0), dinamis_relay_offset],
    }


@validator_args
def by_id(not_empty: Validator, dinamis_relay_id: Validator) -> Schema:
    """An object named by a required `id`."""
    return {"id": [dinamis_relay_id, not_empty]}
