from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ...access.roles import context_roles


@tk.side_effect_free
def dinamis_relay_roles_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The caller's DINAMIS roles: sysadmin, super-referent, instructor, referent of which
    organizations."""
    tk.check_access("dinamis_relay_roles_show", context, data_dict)
    return context_roles(context).as_dict()
