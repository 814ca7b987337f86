"""Translated labels of imagery request values (states, sensors, modes, transitions).

Called at render time, in the request's language, never at import time.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk


def state_labels() -> dict[str, str]:
    return {
        "draft": tk._("Draft"),
        "submitted": tk._("Submitted"),
        "in_review": tk._("In review"),
        "answered": tk._("Answered"),
        "forwarded": tk._("Forwarded to DINAMIS"),
        "accepted": tk._("Accepted by DINAMIS"),
        "in_progress": tk._("In progress"),
        "delivered": tk._("Delivered"),
        "closed": tk._("Closed"),
        "rejected": tk._("Rejected"),
        "cancelled": tk._("Cancelled"),
    }


def sensor_labels() -> dict[str, str]:
    return {
        "spot67": tk._("SPOT 6/7"),
        "pleiades": tk._("Pléiades"),
        "pleiades_neo": tk._("Pléiades Neo"),
    }


def acquisition_mode_labels() -> dict[str, str]:
    return {
        "archive": tk._("Archive imagery"),
        "new_acquisition": tk._("New acquisition (programming)"),
    }


def transition_labels() -> dict[str, str]:
    return {
        "review": tk._("Take for review"),
        "answer": tk._("Answer"),
        "forward": tk._("Forward to DINAMIS"),
        "accept": tk._("Accept"),
        "start": tk._("Start production"),
        "deliver": tk._("Mark as delivered"),
        "close": tk._("Close"),
        "reject": tk._("Reject"),
        "cancel": tk._("Cancel the request"),
    }


def all_labels() -> dict[str, dict[str, str]]:
    """Every label list, for templates."""
    return {
        "state": state_labels(),
        "sensor": sensor_labels(),
        "acquisition_mode": acquisition_mode_labels(),
        "transition": transition_labels(),
    }
