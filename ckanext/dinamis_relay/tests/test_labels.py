"""Every stored value has its translated label, in one shape, from labels.py."""

from __future__ import annotations

import pytest

from ckanext.dinamis_relay import labels
from ckanext.dinamis_relay.lifecycle.account import ACCOUNT
from ckanext.dinamis_relay.lifecycle.adhesion import ADHESION
from ckanext.dinamis_relay.lifecycle.imagery import IMAGERY
from ckanext.dinamis_relay.model import account, adhesion, document

STORED = {
    "entity_type": adhesion.ENTITY_TYPES,
    "eligibility_category": adhesion.ELIGIBILITY_CATEGORIES,
    "mode": adhesion.MODES,
    "adhesion_state": adhesion.STATES,
    "decision": adhesion.DECISIONS,
    "document_kind": document.KINDS,
    "account_state": account.STATES,
}


@pytest.mark.usefixtures("with_request_context")
class TestLabels:
    @pytest.mark.parametrize("kind", sorted(STORED))
    def test_every_stored_value_has_a_label_in_the_models_order(self, kind):
        assert list(labels.KINDS[kind]()) == list(STORED[kind])
        assert all(text and text != value for value, text in labels.KINDS[kind]().items())

    @pytest.mark.parametrize(
        ("object_type", "table"),
        [("adhesion", ADHESION), ("account", ACCOUNT), ("imagery_request", IMAGERY)],
    )
    def test_every_transition_has_a_name(self, object_type, table):
        names = {transition.name for transition in table.transitions}
        missing = {name for name in names if labels.transition(object_type, name) == name}
        assert missing == set()

    def test_an_unknown_value_reads_as_itself(self):
        assert labels.label("adhesion_state", "nonsense") == "nonsense"
        assert labels.label("adhesion_state", None) == ""

    def test_options_feed_ckans_select_macro(self):
        assert labels.options("mode") == [
            {"value": "classic", "text": "Classic (the entity's own referent)"},
            {"value": "relay", "text": "Relay (through the relay platform's super-referent)"},
        ]
