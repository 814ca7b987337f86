"""navl schemas of the document actions."""

from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Context, Schema, Validator

from ...model.document import KINDS, LANGS
from .common import paging

HEX64 = re.compile(r"^[0-9a-f]{64}$")
MAX_NUMBER_LENGTH = 100


def fingerprint_validator(value: Any, context: Context) -> str:
    """A SHA-256 as printed (groups of 8, any case) or pasted from sha256sum."""
    if not isinstance(value, str) or len(value) > 200:
        raise tk.Invalid(tk._("A fingerprint is 64 hexadecimal characters"))
    text = re.sub(r"\s+", "", value).lower()
    if not HEX64.match(text):
        raise tk.Invalid(tk._("A fingerprint is 64 hexadecimal characters"))
    return text


@validator_args
def document_show(
    ignore_missing: Validator, dinamis_relay_id: Validator, dinamis_relay_one_of: Validator
) -> Schema:
    return {
        "id": [ignore_missing, dinamis_relay_id],
        "adhesion_id": [ignore_missing, dinamis_relay_id],
        "kind": [ignore_missing, dinamis_relay_one_of(KINDS)],
        "lang": [ignore_missing, dinamis_relay_one_of(LANGS)],
    }


@validator_args
def document_list(
    ignore_missing: Validator,
    default: Validator,
    dinamis_relay_id: Validator,
    dinamis_relay_bool: Validator,
) -> Schema:
    return {
        **paging(),
        "adhesion_id": [ignore_missing, dinamis_relay_id],
        "organization_id": [ignore_missing, dinamis_relay_id],
        "all_versions": [default(False), dinamis_relay_bool],
    }


@validator_args
def document_generate(
    not_empty: Validator,
    ignore_missing: Validator,
    dinamis_relay_id: Validator,
    dinamis_relay_one_of: Validator,
) -> Schema:
    return {
        "adhesion_id": [dinamis_relay_id, not_empty],
        "kind": [not_empty, dinamis_relay_one_of(KINDS)],
        "lang": [ignore_missing, dinamis_relay_one_of(LANGS)],
    }


@validator_args
def document_verify(ignore_missing: Validator, dinamis_relay_text: Validator) -> Schema:
    return {
        "number": [ignore_missing, dinamis_relay_text(MAX_NUMBER_LENGTH)],
        "fingerprint": [ignore_missing, fingerprint_validator],
        "sha256": [ignore_missing, fingerprint_validator],
        # A file object (multipart upload); read by the action, not validated here.
        "upload": [ignore_missing],
    }
