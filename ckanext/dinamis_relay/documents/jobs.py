"""Documents follow adhesion transitions: the transition writes a `documents.due` outbox row
(notifications/adhesion.py) and the job issues what the state calls for."""

from __future__ import annotations

from typing import Any

from ..model.adhesion import ACCEPTED, PENDING_INSTRUCTION, Adhesion

# States whose arrival may call for documents (issue.DUE_AT_STATE says which).
TRIGGER_STATES = (PENDING_INSTRUCTION, ACCEPTED)


def generate_due_documents(adhesion_id: str, user_id: str | None = None) -> list[str]:
    """Background job (documents queue): issue the documents due at the adhesion's current
    state, in one job. Issuing is idempotent: a document the acceptance email's job issued
    first is not issued again."""
    # Imported here so loading the plugin does not load WeasyPrint.
    from . import issue

    return [doc.id for doc in issue.issue_due(adhesion_id, user_id=user_id)]


def enqueue_due(session: Any, adhesion: Adhesion, user_id: str | None = None) -> bool:
    """Inside the transaction that moved the adhesion: write the outbox row of the documents
    its new state may call for. True when a row was written."""
    if adhesion.state not in TRIGGER_STATES:
        return False
    from ..notifications import outbox

    outbox.enqueue(session, "documents.due", {"adhesion_id": adhesion.id, "user_id": user_id})
    return True
