"""Personal data (issue 14): the register, a person's export, erasure, retention."""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ...personal_data import erasure, export, register

_not_empty = tk.get_validator("not_empty")
_ignore_missing = tk.get_validator("ignore_missing")
_unicode_safe = tk.get_validator("unicode_safe")
_boolean = tk.get_validator("boolean_validator")


def _user_schema() -> dict[str, Any]:
    return {"user": [_not_empty, _unicode_safe]}


def _optional_user_schema() -> dict[str, Any]:
    return {"user": [_ignore_missing, _unicode_safe]}


def _session(context: Context) -> Any:
    return context.get("session") or model.Session


def _commit(context: Context) -> None:
    if not context.get("defer_commit"):
        _session(context).commit()


def _user(data_dict: DataDict) -> model.User:
    user = model.User.get(data_dict["user"])
    if user is None:
        raise tk.ValidationError({"user": [tk._("No user has this name or id")]})
    return user


def _days() -> dict[str, Any]:
    return {option: tk.config.get(option) for kind in register.KINDS for option in kind.options}


@tk.side_effect_free
def dinamis_relay_personal_data_register(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The register of personal data: each kind, where it is stored, why, who sees it, how
    long it is kept (with the configured periods) and what erasure does (sysadmins)."""
    tk.check_access("dinamis_relay_personal_data_register", context, data_dict)
    return {
        "kinds": register.rows(_days(), tk._),
        "not_personal": [
            {"table": table, "why": tk._(why)} for table, why in register.NOT_PERSONAL.items()
        ],
    }


@tk.side_effect_free
@validate(_optional_user_schema)
def dinamis_relay_personal_data_export(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Everything the plugin holds about a person, as JSON: accounts, adhesions naming them,
    acceptances they gave, eligibility checks, imagery requests, messages, downloads, audit
    events where they act or whose account they concern, documents naming them.

    :param user: id or name (default: the caller). The person for themself; sysadmins for
        anyone.
    """
    tk.check_access("dinamis_relay_personal_data_export", context, data_dict)
    if data_dict.get("user"):
        user = _user(data_dict)
    else:
        user = model.User.get(context.get("user") or "")
        if user is None:
            raise tk.NotAuthorized(tk._("Log in to export your personal data"))
    return export.export(_session(context), user)


@validate(_user_schema)
def dinamis_relay_personal_data_erase(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Erase or pseudonymise what the plugin holds about a person (sysadmins); what is kept
    and why is in the register. The person's live accounts are closed first. Erasing twice
    changes nothing more.

    :param user: id or name
    """
    tk.check_access("dinamis_relay_personal_data_erase", context, data_dict)
    user = _user(data_dict)
    actor = model.User.get(context.get("user") or "")
    result = erasure.erase_user(
        user.id, "sysadmin", actor.id if actor else None, session=_session(context)
    )
    _commit(context)
    return result


def dinamis_relay_personal_data_purge_expired(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Apply the retention periods (what `ckan dinamis-relay personal-data purge-expired`
    runs daily): downloads lose their user, ended accounts are pseudonymised, finished
    threads archived, and people CKAN deleted or purged are erased. Idempotent."""
    tk.check_access("dinamis_relay_personal_data_purge_expired", context, data_dict)
    result = erasure.purge_expired(session=_session(context))
    _commit(context)
    return result
