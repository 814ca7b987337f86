"""Signals the plugin sends after a state change is committed.

The document jobs subscribe to `adhesion_transition` through the plugin's ISignal
(plugin.py), so issuing documents stays out of the actions; the other signals are for other
extensions (and the tests) to follow the lifecycles.
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
