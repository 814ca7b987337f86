"""The outbox of background work (notifications/outbox.py): its state and the sweep; staff
mail preferences and the daily digest (notifications/digest.py)."""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ...access.roles import context_roles
from ...model.base import utcnow
from ...model.outbox import MailPreference
from ...notifications import digest, mailing, outbox
from ..schema import outbox as schema
from ..schema import validate


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


def _preference_user(context: Context, data_dict: DataDict, action: str) -> Any:
    """The user whose preference is read or written: the caller, or `user` for sysadmins."""
    tk.check_access(action, context, data_dict)
    roles = context_roles(context)
    wanted = data_dict.get("user")
    user = model.User.get(wanted) if wanted else model.User.get(roles.user_id)
    if user is None:
        raise tk.ObjectNotFound(tk._("User not found"))
    if user.id != roles.user_id and not roles.sysadmin:
        raise tk.NotAuthorized(tk._("Only sysadmins may change another person's preference"))
    return user


def _preference_dict(user: Any, preference: MailPreference | None) -> dict[str, Any]:
    # One role lookup and one count serve both the default and the figure shown with it.
    entities = mailing.entity_count(mailing.scope_of_user(user.id))
    return {
        "user": user.name,
        "staff_emails": preference.staff_emails
        if preference
        else mailing.default_for_entities(entities),
        "sysadmin_copies": bool(preference and preference.sysadmin_copies),
        "last_digest_at": preference.last_digest_at.isoformat()
        if preference and preference.last_digest_at
        else None,
        "default": preference is None,
        "entities": entities,
        "digest_above_entities": mailing.digest_above(),
    }


@tk.side_effect_free
@validate(schema.mail_preference_show)
def dinamis_relay_mail_preference_show(context: Context, data_dict: DataDict) -> dict:
    """How the caller (or `user`, for sysadmins) receives staff notices: `staff_emails`
    ("immediate" or "digest"), `sysadmin_copies`; `default` when the person has not chosen,
    with `entities`, how many entities the default was computed from."""
    user = _preference_user(context, data_dict, "dinamis_relay_mail_preference_show")
    return _preference_dict(user, model.Session.get(MailPreference, user.id))


@validate(schema.mail_preference_update)
def dinamis_relay_mail_preference_update(context: Context, data_dict: DataDict) -> dict:
    """Choose `staff_emails` ("immediate": one email per notice; "digest": one email a
    day) and, for sysadmins, `sysadmin_copies` (receive the staff notices)."""
    user = _preference_user(context, data_dict, "dinamis_relay_mail_preference_update")
    preference = model.Session.get(MailPreference, user.id)
    if preference is None:
        preference = MailPreference(
            user_id=user.id,
            staff_emails=mailing.default_for_user(user.id),
            sysadmin_copies=False,
        )
        model.Session.add(preference)
    if "staff_emails" in data_dict:
        preference.staff_emails = data_dict["staff_emails"]
    if "sysadmin_copies" in data_dict:
        preference.sysadmin_copies = bool(user.sysadmin) and data_dict["sysadmin_copies"]
    preference.modified = utcnow()
    model.Session.commit()
    return _preference_dict(user, preference)


def dinamis_relay_digest_send(context: Context, data_dict: DataDict) -> dict:
    """Daily (cron): write the digest of every staff member who chose it and has work
    waiting, at most one a day. Returns how many were written."""
    tk.check_access("dinamis_relay_digest_send", context, data_dict)
    return digest.write_digests()
