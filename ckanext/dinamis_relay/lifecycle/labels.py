"""Translated names of the transitions, for buttons and for "not possible now" messages."""

from __future__ import annotations

import ckan.plugins.toolkit as tk


def transition_labels(object_type: str) -> dict[str, str]:
    if object_type == "imagery_request":
        from ..imagery_choices import transition_labels as imagery_labels

        return imagery_labels()
    if object_type == "account":
        return {
            "request": tk._("Request an account"),
            "create": tk._("Open the account"),
            "validate": tk._("Validate"),
            "refuse": tk._("Refuse"),
            "suspend": tk._("Suspend"),
            "reactivate": tk._("Reactivate"),
            "renew": tk._("Renew"),
            "close": tk._("Close"),
            "expire": tk._("Validity ended"),
            "membership_removed": tk._("Removed from the organization"),
        }
    return {
        "create": tk._("Start an application"),
        "update": tk._("Edit the application"),
        "check_eligibility": tk._("Record the eligibility check"),
        "submit": tk._("Submit"),
        "legal_accept": tk._("Accept"),
        "legal_decline": tk._("Decline"),
        "legal_link_expired": tk._("The legal representative's link expired"),
        "accept": tk._("Accept"),
        "reject": tk._("Reject"),
        "return": tk._("Return for changes"),
        "suspend": tk._("Suspend"),
        "reinstate": tk._("Reinstate"),
        "terminate": tk._("Terminate"),
        "expire": tk._("Validity ended"),
        "renew": tk._("Renew the adhesion"),
    }
