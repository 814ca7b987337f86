"""Signals the plugin sends after a state change is committed.

Other extensions subscribe through ISignal. The plugin's own emails and documents do not:
they are outbox rows written inside the transaction (notifications/outbox.py), so that they
are never lost when Redis or the mail server fails after the commit.
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
