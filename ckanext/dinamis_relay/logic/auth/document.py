"""Who may see and issue generated documents; verification is public.

Documents are seen by the entity's referent and organization admins, super-referents,
instructors and sysadmins. New versions are issued by super-referents, instructors and
sysadmins.
"""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ...model import Adhesion, Document
from ...roles import context_roles
from .adhesion import is_org_admin


def _organization_id(data_dict: DataDict) -> str | None:
    """The organization the request is about (document, adhesion or organization named)."""
    if data_dict.get("id"):
        doc = model.Session.get(Document, str(data_dict["id"]))
        return doc.organization_id if doc else None
    if data_dict.get("adhesion_id"):
        adhesion = model.Session.get(Adhesion, str(data_dict["adhesion_id"]))
        return adhesion.organization_id if adhesion else None
    if data_dict.get("organization_id"):
        group = model.Group.get(str(data_dict["organization_id"]))
        return group.id if group else None
    return None


def _can_see(context: Context, data_dict: DataDict) -> AuthResult:
    roles = context_roles(context)
    if roles.is_super_referent or roles.is_instructor:
        return {"success": True}
    organization_id = _organization_id(data_dict)
    if organization_id and (
        organization_id in roles.referent_of or is_org_admin(roles.user_id, organization_id)
    ):
        return {"success": True}
    return {"success": False, "msg": tk._("Not authorized to see these documents")}


def dinamis_relay_document_show(context: Context, data_dict: DataDict) -> AuthResult:
    return _can_see(context, data_dict)


def dinamis_relay_document_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _can_see(context, data_dict)


def dinamis_relay_document_generate(context: Context, data_dict: DataDict) -> AuthResult:
    roles = context_roles(context)
    if roles.is_super_referent or roles.is_instructor:
        return {"success": True}
    return {"success": False, "msg": tk._("Only DINAMIS staff may issue documents")}


@tk.auth_allow_anonymous_access
def dinamis_relay_document_verify(context: Context, data_dict: DataDict) -> AuthResult:
    # Anyone holding a copy may check it.
    return {"success": True}
