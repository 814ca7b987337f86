from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict


@tk.auth_allow_anonymous_access
def dinamis_relay_roles_show(context: Context, data_dict: DataDict) -> AuthResult:
    # Everyone may ask what they are; anonymous callers simply have no role.
    return {"success": True}
