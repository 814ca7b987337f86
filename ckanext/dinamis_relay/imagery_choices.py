"""Translated labels of imagery request values (states, sensors, modes, transitions).

Called at render time, in the request's language, never at import time.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask_babel import pgettext

# Said of a request ("demande", feminine in French): the "imagery request state" context
# lets participles agree. It is spelt out in each call so that message extraction sees it.


def state_labels() -> dict[str, str]:
    return {
        "draft": pgettext("imagery request state", "Draft"),
        "submitted": pgettext("imagery request state", "Submitted"),
        "in_review": pgettext("imagery request state", "In review"),
        "answered": pgettext("imagery request state", "Answered"),
        "forwarded": pgettext("imagery request state", "Forwarded to DINAMIS"),
        "accepted": pgettext("imagery request state", "Accepted by DINAMIS"),
        "in_progress": pgettext("imagery request state", "In progress"),
        "delivered": pgettext("imagery request state", "Delivered"),
        "closed": pgettext("imagery request state", "Closed"),
        "rejected": pgettext("imagery request state", "Rejected"),
        "cancelled": pgettext("imagery request state", "Cancelled"),
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


def event_labels() -> dict[str, str]:
    """What a history event of a request means: its transition, or creation and submission."""
    return {
        "create": pgettext("imagery request state", "Created"),
        "submit": pgettext("imagery request state", "Submitted"),
        **transition_labels(),
    }


def all_labels() -> dict[str, dict[str, str]]:
    """Every label list, for templates."""
    return {
        "state": state_labels(),
        "sensor": sensor_labels(),
        "acquisition_mode": acquisition_mode_labels(),
        "transition": transition_labels(),
        "event": event_labels(),
    }
