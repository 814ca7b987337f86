"""Versioned texts the legal representative accepts: charter, licences, relay amendment.

Each text is a Markdown file `<code>.<version>.<lang>.md` in the extension's `texts/` folder
or in `ckanext.dinamis_relay.texts_directory`. Its first `# ` line is the title. A new version
is a new file plus a config change, so the versions already accepted keep their wording.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.helpers import render_markdown

log = logging.getLogger(__name__)

CHARTER_CODE = "charte-dinamis"
AMENDMENT_CODE = "avenant-relais"
SHIPPED_DIRECTORY = os.path.dirname(__file__)


@dataclasses.dataclass(frozen=True)
class Text:
    kind: str  # charter | licence | amendment
    code: str
    version: str
    lang: str
    title: str
    markdown: str

    @property
    def available(self) -> bool:
        return bool(self.markdown)

    def html(self) -> str:
        # Texts come from the platform's files, still cleaned like any Markdown in CKAN.
        return str(render_markdown(self.markdown, auto_link=False))

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "code": self.code,
            "version": self.version,
            "lang": self.lang,
            "title": self.title,
            "markdown": self.markdown,
            "html": self.html(),
            "available": self.available,
        }


def _directories() -> list[str]:
    custom = tk.config.get("ckanext.dinamis_relay.texts_directory") or ""
    return [d for d in (custom, SHIPPED_DIRECTORY) if d]


def _language(lang: str | None) -> str:
    if lang:
        return lang
    try:
        return str(tk.h.lang() or "")
    except Exception:  # outside a request
        return tk.config.get("ckan.locale_default") or "fr"


def load(kind: str, code: str, version: str, lang: str | None = None) -> Text:
    """The text in the wanted language, else French, else English; empty when missing."""
    wanted = _language(lang)
    for language in dict.fromkeys([wanted, "fr", "en"]):
        for directory in _directories():
            path = os.path.join(directory, f"{code}.{version}.{language}.md")
            if os.path.isfile(path):
                with open(path, encoding="utf-8") as handle:
                    content = handle.read()
                return _parse(kind, code, version, language, content)
    log.error("DINAMIS text %s version %s not found in %s", code, version, _directories())
    return Text(kind, code, version, wanted, f"{code} ({version})", "")


def _parse(kind: str, code: str, version: str, lang: str, content: str) -> Text:
    lines = content.strip().splitlines()
    title = f"{code} ({version})"
    if lines and lines[0].startswith("# "):
        title = lines[0][2:].strip()
        lines = lines[1:]
    return Text(kind, code, version, lang, title, "\n".join(lines).strip())


def charter_version() -> str:
    return tk.config.get("ckanext.dinamis_relay.charter_version") or ""


def amendment_version() -> str:
    return tk.config.get("ckanext.dinamis_relay.amendment_version") or ""


def licence_versions() -> list[tuple[str, str]]:
    """Configured licences as (code, version)."""
    value = tk.config.get("ckanext.dinamis_relay.licences") or []
    if isinstance(value, str):
        value = value.split()
    result = []
    for item in value:
        code, _sep, version = item.partition(":")
        if code:
            result.append((code.strip(), version.strip()))
    return result


def required_texts(mode: str, lang: str | None = None) -> list[Text]:
    """What the legal representative accepts: charter, licences, and in relay mode the
    amendment making the platform super referent."""
    result = [load("charter", CHARTER_CODE, charter_version(), lang)]
    result += [load("licence", code, version, lang) for code, version in licence_versions()]
    if mode == "relay":
        result.append(load("amendment", AMENDMENT_CODE, amendment_version(), lang))
    return result
