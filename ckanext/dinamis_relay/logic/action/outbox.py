"""The outbox of background work (notifications/outbox.py): its state, and the sweep."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ...notifications import outbox


@tk.side_effect_free
def dinamis_relay_outbox_status(context: Context, data_dict: DataDict) -> dict:
    """Rows by state (pending, done, dead), the oldest pending row and the last dead ones."""
    tk.check_access("dinamis_relay_outbox_status", context, data_dict)
    return outbox.status()


def dinamis_relay_outbox_sweep(context: Context, data_dict: DataDict) -> dict:
    """Queue again the pending rows that are due and have no live job (after a Redis outage,
    a retry that could not be scheduled, a worker that died). Returns how many were queued
    and how many old delivered rows were deleted."""
    tk.check_access("dinamis_relay_outbox_sweep", context, data_dict)
    try:
        return outbox.sweep()
    except Exception as error:  # Redis still down: say so, the rows are safe
        raise tk.ValidationError(
            {"queue": [tk._("The job queue cannot be reached: {error}").format(error=error)]}
        ) from None
