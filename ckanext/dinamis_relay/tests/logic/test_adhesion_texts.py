"""Versioned texts, the legal link's address, and the history's paging."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest

from ckanext.dinamis_relay import texts
from ckanext.dinamis_relay.procedure import tokens

from .. import factories as f


class TestTexts:
    def test_shipped_texts_exist_in_both_languages(self):
        for lang in ("fr", "en"):
            for text in texts.required_texts("relay", lang):
                assert text.available, text
                assert text.lang == lang
        charter = texts.load("charter", "charte-dinamis", "2024-10-15", "fr")
        assert charter.title == "Charte d'adhésion DINAMIS"
        assert not charter.markdown.startswith("#")

    def test_unknown_language_falls_back_to_french(self):
        assert texts.load("charter", "charte-dinamis", "2024-10-15", "de").lang == "fr"

    def test_markdown_is_rendered_and_cleaned(self, tmp_path, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.texts_directory", str(tmp_path))
        (tmp_path / "charte-dinamis.2030-01-01.fr.md").write_text(
            "# Charte 2030\n\n**Gras** <script>alert(1)</script>", encoding="utf-8"
        )
        text = texts.load("charter", "charte-dinamis", "2030-01-01", "fr")
        assert text.title == "Charte 2030"
        assert "<strong>Gras</strong>" in text.html()
        assert "<script>" not in text.html()

    def test_configured_versions(self, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.licences", ["a:1", "b:2"])
        monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.charter_version", "9")
        assert texts.licence_versions() == [("a", "1"), ("b", "2")]
        found = texts.required_texts("classic", "fr")
        assert [(t.code, t.version, t.available) for t in found] == [
            ("charte-dinamis", "9", False),
            ("a", "1", False),
            ("b", "2", False),
        ]


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestMissingTexts:
    def test_cannot_accept_a_text_that_does_not_exist(self, ckan_config, monkeypatch):
        adhesion = f.adhesion("pending_legal_validation")
        monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.charter_version", "1999")
        before = f.db_snapshot()
        with pytest.raises(tk.ValidationError):
            f.call("legal_validate", None, token=f.legal_token(adhesion["id"]), decision="accept")
        assert f.db_snapshot() == before


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestLegalLinkAddress:
    def test_link_is_the_legal_page(self, app):
        with app.flask_app.test_request_context():
            url = tokens.legal_link_url("abc.def")
        assert url == "http://test.ckan.net/dinamis/legal/abc.def"

    def test_link_outside_a_request(self):
        assert tokens.legal_link_url("abc") == "http://test.ckan.net/dinamis/legal/abc"

    def test_token_round_trip(self):
        token = tokens.make_token("an-id", "a-nonce")
        assert tokens.read_token(token) == tokens.LegalToken("an-id", "a-nonce")
        with pytest.raises(tokens.TokenError):
            tokens.read_token("garbage")


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestHistoryPaging:
    def test_paging_and_user_names(self):
        staff = f.staff()
        adhesion = f.adhesion("terminated")
        full = f.call("history", staff.instructor, id=adhesion["id"])
        actions = [e["action"] for e in full["results"]]
        assert actions == ["terminate", "accept", "legal_accept", "submit", "create"]
        assert full["count"] == 5
        page = f.call("history", staff.instructor, id=adhesion["id"], limit=2, offset=1)
        assert [e["action"] for e in page["results"]] == ["accept", "legal_accept"]
        assert page["count"] == 5
        assert full["results"][0]["user_name"]

    def test_history_needs_a_reference(self):
        with pytest.raises(tk.ValidationError):
            f.call("history", f.factories.Sysadmin())
        with pytest.raises(tk.ObjectNotFound):
            f.call("history", f.factories.Sysadmin(), organization_id="nowhere")
