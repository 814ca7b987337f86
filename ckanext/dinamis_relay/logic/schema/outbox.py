"""navl schemas of the mail preference actions."""

from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator

from ...model.outbox import STAFF_EMAILS


@validator_args
def mail_preference_show(ignore_empty: Validator, dinamis_relay_text: Validator) -> Schema:
    # `user`: a sysadmin reads someone else's (id or name).
    return {"user": [ignore_empty, dinamis_relay_text(100)]}


@validator_args
def mail_preference_update(
    ignore_empty: Validator,
    ignore_missing: Validator,
    dinamis_relay_text: Validator,
    dinamis_relay_one_of: Validator,
    dinamis_relay_bool: Validator,
) -> Schema:
    return {
        "user": [ignore_empty, dinamis_relay_text(100)],
        "staff_emails": [ignore_missing, dinamis_relay_one_of(STAFF_EMAILS)],
        "sysadmin_copies": [ignore_missing, dinamis_relay_bool],
    }
