"""Building blocks of the procedure tests (issue 15): adherents written through the model."""

from __future__ import annotations

import datetime
from typing import Any

import ckan.model as model
import sqlalchemy as sa
from ckan.tests import factories

from ckanext.dinamis_relay.model import (
    Adhesion,
    AuditEvent,
    QuotaCounter,
    QuotaOverride,
    QuotaUse,
    Registration,
)

from . import factories as f
from .factories import valid_siret


def call(action: str, user: dict[str, Any] | None, /, **data: Any) -> Any:
    """Run the plugin's action `dinamis_relay_<action>` as `user`."""
    return f.call_action(f"dinamis_relay_{action}", user, **data)


def adherent(
    title: str = "Commune de Pessac",
    *,
    mode: str = "classic",
    state: str = "accepted",
    valid_until: datetime.date | None = None,
    **fields: Any,
) -> tuple[dict[str, Any], Adhesion]:
    """An organization whose current adhesion is in `state` (accepted: valid for a year)."""
    org = factories.Organization(title=title)
    adhesion = Adhesion(
        organization_id=org["id"],
        is_current=True,
        mode=mode,
        state=state,
        legal_name=fields.pop("legal_name", title),
        siret=fields.pop("siret", valid_siret()),
        city=fields.pop("city", "Pessac"),
        department=fields.pop("department", "33"),
        referent_title=fields.pop("referent_title", "Responsable SIG"),
        legal_rep_name="Jeanne Maire",
        legal_rep_email="maire@pessac.fr",
        email_domains=[],
        valid_until=valid_until or datetime.date.today() + datetime.timedelta(days=365),
        **fields,
    )
    model.Session.add(adhesion)
    model.Session.commit()
    return org, adhesion


def snapshot() -> dict[str, list[tuple]]:
    """Every row of the tables the procedure actions write: compare around refusals."""
    model.Session.rollback()
    model.Session.expire_all()
    result = {}
    for mapped in (Adhesion, AuditEvent, Registration, QuotaCounter, QuotaOverride, QuotaUse):
        table = mapped.__table__
        rows = model.Session.execute(sa.select(table)).all()
        result[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return result
