"""The public "already an adherent?" check (DINAMIS's first step, issue 15).

Anyone may ask, by SIRET (exact) or by name (every word, accents and case ignored), whether an
organisation is an adherent: its current adhesion is accepted and within validity. The answer
says through which path (the relay or directly), until when and whom to contact — the
referent's role or the relay platform, never a person. A name search names at most
`adherent_check.max_results` organisations and each client address may ask
`adherent_check.per_minute` times a minute, so the check cannot list the adherents faster than
a person could read them; the public statistics give the totals.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.logic import validate
from ckan.types import Context, DataDict

from ...access import rate_limit
from ...model import Adhesion
from ...model.adhesion import ACCEPTED
from ..schema import procedure as schema

# Accented letters folded in SQL with translate(): no `unaccent` extension needed.
_ACCENTED = "àáâãäåçèéêëìíîïñòóôõöùúûüýÿœæ"
_PLAIN = "aaaaaaceeeeiiiinooooouuuuyyoa"
MIN_WORD = 2


def fold(text: str) -> str:
    """Lowercase without accents, as the SQL side folds."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("œ", "o")


def _folded(column: Any) -> Any:
    return sa.func.translate(sa.func.lower(sa.func.coalesce(column, "")), _ACCENTED, _PLAIN)


def _words(query: str) -> list[str]:
    return [w for w in re.split(r"[^0-9a-z]+", fold(query)) if len(w) >= MIN_WORD][:8]


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"


def _result(adhesion: Adhesion, name: str, title: str | None) -> dict[str, Any]:
    relay = adhesion.mode == "relay"
    relay_label = tk.config.get("ckanext.dinamis_relay.relay_label") or ""
    return {
        "organization": {"name": name, "title": title or name},
        "legal_name": adhesion.legal_name,
        "acronym": adhesion.acronym,
        "siret": adhesion.siret,
        "city": adhesion.city,
        "department": adhesion.department,
        "path": "relay" if relay else "direct",
        "valid_until": adhesion.valid_until.isoformat() if adhesion.valid_until else None,
        # A role, never a person: the relay platform for its partners, else the referent's
        # title within the entity.
        "contact": {
            "kind": "relay" if relay else "referent",
            "label": relay_label if relay else (adhesion.referent_title or ""),
        },
    }


@tk.side_effect_free
@validate(schema.adherent_check)
def dinamis_relay_adherent_check(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Is an organisation a DINAMIS adherent? Anonymous.

    :param siret: 14 digits, exact; or
    :param q: words of its name (legal name, acronym or CKAN title), at least 3 letters
    :returns: ``{"adherent", "results", "truncated"}``; each result gives the organisation,
        legal name, acronym, SIRET, city, département, ``path`` (relay | direct),
        ``valid_until`` and ``contact`` {kind: relay | referent, label}
    """
    tk.check_access("dinamis_relay_adherent_check", context, data_dict)
    siret, query = data_dict.get("siret"), data_dict.get("q")
    if not siret and not query:
        raise tk.ValidationError({"q": [tk._("Give a SIRET number or a name")]})
    words = _words(query or "")
    if query and not siret and sum(len(w) for w in words) < 3:
        raise tk.ValidationError({"q": [tk._("Give at least 3 letters of the name")]})
    per_minute = int(tk.config.get("ckanext.dinamis_relay.adherent_check.per_minute") or 0)
    if not rate_limit.allow("adherent_check", per_minute):
        raise tk.ValidationError(
            {"limit": [tk._("Too many checks from your address: try again in a minute")]}
        )
    maximum = max(1, int(tk.config.get("ckanext.dinamis_relay.adherent_check.max_results") or 5))
    conditions = [
        Adhesion.is_current.is_(True),
        Adhesion.state == ACCEPTED,
        sa.or_(Adhesion.valid_until.is_(None), Adhesion.valid_until >= datetime.date.today()),
        model.Group.state == "active",
    ]
    if siret:
        conditions.append(Adhesion.siret == siret)
    else:
        haystack = sa.func.concat_ws(
            " ",
            _folded(Adhesion.legal_name),
            _folded(Adhesion.acronym),
            _folded(model.Group.title),
            _folded(model.Group.name),
        )
        conditions += [haystack.like(_like(word)) for word in words]
    # Rows unpack as tuples (SQLAlchemy 1.4, CKAN 2.11, has no Result.tuples()).
    rows = model.Session.execute(
        sa.select(Adhesion, model.Group.name, model.Group.title)
        .join(model.Group, model.Group.id == Adhesion.organization_id)
        .where(*conditions)
        .order_by(Adhesion.legal_name, Adhesion.id)
        .limit(maximum + 1)
    ).all()
    results = [_result(a, name, title) for a, name, title in rows[:maximum]]
    return {"adherent": bool(results), "results": results, "truncated": len(rows) > maximum}
