"""Rendering never fetches from the network or reads arbitrary files, whatever the fields say.

A local HTTP server counts every request it receives: it must receive none, although every
text field of the adhesion (and the referent's name, and the footer) points at it.
"""

from __future__ import annotations

import http.server
import io
import threading
from collections.abc import Iterator
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories as ckan_factories
from pypdf import PdfReader

from ckanext.dinamis_relay.documents import logo, pdf, storage
from ckanext.dinamis_relay.model import Document
from ckanext.dinamis_relay.model.adhesion import ENTITY_FIELDS

from .. import factories


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def trap() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that records the paths it is asked for."""
    _Counter.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Counter.hits
    finally:
        server.shutdown()
        server.server_close()


def hostile(base: str, name: str) -> str:
    return (
        f'<img src="{base}/{name}.png"><link rel="stylesheet" href="{base}/{name}.css">'
        f'<style>@import url("{base}/{name}-import.css");</style>'
        f'<img src="file:///etc/passwd"><iframe src="file:///etc/passwd"></iframe>'
        f"{{{{ 7*7 }}}}"
    )


def text_of(data: bytes) -> str:
    return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_no_field_can_make_rendering_fetch_anything(trap, ckan_config, monkeypatch):
    base, hits = trap
    monkeypatch.setitem(
        ckan_config, "ckanext.dinamis_relay.documents.footer", hostile(base, "footer")
    )
    fields: dict[str, Any] = {name: hostile(base, name) for name in ENTITY_FIELDS}
    for name in (
        "legal_rep_name",
        "legal_rep_title",
        "legal_rep_email",
        "referent_title",
        "referent_phone",
    ):
        fields[name] = hostile(base, name)
    fields["email_domains"] = hostile(base, "domains")
    referent = ckan_factories.User(fullname=hostile(base, "referent"))
    adhesion = factories.document_adhesion(
        "accepted",
        "relay",
        referent=referent,
        convention_number=hostile(base, "convention"),
        **fields,
    )
    staff = factories.staff()
    context = {"user": staff.sysadmin["name"]}
    for kind in ("acte_adhesion", "avenant", "convention"):
        doc = tk.get_action("dinamis_relay_document_generate")(
            dict(context), {"adhesion_id": adhesion.id, "kind": kind}
        )
        stored = model.Session.get(Document, doc["id"])
        text = text_of(storage.read(stored.storage_key))
        # The markup is printed as text, not interpreted, and the file was not read.
        assert '<img src="file:///etc/passwd">' in text.replace("\n", "")
        assert "{{ 7*7 }}" in text
        assert "root:x:0:0" not in text
    assert hits == []


def test_the_fetcher_refuses_everything_but_the_package_assets(trap):
    base, hits = trap
    html = f"""<!DOCTYPE html><html><head>
      <link rel="stylesheet" href="document.css">
      <link rel="stylesheet" href="{base}/remote.css">
      <link rel="stylesheet" href="file:///etc/passwd">
      <link rel="stylesheet" href="file://{pdf.ASSETS_DIR}/../../../../../../etc/passwd">
      <style>
        @import url("{base}/import.css");
        @font-face {{ font-family: X; src: url("{base}/font.woff2"); }}
        body {{ background: url("file:///etc/hostname"); font-family: X; }}
        p {{ background-image: url("https://example.org/x.png"); }}
      </style></head>
      <body><p>Texte</p>
        <img src="{base}/img.png"><img src="file:///etc/passwd">
        <img src="data:image/png;base64,iVBORw0KGgo=">
        <object data="{base}/object.svg"></object><embed src="{base}/embed.svg">
        <svg xmlns="http://www.w3.org/2000/svg"><image href="{base}/svg-image.png"/></svg>
      </body></html>"""
    fetcher = pdf.SafeFetcher()

    data = pdf.html_to_pdf(html, fetcher=fetcher)

    assert data.startswith(b"%PDF")
    assert hits == []
    refused = " ".join(fetcher.refused)
    for url in (
        f"{base}/remote.css",
        "file:///etc/passwd",
        f"{base}/import.css",
        f"{base}/img.png",
        "file:///etc/hostname",
        "https://example.org/x.png",
        "data:image/png",
    ):
        assert url in refused, url
    # The package's own stylesheet is the one thing read.
    assert not any(url.endswith("/document.css") for url in fetcher.refused)
    assert not any("etc/passwd" in url and "ASSETS" in url for url in fetcher.refused)


def test_path_traversal_out_of_the_assets_folder_is_refused():
    fetcher = pdf.SafeFetcher()
    with pytest.raises(pdf.FetchRefused):
        fetcher.resolve(f"file://{pdf.ASSETS_DIR}/../../../../../../etc/passwd")
    with pytest.raises(pdf.FetchRefused):
        fetcher.resolve(f"file://{pdf.ASSETS_DIR}/%2e%2e/%2e%2e/%2e%2e/plugin.py")
    with pytest.raises(pdf.FetchRefused):
        fetcher.resolve(f"{pdf.MEMORY_SCHEME}:not-handed-over.png")
    data, mime = fetcher.resolve(f"file://{pdf.ASSETS_DIR}/document.css")
    assert mime == "text/css" and b"@page" in data


@pytest.mark.parametrize(
    "data",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><image href="http://127.0.0.1:9/x"/></svg>',
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
        b"  \n<!DOCTYPE svg><svg/>",
        b"GIF89a-not-really",
        b"",
    ],
)
def test_unusable_logos_are_refused_with_a_reason(data):
    with pytest.raises(logo.LogoError):
        logo.sanitize(data, max_size=1024 * 1024)


def test_logos_given_as_paths_or_links_are_never_read():
    for image_url in (
        "http://127.0.0.1:9/logo.png",
        "//evil.example/logo.png",
        "../../../etc/passwd",
        "/etc/passwd",
        "file:///etc/passwd",
        "C:\\logo.png",
    ):
        assert logo.organization_logo(image_url, "org") is None
