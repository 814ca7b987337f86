"""A small population for the personal data tests, built through the actions: an entity
whose adhesion was accepted (classic mode: its referent reviews requests), a person with an
active account who downloaded imagery, made requests and wrote in their threads, and every
other role.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import ckan.model as model
import sqlalchemy as sa
from ckan.tests import factories

from ckanext.dinamis_relay.model import (
    Account,
    Adhesion,
    AuditEvent,
    Document,
    DownloadEvent,
    EligibilityCheck,
    ImageryRequest,
    ImageryRequestComment,
    Pseudonym,
    ThreadArchive,
)

from . import factories as f
from . import imagery_helpers


def call(action: str, user: dict[str, Any] | None, /, **data: Any) -> Any:
    """Run the plugin's action `dinamis_relay_<action>` as `user`."""
    return f.call_action(f"dinamis_relay_{action}", user, **data)


@dataclasses.dataclass
class Population:
    staff: f.Staff
    organization: dict[str, Any]
    org_admin: dict[str, Any]
    adhesion: dict[str, Any]
    referent: dict[str, Any]
    person: dict[str, Any]
    other: dict[str, Any]
    account: dict[str, Any]
    resource: dict[str, Any]
    answered: dict[str, Any]  # submitted; the person wrote, the referent replied
    lonely: dict[str, Any]  # submitted; only the person wrote
    draft: dict[str, Any]

    def roles(self) -> dict[str, dict[str, Any] | None]:
        """Every role against a personal data action about `person`."""
        return {
            "anonymous": None,
            "other user": self.other,
            "the person": self.person,
            "sysadmin": self.staff.sysadmin,
            "super-referent": self.staff.super_referent,
            "instructor": self.staff.instructor,
            "referent": self.referent,
        }


def person(email_domain: str = "pessac.fr", **fields: Any) -> dict[str, Any]:
    return factories.User(
        email=f"{factories.User.stub().name}@{email_domain}",
        password=imagery_helpers.PASSWORD,
        **fields,
    )


def downloadable_resource() -> dict[str, Any]:
    publisher = factories.Organization()
    dataset = factories.Dataset(
        owner_org=publisher["id"],
        extras=[{"key": "dinamis_licence", "value": imagery_helpers.SPOT}],
    )
    return factories.Resource(package_id=dataset["id"], url="http://example.org/scene.tif")


def request(user: dict[str, Any], organization: dict[str, Any], submit: bool = True) -> dict:
    created = f.ImageryRequestFactory(user=user, organization_id=organization["id"])
    if submit:
        call("imagery_request_submit", user, id=created["id"])
    return created


def populate(downloads: int = 2, staff: f.Staff | None = None) -> Population:
    staff = staff or f.staff()
    org_admin = person(fullname="Admin Pessac")
    organization = factories.Organization(users=[{"name": org_admin["name"], "capacity": "admin"}])
    referent = person(fullname="Référente SIG Pessac")
    adhesion = f.adhesion("accepted", organization=organization, referent=referent)
    someone = person(fullname="Camille Martin-Personne")
    account = f.account(
        "active",
        organization=organization,
        person=someone,
        job_title="Géomaticienne",
        department="Urbanisme",
        phone="05 56 12 34 56",
    )
    resource = downloadable_resource()
    for _ in range(downloads):
        call("download_record", someone, id=resource["id"])
    answered = request(someone, organization)
    call("imagery_request_comment", someone, id=answered["id"], body="Question de Camille")
    call("imagery_request_comment", referent, id=answered["id"], body="Réponse de la référente")
    lonely = request(someone, organization)
    call("imagery_request_comment", someone, id=lonely["id"], body="Précision de Camille")
    draft = request(someone, organization, submit=False)
    return Population(
        staff=staff,
        organization=organization,
        org_admin=org_admin,
        adhesion=adhesion,
        referent=referent,
        person=someone,
        other=person(fullname="Dominique Autre"),
        account=account,
        resource=resource,
        answered=answered,
        lonely=lonely,
        draft=draft,
    )


TABLES = (
    Account,
    Adhesion,
    AuditEvent,
    Document,
    DownloadEvent,
    EligibilityCheck,
    ImageryRequest,
    ImageryRequestComment,
    Pseudonym,
    ThreadArchive,
)


def snapshot() -> dict[str, list[tuple]]:
    """Every row of the tables erasure and retention touch."""
    model.Session.rollback()
    model.Session.expire_all()
    result = {}
    for mapped in TABLES:
        table = mapped.__table__
        rows = model.Session.execute(sa.select(table)).all()
        result[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return result


def rows(mapped: Any, *where: Any) -> list[Any]:
    model.Session.expire_all()
    return list(model.Session.execute(sa.select(mapped).where(*where)).scalars())


def register_kinds() -> tuple[Any, ...]:
    from ckanext.dinamis_relay.personal_data.register import KINDS

    return KINDS
