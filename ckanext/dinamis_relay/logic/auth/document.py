"""Who may see and issue generated documents; verification is public.

Documents follow the adhesion they are about: they are seen by whoever may see it
(lifecycle/adhesion.py `may_view`: the entity's referent and organization admins,
super-referents for relay-mode adhesions, instructors once submitted, sysadmins). New versions
are issued by instructors and sysadmins, and by super-referents for relay-mode adhesions.
"""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ...access.roles import Roles, context_roles
from ...lifecycle.adhesion import may_view
from ...model import Adhesion, Document


def _adhesion(data_dict: DataDict) -> Adhesion | None:
    """The adhesion the request is about (document, adhesion or organization named)."""
    document_id = data_dict.get("id")
    adhesion_id = data_dict.get("adhesion_id")
    if isinstance(document_id, str) and document_id:
        doc = model.Session.get(Document, document_id)
        adhesion_id = doc.adhesion_id if doc else None
    if isinstance(adhesion_id, str) and adhesion_id:
        return model.Session.get(Adhesion, adhesion_id)
    organization = data_dict.get("organization_id")
    if isinstance(organization, str) and organization:
        group = model.Group.get(organization)
        return Adhesion.current_for(group.id) if group else None
    return None


def _can_see(context: Context, data_dict: DataDict) -> AuthResult:
    roles = context_roles(context)
    adhesion = _adhesion(data_dict)
    if roles.sysadmin or (adhesion is not None and may_view(roles, adhesion)):
        return {"success": True}
    return {"success": False, "msg": tk._("Not authorized to see these documents")}


def may_issue(roles: Roles, adhesion: Adhesion | None) -> bool:
    if roles.is_instructor:
        return True
    return roles.super_referent and adhesion is not None and adhesion.mode == "relay"


def dinamis_relay_document_show(context: Context, data_dict: DataDict) -> AuthResult:
    return _can_see(context, data_dict)


def dinamis_relay_document_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _can_see(context, data_dict)


def dinamis_relay_document_generate(context: Context, data_dict: DataDict) -> AuthResult:
    if may_issue(context_roles(context), _adhesion(data_dict)):
        return {"success": True}
    return {
        "success": False,
        "msg": tk._(
            "Only DINAMIS instructors, and super-referents for relay-mode adhesions, issue "
            "documents"
        ),
    }


@tk.auth_allow_anonymous_access
def dinamis_relay_document_verify(context: Context, data_dict: DataDict) -> AuthResult:
    # Anyone holding a copy may check it.
    return {"success": True}
