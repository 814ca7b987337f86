"""Documents follow adhesion transitions: a signal receiver queues a background job."""

from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk

from ..model.adhesion import ACCEPTED, PENDING_INSTRUCTION

log = logging.getLogger(__name__)

# States whose arrival may call for documents (issue.DUE_AT_STATE says which).
TRIGGER_STATES = (PENDING_INSTRUCTION, ACCEPTED)


def generate_due_documents(adhesion_id: str, user_id: str | None = None) -> list[str]:
    """Background job: issue the documents due at the adhesion's current state."""
    # Imported here so loading the plugin does not load WeasyPrint.
    from . import issue

    return [doc.id for doc in issue.issue_due(adhesion_id, user_id=user_id)]


def on_adhesion_transition(sender: str, **kwargs: Any) -> None:
    """Receiver of `signals.adhesion_transition` (sent after commit)."""
    if kwargs.get("to_state") not in TRIGGER_STATES:
        return
    try:
        tk.enqueue_job(
            generate_due_documents,
            [sender],
            {"user_id": kwargs.get("user_id")},
            title=f"DINAMIS documents for adhesion {sender}",
        )
    except Exception:
        # The transition is committed: a queue outage must not turn it into an error page.
        # `ckan dinamis-relay documents regenerate --missing` issues what was skipped.
        log.exception("Could not queue the documents of adhesion %s", sender)
