"""Documents travel by email (issue 15): what the adhesion emails attach.

- The acceptance email carries the Acte d'adhésion and, in relay mode, the avenant, as PDF
  attachments. Its job issues them if the documents queue has not yet (idempotent, under
  the documents' own lock, so the document job and this one never issue twice); the
  convention, which it does not carry, is left to that queue. A document that still cannot
  be issued never blocks the decision: the email says where to download it.
- At submission the referent receives the texts the legal representative is asked to accept
  (charter, licences, relay amendment), as HTML files rendered from their Markdown.

Only these functions know about attachments; notify.py calls them.
"""

from __future__ import annotations

import io
import logging
from typing import Any

import ckan.plugins.toolkit as tk
from markupsafe import escape

from .. import labels, texts
from ..model import Adhesion
from ..model.document import ACTE_ADHESION, AVENANT
from .mailing import request_context, send, user_recipients

log = logging.getLogger(__name__)

# Above this, documents are not attached (the email says where to download them).
MAX_ATTACHMENTS_BYTES = 10 * 1024 * 1024
Attachment = tuple[str, Any, str]


def decision_documents(adhesion: Adhesion) -> tuple[list[Attachment], list[str]]:
    """(attachments, kinds missing) of an acceptance email."""
    from ..documents import issue, storage

    kinds = (ACTE_ADHESION, AVENANT) if adhesion.mode == "relay" else (ACTE_ADHESION,)
    try:
        issue.issue_due(adhesion.id, only=kinds)
    except Exception:
        # Rendering failed (WeasyPrint, storage): the decision still goes out.
        log.exception("Documents of adhesion %s could not be issued for its email", adhesion.id)
    attachments: list[Attachment] = []
    missing: list[str] = []
    total = 0
    for kind in kinds:
        doc = issue.current(adhesion.id, kind, issue.default_lang())
        data = None
        if doc is not None:
            try:
                data = storage.read(doc.storage_key)
            except Exception:
                log.exception("Document %s unreadable for its email", doc.id)
        if doc is None or data is None or total + len(data) > MAX_ATTACHMENTS_BYTES:
            missing.append(kind)
            continue
        total += len(data)
        attachments.append((issue.file_name(doc), io.BytesIO(data), "application/pdf"))
    return attachments, missing


def kind_labels(kinds: list[str]) -> str:
    return ", ".join(labels.label("document_kind", kind) for kind in kinds)


def text_attachments(mode: str) -> list[Attachment]:
    """The texts to accept, as small standalone HTML files."""
    attachments: list[Attachment] = []
    for text in texts.required_texts(mode):
        if not text.available:
            continue
        page = (
            f'<!DOCTYPE html>\n<html lang="{text.lang}"><head><meta charset="utf-8">'
            f"<title>{escape(text.title)}</title></head><body>{text.html()}</body></html>\n"
        )
        name = f"{text.code}-{text.version}.html"
        attachments.append((name, io.BytesIO(page.encode("utf-8")), "text/html"))
    return attachments


def send_submission_texts(adhesion_id: str) -> int:
    """Job: to the referent, at submission, the charter and licence texts being accepted."""
    from .adhesion import _load, _vars

    with request_context():
        adhesion = _load(adhesion_id)
        if adhesion is None:
            return 0
        extra = _vars(adhesion)
        attachments = text_attachments(adhesion.mode)
        extra["attached"] = [name for name, _file, _type in attachments]
        subject = tk._("DINAMIS adhesion of {entity}: the texts submitted for acceptance").format(
            entity=extra["organization_title"]
        )
        return send(
            user_recipients(adhesion.referent_user_id),
            subject,
            "dinamis_relay/emails/submission_texts.txt",
            extra,
            attachments=attachments,
        )
