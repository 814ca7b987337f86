"""The French catalogue is complete and its compiled file is up to date."""

from __future__ import annotations

import pathlib

import polib

I18N = pathlib.Path(__file__).resolve().parents[1] / "i18n"
PO = I18N / "fr" / "LC_MESSAGES" / "ckanext-dinamis_relay.po"
MO = PO.with_suffix(".mo")
POT = I18N / "ckanext-dinamis_relay.pot"


def test_every_message_is_translated():
    catalogue = polib.pofile(str(PO))
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []


def test_catalogue_covers_the_template():
    template = {(e.msgctxt, e.msgid) for e in polib.pofile(str(POT))}
    catalogue = {(e.msgctxt, e.msgid) for e in polib.pofile(str(PO)) if not e.obsolete}
    assert template - catalogue == set()


def test_compiled_catalogue_matches_the_sources():
    source = {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(PO)) if e.translated()}
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(MO)) if e.msgid}
    assert compiled == source
