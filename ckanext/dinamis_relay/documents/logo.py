"""The organization's logo for documents: only an uploaded raster image, checked and re-encoded.

A logo given as a URL is never fetched. SVG is refused (it may reference external
resources); other images are decoded with Pillow within size limits and re-encoded as a small
PNG, so a huge or malformed file cannot slow down or break rendering. When the logo is
unusable the document is issued without it and a warning is logged.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os

import ckan.plugins.toolkit as tk
from PIL import Image, UnidentifiedImageError

log = logging.getLogger(__name__)

MAX_SIZE_OPTION = "ckanext.dinamis_relay.documents.max_logo_size"
ALLOWED_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}
MAX_PIXELS = 40_000_000  # decoded size limit: refuses decompression bombs
PRINT_BOX = (600, 300)  # enough for a 4 cm wide logo at 300 dpi


class LogoError(ValueError):
    """The logo cannot be printed; the message says why."""


def _is_uploaded_file(image_url: str) -> bool:
    # CKAN stores an uploaded image as a bare file name; anything else is a link.
    return (
        bool(image_url)
        and "/" not in image_url
        and "\\" not in image_url
        and ":" not in (image_url)
    )


def _read_uploaded(name: str, max_size: int) -> bytes:
    """Bytes of an uploaded group image, from the 2.12 files API or ckan.storage_path."""
    try:
        from ckan.lib import files

        storage = files.get_storage(tk.config["ckan.files.default_storages.group"])
    except Exception:  # CKAN 2.11, or 2.12 without a configured group storage
        storage = None
    if storage is not None:
        data = files.FileData(storage.prepare_location(name))
        if storage.size(data.location) > max_size:
            raise LogoError("the logo file is too large")
        return storage.content(data)
    base = tk.config.get("ckan.storage_path")
    if not base:
        raise LogoError("ckan.storage_path is not configured")
    path = os.path.join(base, "storage", "uploads", "group", name)
    try:
        if os.path.getsize(path) > max_size:
            raise LogoError("the logo file is too large")
        with open(path, "rb") as src:
            return src.read(max_size + 1)
    except FileNotFoundError as err:
        raise LogoError("the logo file is missing") from err


def sanitize(data: bytes, max_size: int | None = None) -> bytes:
    """A small PNG made from raster image bytes, or LogoError."""
    max_size = max_size or tk.config.get(MAX_SIZE_OPTION) or 2 * 1024 * 1024
    if len(data) > max_size:
        raise LogoError("the logo file is too large")
    head = data[:512].lstrip().lower()
    if head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in head:
        raise LogoError("SVG logos are not printed on documents (they may load external files)")
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format not in ALLOWED_FORMATS:
                raise LogoError(f"unsupported logo format {img.format}")
            width, height = img.size
            if width * height > MAX_PIXELS:
                raise LogoError("the logo image has too many pixels")
            img.draft("RGB", PRINT_BOX)  # JPEG: decode at reduced size, much faster
            img.load()
            converted = img.convert("RGBA")
            converted.thumbnail(PRINT_BOX)
            out = io.BytesIO()
            converted.save(out, "PNG", optimize=False)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError) as err:
        if isinstance(err, LogoError):
            raise
        raise LogoError(f"the logo image cannot be read ({err.__class__.__name__})") from err


# Printable PNGs by SHA-256 of the uploaded file, for the life of the process: the three
# documents of a relay acceptance (and every later one of the same organization) decode and
# re-encode the logo once. Bounded; a changed upload has another hash.
_printable: dict[str, bytes] = {}
CACHE_SIZE = 64


def printable(data: bytes, max_size: int | None = None) -> bytes:
    """`sanitize(data)`, remembered by the file's SHA-256 (errors are not remembered)."""
    key = hashlib.sha256(data).hexdigest()
    png = _printable.get(key)
    if png is None:
        png = sanitize(data, max_size)
        if len(_printable) >= CACHE_SIZE:
            _printable.pop(next(iter(_printable)))
        _printable[key] = png
    return png


def organization_logo(image_url: str | None, organization: str = "") -> bytes | None:
    """The printable logo of an organization, or None (logged) when there is none to print."""
    if not image_url:
        return None
    if not _is_uploaded_file(image_url):
        log.info("Logo of %s is a link, not an upload: not printed", organization)
        return None
    max_size = tk.config.get(MAX_SIZE_OPTION) or 2 * 1024 * 1024
    try:
        return printable(_read_uploaded(image_url, max_size), max_size)
    except LogoError as err:
        log.warning("Logo of %s left out of documents: %s", organization, err)
        return None
