"""navl schemas of the document actions."""

from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, Schema

from ..model.document import KINDS, LANGS

HEX64 = re.compile(r"^[0-9a-f]{64}$")
MAX_NUMBER_LENGTH = 100
MAX_LIMIT = 1000


def fingerprint_validator(value: Any, context: Context) -> str:
    """A SHA-256 as printed (groups of 8, any case) or pasted from sha256sum."""
    text = re.sub(r"\s+", "", str(value)).lower()
    if not HEX64.match(text):
        raise tk.Invalid(tk._("A fingerprint is 64 hexadecimal characters"))
    return text


def number_validator(value: Any, context: Context) -> str:
    text = str(value).strip()
    if len(text) > MAX_NUMBER_LENGTH:
        raise tk.Invalid(tk._("Must be at most {n} characters").format(n=MAX_NUMBER_LENGTH))
    return text


def _one_of(values: tuple[str, ...]) -> Any:
    def validator(value: Any, context: Context) -> str:
        if value not in values:
            raise tk.Invalid(tk._("Must be one of: {values}").format(values=", ".join(values)))
        return value

    return validator


def document_show() -> Schema:
    v = tk.get_validator
    return {
        "id": [v("ignore_missing"), v("unicode_safe")],
        "adhesion_id": [v("ignore_missing"), v("unicode_safe")],
        "kind": [v("ignore_missing"), _one_of(KINDS)],
        "lang": [v("ignore_missing"), _one_of(LANGS)],
    }


def document_list() -> Schema:
    v = tk.get_validator
    return {
        "adhesion_id": [v("ignore_missing"), v("unicode_safe")],
        "organization_id": [v("ignore_missing"), v("unicode_safe")],
        "all_versions": [v("default")(False), v("boolean_validator")],
        "limit": [
            v("default")(100),
            v("natural_number_validator"),
            v("limit_to_configured_maximum")("", 1000),
        ],
        "offset": [v("default")(0), v("natural_number_validator")],
    }


def document_generate() -> Schema:
    v = tk.get_validator
    return {
        "adhesion_id": [v("not_empty"), v("unicode_safe")],
        "kind": [v("not_empty"), _one_of(KINDS)],
        "lang": [v("ignore_missing"), _one_of(LANGS)],
    }


def document_verify() -> Schema:
    v = tk.get_validator
    return {
        "number": [v("ignore_missing"), v("unicode_safe"), number_validator],
        "fingerprint": [v("ignore_missing"), fingerprint_validator],
        "sha256": [v("ignore_missing"), fingerprint_validator],
        # A file object (multipart upload); read by the action, not validated here.
        "upload": [v("ignore_missing")],
    }
