"""navl schemas of the adhesion actions."""

from __future__ import annotations

import datetime
from typing import Any

from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator

from ...model.adhesion import DECISIONS, LEGAL_DECISIONS, MODES, STATES
from .common import by_id, paging

# Free-text adhesion fields and their length limit (`short` / `long`: declared in
# config_declaration.yaml).
TEXT_FIELDS = {
    "legal_name": "short",
    "acronym": "short",
    "eligibility_justification": "long",
    "address": "short",
    "city": "short",
    "legal_rep_name": "short",
    "legal_rep_title": "short",
    "referent_title": "short",
    "convention_number": "short",
    "amendment_number": "short",
}


@validator_args
def _adhesion_fields(
    ignore_missing: Validator,
    ignore: Validator,
    dinamis_relay_text: Validator,
    dinamis_relay_siret: Validator,
    dinamis_relay_entity_type: Validator,
    dinamis_relay_eligibility_category: Validator,
    dinamis_relay_postcode: Validator,
    dinamis_relay_department: Validator,
    dinamis_relay_website: Validator,
    dinamis_relay_phone: Validator,
    dinamis_relay_email: Validator,
    dinamis_relay_email_domains: Validator,
    dinamis_relay_user_id: Validator,
    dinamis_relay_postcode_matches_department: Validator,
) -> Schema:
    schema: Schema = {
        name: [ignore_missing, dinamis_relay_text(limit)] for name, limit in TEXT_FIELDS.items()
    }
    schema.update(
        {
            "siret": [ignore_missing, dinamis_relay_siret],
            "entity_type": [ignore_missing, dinamis_relay_entity_type],
            "eligibility_category": [ignore_missing, dinamis_relay_eligibility_category],
            "postcode": [ignore_missing, dinamis_relay_postcode],
            "department": [ignore_missing, dinamis_relay_department],
            "website": [ignore_missing, dinamis_relay_website],
            "phone": [ignore_missing, dinamis_relay_phone],
            "email_domains": [ignore_missing, dinamis_relay_email_domains],
            "legal_rep_email": [ignore_missing, dinamis_relay_email],
            "referent_user_id": [ignore_missing, dinamis_relay_user_id],
            "referent_phone": [ignore_missing, dinamis_relay_phone],
            "__after": [dinamis_relay_postcode_matches_department],
            "__extras": [ignore],
            "__junk": [ignore],
        }
    )
    return schema


@validator_args
def adhesion_create(
    not_empty: Validator,
    dinamis_relay_organization_id: Validator,
    dinamis_relay_mode: Validator,
    dinamis_relay_text: Validator,
) -> Schema:
    # The mode decides who may act (classic: the entity; relay: the super-referents), so it
    # is never guessed.
    schema = _adhesion_fields()
    schema["organization_id"] = [dinamis_relay_text(200), not_empty, dinamis_relay_organization_id]
    schema["mode"] = [dinamis_relay_text(20), not_empty, dinamis_relay_mode]
    return schema


@validator_args
def adhesion_update(not_empty: Validator, dinamis_relay_id: Validator) -> Schema:
    # The organization and the mode are fixed at creation.
    schema = _adhesion_fields()
    schema["id"] = [dinamis_relay_id, not_empty]
    return schema


def adhesion_patch() -> Schema:
    return adhesion_update()


@validator_args
def adhesion_reference(ignore_missing: Validator, dinamis_relay_id: Validator) -> Schema:
    """An adhesion by `id`, or the current adhesion of `organization_id` (id or name)."""
    return {
        "id": [ignore_missing, dinamis_relay_id],
        "organization_id": [ignore_missing, dinamis_relay_id],
    }


@validator_args
def adhesion_list(
    ignore_missing: Validator,
    default: Validator,
    dinamis_relay_one_of: Validator,
    dinamis_relay_bool: Validator,
    dinamis_relay_text: Validator,
    dinamis_relay_organization_id: Validator,
) -> Schema:
    schema = paging()
    schema.update(
        {
            "state": [ignore_missing, dinamis_relay_one_of(STATES)],
            "mode": [ignore_missing, dinamis_relay_one_of(MODES)],
            "organization_id": [ignore_missing, dinamis_relay_organization_id],
            "q": [ignore_missing, dinamis_relay_text(200)],
            "include_previous": [default(False), dinamis_relay_bool],
        }
    )
    return schema


def adhesion_history() -> Schema:
    schema = adhesion_reference()
    schema.update(paging())
    return schema


def adhesion_id() -> Schema:
    return by_id()


@validator_args
def adhesion_check_eligibility(
    not_empty: Validator,
    not_missing: Validator,
    ignore_missing: Validator,
    dinamis_relay_id: Validator,
    dinamis_relay_bool: Validator,
    dinamis_relay_text: Validator,
) -> Schema:
    return {
        "id": [dinamis_relay_id, not_empty],
        "eligible": [not_missing, dinamis_relay_bool],
        "note": [ignore_missing, dinamis_relay_text("long")],
    }


@validator_args
def legal_token(not_empty: Validator, dinamis_relay_text: Validator) -> Schema:
    return {"token": [dinamis_relay_text(1000), not_empty]}


@validator_args
def adhesion_legal_validate(
    not_empty: Validator,
    ignore_missing: Validator,
    dinamis_relay_text: Validator,
    dinamis_relay_one_of: Validator,
) -> Schema:
    return {
        "token": [dinamis_relay_text(1000), not_empty],
        "decision": [not_empty, dinamis_relay_one_of(LEGAL_DECISIONS)],
        "comment": [ignore_missing, dinamis_relay_text("long")],
    }


@validator_args
def adhesion_decide(
    not_empty: Validator,
    ignore_missing: Validator,
    dinamis_relay_id: Validator,
    dinamis_relay_text: Validator,
    dinamis_relay_one_of: Validator,
) -> Schema:
    return {
        "id": [dinamis_relay_id, not_empty],
        "decision": [not_empty, dinamis_relay_one_of(DECISIONS)],
        "reason": [ignore_missing, dinamis_relay_text("long")],
        "dinamis_reference": [ignore_missing, dinamis_relay_text("short")],
    }


@validator_args
def adhesion_reasoned(
    not_empty: Validator, dinamis_relay_id: Validator, dinamis_relay_text: Validator
) -> Schema:
    """Suspend and terminate: the reason is required (it is written to the audit journal)."""
    return {
        "id": [dinamis_relay_id, not_empty],
        "reason": [dinamis_relay_text("long"), not_empty],
    }


@validator_args
def adhesion_reinstate(
    not_empty: Validator,
    ignore_missing: Validator,
    dinamis_relay_id: Validator,
    dinamis_relay_text: Validator,
) -> Schema:
    return {
        "id": [dinamis_relay_id, not_empty],
        "reason": [ignore_missing, dinamis_relay_text("long")],
    }


@validator_args
def adhesion_expire(
    default: Validator,
    ignore_missing: Validator,
    dinamis_relay_bool: Validator,
    dinamis_relay_date: Validator,
) -> Schema:
    return {
        "dry_run": [default(False), dinamis_relay_bool],
        "today": [ignore_missing, dinamis_relay_date, _start_of_day],
    }


def _start_of_day(value: Any) -> Any:
    """The action reads `today` as a datetime (what CKAN's isodate gave)."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return datetime.datetime.combine(value, datetime.time())
    return value
