"""Stable pseudonyms of people whose data was pseudonymised ("utilisateur supprimé n° 42")."""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from babel.support import Translations
from sqlalchemy.dialects.postgresql import insert

from ..model import Pseudonym
from ..model.base import utcnow
from ..model.personal_data import PSEUDONYM_PREFIX

I18N_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "i18n")
DOMAIN = "ckanext-dinamis_relay"


def _(text: str) -> str:
    """Mark for extraction; translated in the site's language by `label`."""
    return text


LABEL = _("Deleted user no. {number}")


def _secret() -> bytes:
    secret = tk.config.get("SECRET_KEY") or tk.config.get("beaker.session.secret") or ""
    return str(secret).encode("utf-8")


def user_key(user_id: str) -> str:
    """A keyed hash of the user id: stable for one site, meaningless without its secret."""
    return hmac.new(_secret(), user_id.encode("utf-8"), hashlib.sha256).hexdigest()


def is_pseudonym(value: str | None) -> bool:
    return bool(value) and str(value).startswith(PSEUDONYM_PREFIX)


def find(session: Any, user_id: str) -> Pseudonym | None:
    return session.execute(
        sa.select(Pseudonym).where(Pseudonym.user_key == user_key(user_id))
    ).scalar_one_or_none()


def get_or_create(session: Any, user_id: str) -> Pseudonym:
    """The person's pseudonym, created once (concurrent callers get the same row)."""
    session.execute(
        insert(Pseudonym.__table__)
        .values(user_key=user_key(user_id), created=utcnow())
        .on_conflict_do_nothing(index_elements=["user_key"])
    )
    pseudonym = find(session, user_id)
    assert pseudonym is not None
    return pseudonym


def label(number: int, locale: str | None = None) -> str:
    """The pseudonym as people read it, in the site's default language: it is stored in the
    audit journal, which is read outside any request."""
    locale = locale or tk.config.get("ckan.locale_default") or "en"
    translations = Translations.load(I18N_DIR, [locale], domain=DOMAIN)
    return translations.gettext(LABEL).format(number=number)


def display_names(user_ids: set[str]) -> dict[str, str]:
    """How pages name the pseudonymised people among `user_ids`, in the reader's language."""
    return {
        user_id: tk._(LABEL).format(number=user_id[len(PSEUDONYM_PREFIX) :])
        for user_id in user_ids
        if is_pseudonym(user_id)
    }
