"""Who may see, add and delete the supporting documents of an application.

They follow the adhesion: seen by whoever may see it (lifecycle/adhesion.py `may_view`: the
instructors once it was submitted, the super-referents in relay mode, the entity referent and
organization admins, sysadmins); added and deleted by the parties the lifecycle table allows
to `update` it. Auth decides who; the action refuses a wrong state (not a draft or returned)
with a clear error.
"""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ...access.roles import context_roles
from ...lifecycle.adhesion import ADHESION, may_view
from ...model import Adhesion, SupportingDocument


def adhesion_of(context: Context, data_dict: DataDict) -> Adhesion | None:
    """The adhesion a call is about: by `adhesion_id`, or through the document `id`."""
    session = context.get("session") or model.Session
    adhesion_id = data_dict.get("adhesion_id")
    document_id = data_dict.get("id")
    if not adhesion_id and isinstance(document_id, str) and document_id:
        document = session.get(SupportingDocument, document_id)
        adhesion_id = document.adhesion_id if document is not None else None
    if isinstance(adhesion_id, str) and adhesion_id:
        return session.get(Adhesion, adhesion_id)
    return None


def _see(context: Context, data_dict: DataDict) -> AuthResult:
    adhesion = adhesion_of(context, data_dict)
    roles = context_roles(context)
    if roles.sysadmin or (adhesion is not None and may_view(roles, adhesion)):
        return {"success": True}
    return {
        "success": False,
        "msg": tk._("Not authorized to see the supporting documents of this application"),
    }


def _edit(context: Context, data_dict: DataDict) -> AuthResult:
    adhesion = adhesion_of(context, data_dict)
    roles = context_roles(context)
    if roles.sysadmin or (adhesion is not None and ADHESION.may_ever(roles, adhesion, "update")):
        return {"success": True}
    return {
        "success": False,
        "msg": tk._("Only those who edit this application add or remove its supporting documents"),
    }


def dinamis_relay_supporting_document_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _see(context, data_dict)


def dinamis_relay_supporting_document_show(context: Context, data_dict: DataDict) -> AuthResult:
    return _see(context, data_dict)


def dinamis_relay_supporting_document_create(context: Context, data_dict: DataDict) -> AuthResult:
    return _edit(context, data_dict)


def dinamis_relay_supporting_document_delete(context: Context, data_dict: DataDict) -> AuthResult:
    return _edit(context, data_dict)
