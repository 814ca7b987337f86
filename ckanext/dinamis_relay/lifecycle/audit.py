"""Writing the append-only audit journal shared by adhesions, accounts and requests."""

from __future__ import annotations

from typing import Any

import ckan.model as model

from ..model import AuditEvent


def record(
    *,
    object_type: str,
    object_id: str,
    action: str,
    organization_id: str | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    user_id: str | None = None,
    actor_label: str | None = None,
    comment: str | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the current session; it commits with the transition it records."""
    event = AuditEvent(
        object_type=object_type,
        object_id=object_id,
        organization_id=organization_id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        user_id=user_id,
        actor_label=actor_label,
        comment=comment,
        data=data or {},
    )
    model.Session.add(event)
    return event
