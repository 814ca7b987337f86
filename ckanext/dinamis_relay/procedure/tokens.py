"""The legal representative's signed, expiring, single-use link.

The token signs {adhesion id, nonce} with the site's SECRET_KEY. The nonce is also stored on
the adhesion and cleared when the link is used, which makes the link single-use; the
signature's timestamp makes it expire. Nothing else is needed server-side.
"""

from __future__ import annotations

import dataclasses
import secrets

import ckan.plugins.toolkit as tk
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "dinamis-relay-legal-validation"


class TokenError(Exception):
    """The token cannot be used; `str(error)` is a translated message for the user."""


@dataclasses.dataclass(frozen=True)
class LegalToken:
    adhesion_id: str
    nonce: str


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(tk.config["SECRET_KEY"], salt=SALT)


def link_hours() -> int:
    return int(tk.config.get("ckanext.dinamis_relay.legal_link_hours") or 168)


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def make_token(adhesion_id: str, nonce: str) -> str:
    return str(_serializer().dumps({"a": adhesion_id, "n": nonce}))


def read_token(token: str) -> LegalToken:
    """Check the signature and age of a token; raise TokenError with a clear message."""
    if not token or not isinstance(token, str):
        raise TokenError(tk._("This validation link is invalid."))
    try:
        payload = _serializer().loads(token, max_age=link_hours() * 3600)
    except SignatureExpired as error:
        raise TokenError(
            tk._("This validation link has expired. Ask the applicant to submit again.")
        ) from error
    except BadSignature as error:
        raise TokenError(tk._("This validation link is invalid.")) from error
    if not isinstance(payload, dict) or not payload.get("a") or not payload.get("n"):
        raise TokenError(tk._("This validation link is invalid."))
    return LegalToken(adhesion_id=str(payload["a"]), nonce=str(payload["n"]))


def legal_link_url(token: str) -> str:
    """Absolute address of the legal representative's page for this token."""
    try:
        return str(tk.url_for("dinamis_relay.legal", token=token, _external=True))
    except Exception:
        # Outside a request (background job, CLI) or before the page exists: build it from
        # the site address, which is what url_for would give anyway.
        return tk.config["ckan.site_url"].rstrip("/") + "/dinamis/legal/" + token
