"""Rendering documents to PDF with WeasyPrint, safely.

- Templates are rendered by a Jinja environment with autoescape on, so text typed by an
  entity is printed as text, never interpreted as HTML.
- WeasyPrint fetches nothing from the network or the disk at large: the URL fetcher only
  serves files of the package's own `public/dinamis_relay/pdf` folder and the in-memory logo
  (already checked and re-encoded). Every other reference is refused and skipped.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import logging
import mimetypes
import os
import re
import urllib.parse
import zoneinfo
from collections.abc import Iterator
from typing import Any

import ckan.plugins.toolkit as tk
import jinja2
import markupsafe
import weasyprint

log = logging.getLogger(__name__)

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATES_DIR = os.path.join(HERE, "templates", "dinamis_relay", "pdf")
ASSETS_DIR = os.path.realpath(os.path.join(HERE, "public", "dinamis_relay", "pdf"))
# Resources handed over in memory (the logo) are named with this scheme.
MEMORY_SCHEME = "dinamis-memory"
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


class FetchRefused(ValueError):
    """A reference in a document pointed outside what rendering may read."""


class SafeFetcherMixin:
    """Resolves only the package's assets and in-memory resources; records refusals."""

    def _setup(self, memory: dict[str, tuple[bytes, str]] | None) -> None:
        self.memory = dict(memory or {})
        self.refused: list[str] = []

    def resolve(self, url: str) -> tuple[bytes, str]:
        parsed = urllib.parse.urlsplit(url)
        scheme = parsed.scheme.lower()
        if scheme == MEMORY_SCHEME and url in self.memory:
            return self.memory[url]
        if scheme == "file" and not parsed.netloc:
            path = os.path.realpath(urllib.parse.unquote(parsed.path))
            if path.startswith(ASSETS_DIR + os.sep) and os.path.isfile(path):
                with open(path, "rb") as src:
                    data = src.read()
                return data, mimetypes.guess_type(path)[0] or "application/octet-stream"
        self.refused.append(url)
        log.warning("Document rendering refused to fetch %s", url[:200])
        raise FetchRefused(f"Fetching {url[:200]!r} is not allowed while rendering documents")


try:  # WeasyPrint >= 66: fetchers are URLFetcher objects
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SafeFetcher(SafeFetcherMixin, URLFetcher):
        def __init__(self, memory: dict[str, tuple[bytes, str]] | None = None) -> None:
            super().__init__(allowed_protocols=("file", MEMORY_SCHEME))
            self._setup(memory)

        def fetch(self, url: str, headers: Any = None) -> Any:
            data, mime = self.resolve(url)
            return URLFetcherResponse(url, data, {"Content-Type": mime})

except ImportError:  # pragma: no cover - older WeasyPrint: fetchers are callables

    class SafeFetcher(SafeFetcherMixin):  # type: ignore[no-redef]  # the same name, older API
        def __init__(self, memory: dict[str, tuple[bytes, str]] | None = None) -> None:
            self._setup(memory)

        def __call__(self, url: str) -> dict[str, Any]:
            data, mime = self.resolve(url)
            return {"string": data, "mime_type": mime, "redirected_url": url}


# Date formatting --------------------------------------------------------------------------

MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def _parse(value: Any) -> datetime.datetime | datetime.date | None:
    if not value:
        return None
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value
    try:
        return datetime.datetime.fromisoformat(str(value))
    except ValueError:
        return None


def format_date(value: Any, lang: str = "fr") -> str:
    parsed = _parse(value)
    if parsed is None:
        return "—"
    day = parsed.date() if isinstance(parsed, datetime.datetime) else parsed
    if lang == "fr":
        return f"{day.day} {MONTHS_FR[day.month - 1]} {day.year}"
    return day.strftime("%-d %B %Y")


def format_timestamp(value: Any, lang: str = "fr") -> str:
    """A stored naive-UTC time as Paris local time, with the UTC value for the record."""
    parsed = _parse(value)
    if not isinstance(parsed, datetime.datetime):
        return "—"
    utc = parsed.replace(tzinfo=datetime.timezone.utc)
    local = utc.astimezone(PARIS)
    utc_text = utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    if lang == "fr":
        return f"{format_date(local, lang)} à {local:%H:%M:%S} (heure de Paris, {utc_text})"
    return f"{format_date(local, lang)} at {local:%H:%M:%S} (Paris time, {utc_text})"


def format_short_timestamp(value: Any) -> str:
    """Paris local time as 22/11/2026 14:03:12, for tables."""
    parsed = _parse(value)
    if not isinstance(parsed, datetime.datetime):
        return "—"
    local = parsed.replace(tzinfo=datetime.timezone.utc).astimezone(PARIS)
    return f"{local:%d/%m/%Y %H:%M:%S}"


def fill(text: str, **values: Any) -> markupsafe.Markup:
    """A translated pattern with `{name}` slots filled: the pattern and plain values are
    escaped, values already marked up (a macro's output, a link) are kept."""
    return markupsafe.Markup.escape(text).format(**values)


def link_to(href: str, text: str) -> markupsafe.Markup:
    return markupsafe.Markup('<a href="{}">{}</a>').format(href, text)


def page_counter(pattern: str) -> markupsafe.Markup:
    """A CSS `content` value from a translated "Page {page} of {pages}" (inside <style>,
    where HTML escaping does not apply: the words become CSS strings)."""
    parts = []
    for piece in re.split(r"(\{pages?\})", pattern):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            escaped = "".join(
                c if c.isalnum() or c in " .,:;-'" else f"\\{ord(c):x} " for c in piece
            )
            parts.append(f'"{escaped}"')
    return markupsafe.Markup(" ".join(parts))


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date"] = format_date
    env.filters["stamp"] = format_timestamp
    env.filters["date_fr"] = lambda v: format_date(v, "fr")
    env.filters["date_en"] = lambda v: format_date(v, "en")
    env.filters["stamp_fr"] = lambda v: format_timestamp(v, "fr")
    env.filters["stamp_en"] = lambda v: format_timestamp(v, "en")
    env.filters["short_stamp"] = format_short_timestamp
    env.globals.update(fill=fill, link_to=link_to, page_counter=page_counter)
    return env


_env: jinja2.Environment | None = None


def environment() -> jinja2.Environment:
    global _env
    if _env is None:
        _env = _environment()
    return _env


@contextlib.contextmanager
def in_language(lang: str) -> Iterator[None]:
    """CKAN's translations (the plugin's catalogue) in `lang`, whatever the request's
    language, and inside a request context when there is none (a job)."""
    import flask_babel

    from ..notifications.mailing import request_context

    with request_context(), flask_babel.force_locale(lang):
        yield


def labels() -> dict[str, dict[str, str]]:
    """The translated choice labels the documents print: those of the pages (labels.py)."""
    from .. import labels as page_labels

    return {
        "entity_types": page_labels.entity_types(),
        "categories": page_labels.eligibility_categories(),
        "text_kinds": page_labels.text_kinds(),
    }


def render_html(kind: str, lang: str, variables: dict[str, Any]) -> str:
    """The HTML of the `kind` document in `lang`: its body from `<lang>/<kind>.html`, the
    shared words of `base.html` from the catalogue."""
    import flask_babel

    template = environment().get_template(f"{lang}/{kind}.html")
    with in_language(lang):
        return template.render(**variables, _=tk._, pgettext=flask_babel.pgettext, labels=labels())


# Kept for the life of the process (and inherited by the job worker's forks, see warm_up):
# building the font configuration and loading the fonts costs about 2 s of CPU on a first
# render, parsing the stylesheet about 20 % of a warm one.
STYLESHEET_LINK = '<link rel="stylesheet" href="document.css">'
_font_config: Any = None
_stylesheet: Any = None
_warm = False


def font_config() -> Any:
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
    return _font_config


def stylesheet() -> Any:
    """document.css, parsed once."""
    global _stylesheet
    if _stylesheet is None:
        _stylesheet = weasyprint.CSS(
            filename=os.path.join(ASSETS_DIR, "document.css"),
            font_config=font_config(),
            url_fetcher=SafeFetcher(),
        )
    return _stylesheet


def warm_up() -> None:
    """Load the fonts and the stylesheet now (the job worker calls it before it forks, so
    every document job starts warm). Does nothing the second time."""
    global _warm
    if _warm:
        return
    _warm = True
    html_to_pdf(
        f"<html><head>{STYLESHEET_LINK}</head><body><h1>DINAMIS</h1>"
        '<p>Acte <span class="mono">9f</span> <b>é</b> <i>à</i></p></body></html>'
    )


def html_to_pdf(
    html: str,
    memory: dict[str, tuple[bytes, str]] | None = None,
    fetcher: SafeFetcher | None = None,
) -> bytes:
    """PDF bytes of `html`; every resource goes through the safe fetcher."""
    fetcher = fetcher or SafeFetcher(memory)
    base_url = "file://" + urllib.parse.quote(ASSETS_DIR) + "/"
    stylesheets = []
    if STYLESHEET_LINK in html:
        # The same rules, parsed once instead of fetched and parsed at each render.
        html = html.replace(STYLESHEET_LINK, "", 1)
        stylesheets.append(stylesheet())
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    out = io.BytesIO()
    document.write_pdf(out, stylesheets=stylesheets, font_config=font_config())
    return out.getvalue()


def render_pdf(
    kind: str, lang: str, variables: dict[str, Any], logo_png: bytes | None = None
) -> bytes:
    """PDF bytes of the `kind` document in `lang`; `logo_png` is printed when given."""
    memory: dict[str, tuple[bytes, str]] = {}
    if logo_png:
        memory[f"{MEMORY_SCHEME}:logo.png"] = (logo_png, "image/png")
    html = render_html(
        kind,
        lang,
        {**variables, "logo_url": f"{MEMORY_SCHEME}:logo.png" if logo_png else None},
    )
    return html_to_pdf(html, memory)
