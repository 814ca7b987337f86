"""Signals the plugin sends after a state change is committed.

Other parts of the plugin (documents, notifications, permission labels) subscribe through
ISignal instead of being called from the actions, so each concern stays in its own module.
Receivers get the object id as sender and keyword arguments `action`, `from_state`,
`to_state`, `user_id`.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk

adhesion_transition = tk.signals.ckanext.signal(
    "dinamis_relay:adhesion_transition", "An adhesion changed state (after commit)."
)
account_transition = tk.signals.ckanext.signal(
    "dinamis_relay:account_transition", "An individual account changed state (after commit)."
)
