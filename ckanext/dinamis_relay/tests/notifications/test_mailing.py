"""How the tests read the emails the plugin writes: a subject longer than a line is folded
on the wire and read back whole (substring checks on folded subjects made tests fail
whenever Faker gave an organization a long name)."""

from __future__ import annotations

import pytest

from ckanext.dinamis_relay.notifications import mailing
from ckanext.dinamis_relay.tests import factories as f


@pytest.mark.usefixtures("with_plugins")
def test_a_long_subject_is_folded_on_the_wire_and_read_back_whole():
    # Plain ASCII, as Faker's company names: folded at a space, not as encoded words.
    subject = (
        "DINAMIS adhesion of Richardson, Garcia and Leonard Consulting Partners: your "
        "validation is requested"
    )
    raw = mailing._message("Maire", "maire@pessac.fr", subject, "Bonjour").as_string()
    assert "\n " in raw.split("\n\n", 1)[0], "the header was not folded: the test proves nothing"
    assert f.read_email(raw, ["maire@pessac.fr"])["subject"] == subject
