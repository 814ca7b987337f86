"""navl schemas of the actions."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator

from .. import choices
from ..model.adhesion import MODES, STATES

# Free-text adhesion fields (validated only as text).
TEXT_FIELDS = (
    "legal_name",
    "acronym",
    "eligibility_justification",
    "address",
    "city",
    "legal_rep_name",
    "legal_rep_title",
    "referent_title",
    "convention_number",
    "amendment_number",
)


@validator_args
def _adhesion_fields(
    ignore_missing: Validator,
    unicode_safe: Validator,
    strip_value: Validator,
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
    ignore: Validator,
) -> Schema:
    schema: Schema = {name: [ignore_missing, unicode_safe, strip_value] for name in TEXT_FIELDS}
    schema.update(
        {
            "siret": [ignore_missing, unicode_safe, dinamis_relay_siret],
            "entity_type": [ignore_missing, unicode_safe, dinamis_relay_entity_type],
            "eligibility_category": [
                ignore_missing,
                unicode_safe,
                dinamis_relay_eligibility_category,
            ],
            "postcode": [ignore_missing, unicode_safe, dinamis_relay_postcode],
            "department": [ignore_missing, unicode_safe, dinamis_relay_department],
            "website": [ignore_missing, unicode_safe, dinamis_relay_website],
            "phone": [ignore_missing, unicode_safe, dinamis_relay_phone],
            "email_domains": [ignore_missing, dinamis_relay_email_domains],
            "legal_rep_email": [ignore_missing, unicode_safe, dinamis_relay_email],
            "referent_user_id": [ignore_missing, unicode_safe, dinamis_relay_user_id],
            "referent_phone": [ignore_missing, unicode_safe, dinamis_relay_phone],
            "__after": [dinamis_relay_postcode_matches_department],
            "__extras": [ignore],
            "__junk": [ignore],
        }
    )
    return schema


@validator_args
def adhesion_create(
    not_empty: Validator,
    unicode_safe: Validator,
    default: Validator,
    dinamis_relay_organization_id: Validator,
    dinamis_relay_mode: Validator,
) -> Schema:
    schema = _adhesion_fields()
    schema["organization_id"] = [not_empty, unicode_safe, dinamis_relay_organization_id]
    schema["mode"] = [default("classic"), unicode_safe, dinamis_relay_mode]
    return schema


@validator_args
def adhesion_update(not_empty: Validator, unicode_safe: Validator) -> Schema:
    # The organization and the mode are fixed at creation.
    schema = _adhesion_fields()
    schema["id"] = [not_empty, unicode_safe]
    return schema


def adhesion_patch() -> Schema:
    return adhesion_update()


@validator_args
def adhesion_reference(ignore_missing: Validator, unicode_safe: Validator) -> Schema:
    """An adhesion by `id`, or the current adhesion of `organization_id` (id or name)."""
    return {
        "id": [ignore_missing, unicode_safe],
        "organization_id": [ignore_missing, unicode_safe],
    }


@validator_args
def _paging(
    default: Validator, natural_number_validator: Validator, int_validator: Validator
) -> Schema:
    return {
        "limit": [default(20), int_validator, natural_number_validator, _at_most(1000)],
        "offset": [default(0), int_validator, natural_number_validator],
    }


def _at_most(maximum: int) -> Validator:
    def validator(value: int) -> int:
        if value > maximum:
            raise tk.Invalid(tk._("At most {maximum}").format(maximum=maximum))
        return value

    return validator


@validator_args
def adhesion_list(
    ignore_missing: Validator,
    unicode_safe: Validator,
    one_of: Validator,
    boolean_validator: Validator,
    default: Validator,
    dinamis_relay_organization_id: Validator,
) -> Schema:
    schema = _paging()
    schema.update(
        {
            "state": [ignore_missing, unicode_safe, one_of(list(STATES))],
            "mode": [ignore_missing, unicode_safe, one_of(list(MODES))],
            "organization_id": [ignore_missing, unicode_safe, dinamis_relay_organization_id],
            "q": [ignore_missing, unicode_safe],
            "include_previous": [default(False), boolean_validator],
        }
    )
    return schema


@validator_args
def adhesion_history(ignore_missing: Validator, unicode_safe: Validator) -> Schema:
    schema = adhesion_reference()
    schema.update(_paging())
    return schema


@validator_args
def adhesion_id(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe]}


@validator_args
def adhesion_check_eligibility(
    not_empty: Validator,
    not_missing: Validator,
    unicode_safe: Validator,
    boolean_validator: Validator,
    ignore_missing: Validator,
    strip_value: Validator,
) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "eligible": [not_missing, boolean_validator],
        "note": [ignore_missing, unicode_safe, strip_value],
    }


@validator_args
def legal_token(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"token": [not_empty, unicode_safe]}


@validator_args
def adhesion_legal_validate(
    not_empty: Validator,
    unicode_safe: Validator,
    one_of: Validator,
    ignore_missing: Validator,
    strip_value: Validator,
) -> Schema:
    return {
        "token": [not_empty, unicode_safe],
        "decision": [not_empty, unicode_safe, one_of(list(choices.LEGAL_DECISIONS))],
        "comment": [ignore_missing, unicode_safe, strip_value],
    }


@validator_args
def adhesion_decide(
    not_empty: Validator,
    unicode_safe: Validator,
    one_of: Validator,
    ignore_missing: Validator,
    strip_value: Validator,
) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "decision": [not_empty, unicode_safe, one_of(list(choices.DECISIONS))],
        "reason": [ignore_missing, unicode_safe, strip_value],
        "dinamis_reference": [ignore_missing, unicode_safe, strip_value],
    }


@validator_args
def adhesion_reasoned(
    not_empty: Validator, unicode_safe: Validator, strip_value: Validator
) -> Schema:
    """Suspend and terminate: the reason is required (it is written to the audit journal)."""
    return {"id": [not_empty, unicode_safe], "reason": [not_empty, unicode_safe, strip_value]}


@validator_args
def adhesion_reinstate(
    not_empty: Validator, unicode_safe: Validator, ignore_missing: Validator
) -> Schema:
    return {"id": [not_empty, unicode_safe], "reason": [ignore_missing, unicode_safe]}


@validator_args
def adhesion_expire(
    default: Validator, boolean_validator: Validator, ignore_missing: Validator, isodate: Validator
) -> Schema:
    return {"dry_run": [default(False), boolean_validator], "today": [ignore_missing, isodate]}
