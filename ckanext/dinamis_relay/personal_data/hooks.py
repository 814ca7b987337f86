"""Erasure when CKAN deletes a user, through CKAN's own `action_succeeded` signal: the
plugin's user_delete chain (membership.py) stays untouched."""

from __future__ import annotations

import logging
from typing import Any

import ckan.model as model

from . import erasure

log = logging.getLogger(__name__)


def on_user_deleted(sender: str, **kwargs: Any) -> None:
    """After core's user_delete (CKAN's `action_succeeded` signal): erase the person's data
    in a transaction of its own. A failure is logged and left to purge-expired, which
    erases every deleted user still named."""
    data_dict = kwargs.get("data_dict") or {}
    user = model.User.get(data_dict.get("id") or "") if data_dict.get("id") else None
    if user is None or user.state != "deleted":
        return
    context = kwargs.get("context") or {}
    actor = model.User.get(context.get("user") or "") if context.get("user") else None
    try:
        erasure.erase_user(user.id, "user_delete", actor.id if actor else None)
        model.Session.commit()
    except Exception:  # the deletion itself has succeeded: never turn it into an error
        model.Session.rollback()
        log.exception("Erasing the data of deleted user %s failed", user.id)
