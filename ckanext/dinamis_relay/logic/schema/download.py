"""navl schemas of the download actions."""

from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator

from .common import by_id, paging

# Keyset cursor: download event ids are a bigint sequence.
MAX_EVENT_ID = 2**62


def download_record() -> Schema:
    return by_id()


@validator_args
def download_list(
    ignore_missing: Validator,
    default: Validator,
    dinamis_relay_id: Validator,
    dinamis_relay_int: Validator,
    dinamis_relay_date: Validator,
) -> Schema:
    schema = paging()
    schema["limit"] = [default(50), *schema["limit"][1:]]
    schema.update(
        {
            "before_id": [ignore_missing, dinamis_relay_int(1, MAX_EVENT_ID)],
            "organization_id": [ignore_missing, dinamis_relay_id],
            "user_id": [ignore_missing, dinamis_relay_id],
            "dataset_id": [ignore_missing, dinamis_relay_id],
            "resource_id": [ignore_missing, dinamis_relay_id],
            "since": [ignore_missing, dinamis_relay_date],
            "until": [ignore_missing, dinamis_relay_date],
        }
    )
    return schema
