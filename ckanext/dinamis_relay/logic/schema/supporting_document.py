"""navl schemas of the supporting document actions (the file itself is checked by
documents/supporting.py, which names the `upload` field)."""

from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator

from ...model.supporting_document import KINDS, OTHER


@validator_args
def supporting_document_create(
    not_empty: Validator,
    default: Validator,
    ignore_missing: Validator,
    dinamis_relay_id: Validator,
    dinamis_relay_one_of: Validator,
) -> Schema:
    return {
        "adhesion_id": [not_empty, dinamis_relay_id],
        "kind": [default(OTHER), dinamis_relay_one_of(KINDS)],
        # Any object with a stream and a file name (a werkzeug FileStorage from a form or a
        # multipart API call); documents.supporting.check says what is wrong with it.
        "upload": [ignore_missing],
    }


@validator_args
def supporting_document_list(not_empty: Validator, dinamis_relay_id: Validator) -> Schema:
    return {"adhesion_id": [not_empty, dinamis_relay_id]}


@validator_args
def supporting_document_by_id(not_empty: Validator, dinamis_relay_id: Validator) -> Schema:
    return {"id": [not_empty, dinamis_relay_id]}
