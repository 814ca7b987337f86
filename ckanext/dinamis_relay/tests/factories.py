"""Test data for the plugin: valid adhesion data, staff organizations, adhesions in any state.

`AdhesionFactory`, `AccountFactory` and `ImageryRequestFactory` are factory_boy factories in
the style of CKAN's own (`Meta.action`: they create through the plugin's actions), registered
in conftest.py as pytest-factoryboy fixtures (`adhesion_draft`, `account_request`,
`imagery_request_draft`; the factories as `adhesion_factory`, `account_factory`,
`imagery_request_factory`). Adhesions and accounts are brought to later
states through the actions themselves (as a sysadmin), so every one has the audit trail,
numbers and acceptances a real one would have.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import itertools
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import factory
from ckan.tests import factories

from ckanext.dinamis_relay.model import (
    Acceptance,
    Account,
    Adhesion,
    AuditEvent,
    EligibilityCheck,
    ImageryRequest,
)
from ckanext.dinamis_relay.model.base import utcnow
from ckanext.dinamis_relay.procedure import tokens
from ckanext.dinamis_relay.tests.fuzzing import SQUARE

_counter = itertools.count(1)


def luhn_complete(prefix: str) -> str:
    """Append the digit that makes `prefix` + digit pass the Luhn check."""
    for digit in "0123456789":
        candidate = prefix + digit
        total = 0
        for index, char in enumerate(reversed(candidate)):
            value = int(char) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def valid_siret(seed: int | None = None) -> str:
    """A SIRET with a valid Luhn key, different for each seed (not La Poste's SIREN)."""
    seed = next(_counter) if seed is None else seed
    return luhn_complete(f"2{seed:012d}")


class AdhesionDataFactory(factory.DictFactory):
    """A complete, valid set of adhesion fields (without organization, mode or referent)."""

    legal_name = "Commune de Pessac"
    acronym = "PESSAC"
    siret = factory.LazyFunction(lambda: valid_siret())
    entity_type = "commune"
    eligibility_category = "public_body"
    address = "Place de la Ve République"
    postcode = "33600"
    city = "Pessac"
    department = "33"
    website = "https://www.pessac.fr"
    phone = "05 57 93 63 63"
    email_domains = "pessac.fr, mairie-pessac.fr"
    legal_rep_name = "Jeanne Maire"
    legal_rep_title = "Maire"
    legal_rep_email = "maire@pessac.fr"
    referent_title = "Responsable SIG"
    referent_phone = "05 57 93 00 00"


def adhesion_data(**overrides: Any) -> dict[str, Any]:
    return factory.build(dict, FACTORY_CLASS=AdhesionDataFactory, **overrides)


@dataclasses.dataclass
class Staff:
    """The relay and DINAMIS organizations with one staff user each, and a sysadmin."""

    relay: dict[str, Any]
    dinamis: dict[str, Any]
    super_referent: dict[str, Any]
    instructor: dict[str, Any]
    sysadmin: dict[str, Any]


def staff() -> Staff:
    super_referent = factories.User(fullname="Super Référent")
    instructor = factories.User(fullname="Instructeur DINAMIS")
    relay = factories.Organization(
        name=tk.config["ckanext.dinamis_relay.relay_organization"] or "relay",
        users=[{"name": super_referent["name"], "capacity": "editor"}],
    )
    dinamis = factories.Organization(
        name=tk.config["ckanext.dinamis_relay.dinamis_organization"] or "dinamis",
        users=[{"name": instructor["name"], "capacity": "editor"}],
    )
    return Staff(
        relay=relay,
        dinamis=dinamis,
        super_referent=super_referent,
        instructor=instructor,
        sysadmin=factories.Sysadmin(),
    )


def context(user: dict[str, Any] | str | None) -> dict[str, Any]:
    """An action context for a user dict, a user name, or None (anonymous)."""
    name = user["name"] if isinstance(user, dict) else (user or "")
    return {"user": name, "ignore_auth": False}


def call_action(action: str, user: dict[str, Any] | str | None, /, **data: Any) -> Any:
    """Run an action as `user` (None: anonymous), with a fresh context as a request would."""
    return tk.get_action(action)(context(user), data)


def call(action: str, user: dict[str, Any] | str | None, **data: Any) -> Any:
    """Run the adhesion action `dinamis_relay_adhesion_<action>`."""
    return call_action(f"dinamis_relay_adhesion_{action}", user, **data)


# A 0.1° square near Bordeaux, about 87 km²: the area of interest of the test requests.


class ActionFactory(factories.CKANFactory):
    """CKAN's factory through `Meta.action`, called as `user` (by default `default_user()`: a
    new sysadmin) with auth checked, like a request, rather than CKAN's `ignore_auth`."""

    class Meta:
        abstract = True

    @classmethod
    def api_create(cls, data_dict: dict[str, Any]) -> Any:
        # `user=None` is an anonymous caller, as in call_action.
        user = data_dict.pop("user") if "user" in data_dict else cls.default_user()
        return call_action(cls._meta.action, user, **data_dict)

    @staticmethod
    def default_user() -> dict[str, Any]:
        return factories.Sysadmin()


class AdhesionFactory(ActionFactory):
    """A draft application with complete, valid fields, through `dinamis_relay_adhesion_create`;
    `relay=True` for relay mode."""

    class Meta:
        model = Adhesion
        action = "dinamis_relay_adhesion_create"

    class Params:
        relay = factory.Trait(mode="relay", convention_number="CONV-PIGMA-2024-012")

    organization_id = factory.LazyFunction(lambda: factories.Organization()["id"])
    mode = "classic"
    referent_user_id = factory.LazyFunction(lambda: factories.User(fullname="Référente SIG")["id"])

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        return super()._create(model_class, *args, **{**adhesion_data(), **kwargs})


class AccountFactory(ActionFactory):
    """A person's own account request (`dinamis_relay_account_request`, as `user`: a new user
    by default) to `organization_id`, an entity with an accepted adhesion."""

    class Meta:
        model = Account
        action = "dinamis_relay_account_request"

    job_title = "Chargé de mission SIG"
    intended_use = "Suivi de l'artificialisation des sols"
    accept_terms = True

    @staticmethod
    def default_user() -> dict[str, Any]:
        return factories.User()


class ImageryRequestFactory(ActionFactory):
    """A draft imagery request (`dinamis_relay_imagery_request_create`) by `user`, who holds
    an active account with `organization_id`: a Pléiades acquisition over Bordeaux."""

    class Meta:
        model = ImageryRequest
        action = "dinamis_relay_imagery_request_create"

    title = "Suivi du trait de côte"
    area = factory.LazyFunction(lambda: copy.deepcopy(SQUARE))
    period_start = factory.LazyFunction(
        lambda: (datetime.date.today() + datetime.timedelta(days=10)).isoformat()
    )
    period_end = factory.LazyFunction(
        lambda: (datetime.date.today() + datetime.timedelta(days=70)).isoformat()
    )
    sensor = "pleiades"
    stereo = False
    max_cloud_cover = 10
    max_viewing_angle = 20
    acquisition_mode = "new_acquisition"
    intended_use = "Cartographie de l'érosion littorale"
    justification = "Pas d'image récente sans nuages"


def legal_token(adhesion_id: str) -> str:
    """The legal representative's current token (as emailed), rebuilt from the stored nonce."""
    model.Session.expire_all()
    adhesion = model.Session.get(Adhesion, adhesion_id)
    assert adhesion is not None and adhesion.legal_token_nonce, "no pending legal link"
    return tokens.make_token(adhesion.id, adhesion.legal_token_nonce)


# How to reach each state from a draft, as (action, extra data) steps.
_PATHS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "draft": [],
    "pending_legal_validation": [("submit", {})],
    "pending_instruction": [("submit", {}), ("legal", {"decision": "accept"})],
    "returned": [
        ("submit", {}),
        ("legal", {"decision": "accept"}),
        ("decide", {"decision": "return", "reason": "Pièce manquante"}),
    ],
    "accepted": [
        ("submit", {}),
        ("legal", {"decision": "accept"}),
        ("decide", {"decision": "accept"}),
    ],
    "rejected": [
        ("submit", {}),
        ("legal", {"decision": "accept"}),
        ("decide", {"decision": "reject", "reason": "Non éligible"}),
    ],
    "suspended": [
        ("submit", {}),
        ("legal", {"decision": "accept"}),
        ("decide", {"decision": "accept"}),
        ("suspend", {"reason": "Usage non conforme"}),
    ],
    "terminated": [
        ("submit", {}),
        ("legal", {"decision": "accept"}),
        ("decide", {"decision": "accept"}),
        ("terminate", {"reason": "Dissolution"}),
    ],
    "expired": [
        ("submit", {}),
        ("legal", {"decision": "accept"}),
        ("decide", {"decision": "accept"}),
        ("expire", {}),
    ],
}


def adhesion(
    state: str = "draft",
    mode: str = "classic",
    organization: dict[str, Any] | None = None,
    referent: dict[str, Any] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """An adhesion in `state`, for a new organization unless one is given.

    Classic mode: `referent` (created when missing) is the entity referent. Relay mode: a
    super-referent records a positive eligibility check. Returns the adhesion as shown to a
    sysadmin, plus "organization_dict" and "referent_dict".
    """
    sysadmin = factories.Sysadmin()
    organization = organization or factories.Organization()
    referent = referent or factories.User(fullname="Référente SIG")
    fields.setdefault("referent_user_id", referent["id"])
    created = AdhesionFactory(
        user=sysadmin, organization_id=organization["id"], relay=mode == "relay", **fields
    )
    adhesion_id = created["id"]
    if mode == "relay" and state != "draft":
        call("check_eligibility", sysadmin, id=adhesion_id, eligible=True, note="Commune")
    for action, extra in _PATHS[state]:
        if action == "legal":
            call("legal_validate", None, token=legal_token(adhesion_id), **extra)
        elif action == "expire":
            _expire_now(adhesion_id, sysadmin)
        else:
            call(action, sysadmin, id=adhesion_id, **extra)
    shown = call("show", sysadmin, id=adhesion_id)
    shown["organization_dict"] = organization
    shown["referent_dict"] = referent
    return shown


def _expire_now(adhesion_id: str, sysadmin: dict[str, Any]) -> None:
    """End the adhesion's validity yesterday, then run the expiry as cron would."""
    model.Session.expire_all()
    adhesion = model.Session.get(Adhesion, adhesion_id)
    assert adhesion is not None
    adhesion.valid_until = datetime.date.today() - datetime.timedelta(days=1)
    model.Session.commit()
    tk.get_action("dinamis_relay_adhesion_expire")(context(sysadmin), {})


def db_snapshot() -> dict[str, list[tuple]]:
    """Every row of the adhesion tables: compare before and after refused input."""
    import sqlalchemy as sa

    from ckanext.dinamis_relay.model import (
        Acceptance,
        AuditEvent,
        EligibilityCheck,
        NumberSequence,
    )

    model.Session.rollback()
    model.Session.expire_all()
    snapshot = {}
    for mapped in (Adhesion, Acceptance, AuditEvent, EligibilityCheck, NumberSequence):
        table = mapped.__table__
        rows = model.Session.execute(sa.select(table)).all()
        snapshot[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return snapshot


def read_email(raw: str | bytes, recipients: Any) -> dict[str, Any]:
    """One sent message: recipients, subject (decoded and unfolded: a long subject is
    folded over two lines, which broke substring checks when a test organization's name
    was long), the first text/plain part's body, and attachments {file name: bytes}."""
    import email
    from email import policy

    if isinstance(raw, str):
        message = email.message_from_string(raw, policy=policy.default)
    else:
        message = email.message_from_bytes(raw, policy=policy.default)
    body, attachments = "", {}
    for part in message.walk():
        if part.is_multipart():
            continue
        payload: Any = part.get_payload(decode=True)
        if part.get_filename():
            attachments[part.get_filename()] = payload
        elif part.get_content_type() == "text/plain" and not body:
            body = payload.decode(part.get_content_charset() or "utf-8")
    return {
        "to": recipients if isinstance(recipients, list) else [recipients],
        # Unfolded, and without the space a fold right after "Subject:" leaves in front.
        "subject": " ".join(str(message["Subject"]).split()),
        "body": body,
        "attachments": attachments,
    }


def sent_emails(mail_server: Any) -> list[dict[str, Any]]:
    """Messages caught by CKAN's mail_server fixture, decoded (read_email)."""
    return [
        read_email(raw, recipients)
        for _none, _sender, recipients, raw in mail_server.get_smtp_messages()
    ]


# Documents ---------------------------------------------------------------------------------


def document_adhesion(
    state: str = "accepted",
    mode: str = "classic",
    organization: dict[str, Any] | None = None,
    referent: dict[str, Any] | None = None,
    **fields: Any,
) -> Any:
    """An adhesion written straight into the tables, with what documents print: acceptances,
    legal validation, submission, eligibility check (relay) and decision (accepted).

    Documents tests use it instead of the adhesion actions, so they send the transition
    signal themselves. Returns a detached snapshot of the row's columns (jobs close the
    session).
    """
    import types

    from ckanext.dinamis_relay.model import Acceptance, EligibilityCheck
    from ckanext.dinamis_relay.procedure import numbers

    organization = organization or factories.Organization()
    referent = referent or factories.User(fullname="Référente SIG")
    decider = factories.User(fullname="Instructeur DINAMIS")
    submitter = factories.User(fullname="Super Référent PIGMA")
    data = adhesion_data(**fields)
    domains = data.pop("email_domains")
    if isinstance(domains, str):
        domains = [d.strip() for d in domains.split(",") if d.strip()]
    now = datetime.datetime(2026, 3, 2, 9, 15, 30)
    adhesion = Adhesion(
        organization_id=organization["id"],
        mode=mode,
        state=state,
        email_domains=domains,
        referent_user_id=referent["id"],
        submitted_by=submitter["id"] if mode == "relay" else referent["id"],
        submitted_at=now,
        legal_accepted_at=now + datetime.timedelta(hours=2),
        **data,
    )
    if mode == "relay":
        adhesion.convention_number = fields.get("convention_number", "CONV-PIGMA-2024-012")
        adhesion.amendment_number = numbers.next_number("amendment")
    if state in ("accepted", "suspended", "terminated", "expired"):
        adhesion.number = numbers.next_number("adhesion")
        adhesion.decided_by = decider["id"]
        adhesion.decided_at = now + datetime.timedelta(days=3)
        adhesion.dinamis_reference = "BE-2026-17"
        adhesion.valid_from = datetime.date(2026, 3, 5)
        adhesion.valid_until = datetime.date(2029, 3, 5)
    model.Session.add(adhesion)
    model.Session.flush()
    texts = [("charter", "charte-dinamis", "2024-10-15")]
    texts += [("licence", code, "2024-10-15") for code in ("dinamis-spot67", "dinamis-pleiades")]
    if mode == "relay":
        texts.append(("amendment", "avenant-relais", "2024-10-15"))
        model.Session.add(
            EligibilityCheck(
                adhesion_id=adhesion.id,
                eligible=True,
                note="Commune de Nouvelle-Aquitaine",
                checked_by=submitter["id"],
                checked_at=now - datetime.timedelta(days=1),
            )
        )
    for kind, code, version in texts:
        model.Session.add(
            Acceptance(
                adhesion_id=adhesion.id,
                text_kind=kind,
                text_code=code,
                text_version=version,
                accepted_by_name=adhesion.legal_rep_name or "",
                accepted_by_email=adhesion.legal_rep_email or "",
                accepted_at=adhesion.legal_accepted_at,
            )
        )
    model.Session.commit()
    columns = Adhesion.__table__.columns
    return types.SimpleNamespace(**{c.key: getattr(adhesion, c.key) for c in columns})


# Accounts ----------------------------------------------------------------------------------


def account(
    state: str = "active",
    mode: str = "classic",
    organization: dict[str, Any] | None = None,
    person: dict[str, Any] | None = None,
    **profile: Any,
) -> dict[str, Any]:
    """An individual DINAMIS account in `state` (requested, active, suspended, refused,
    expired, closed), brought there through the account actions by a sysadmin.

    The organization (new unless given) gets an accepted current adhesion written straight
    into the table when it has none. Returns the account as shown to a sysadmin, plus
    "organization_dict" and "person_dict".
    """
    from . import account_helpers

    sysadmin = factories.Sysadmin()
    organization = organization or factories.Organization()
    current = (
        model.Session.query(Adhesion)
        .filter_by(organization_id=organization["id"], is_current=True)
        .one_or_none()
    )
    if current is None:
        account_helpers.make_adhesion(organization["id"], mode=mode)
    person = person or factories.User()
    created = AccountFactory(user=person, organization_id=organization["id"], **profile)
    account_id = created["id"]
    steps = {
        "requested": [],
        "active": ["validate"],
        "suspended": ["validate", "suspend"],
        "refused": ["refuse"],
        "closed": ["validate", "close"],
        "expired": ["validate", "expire"],
    }[state]
    for step in steps:
        if step == "refuse":
            account_helpers.call(
                "dinamis_relay_account_refuse", sysadmin, id=account_id, reason="Test"
            )
        elif step == "expire":
            row = account_helpers.account_row(account_id)
            row.valid_until = datetime.date.today() - datetime.timedelta(days=1)
            model.Session.commit()
            account_helpers.call("dinamis_relay_account_expire", sysadmin)
        else:
            account_helpers.call(f"dinamis_relay_account_{step}", sysadmin, id=account_id)
    shown = account_helpers.call("dinamis_relay_account_show", sysadmin, id=account_id)
    shown["organization_dict"] = organization
    shown["person_dict"] = person
    return shown


# Entities in any state, written as rows -----------------------------------------------------

LICENCES = ("dinamis-spot67", "dinamis-pleiades")


def entity(
    mode: str,
    state: str = "accepted",
    *,
    referent: dict[str, Any] | None = None,
    licences: tuple[str, ...] = LICENCES,
    entity_type: str = "commune",
    department: str = "33",
    checked: bool = False,
    **org_fields: Any,
) -> tuple[dict[str, Any], Adhesion]:
    """An organization whose current adhesion is in `state`, with the licences accepted, the
    creation event and, when accepted, a number and a decision date.

    Written as rows, not through the actions: the services, labels and dashboard tests are
    about what an adhesion in a given state allows, and walking each entity through the
    procedure (a dozen actions and documents) would test the procedure again, slowly. The
    procedure's own tests use `adhesion()`.
    """
    org = factories.Organization(**org_fields)
    accepted = state == "accepted"
    adhesion = Adhesion(
        organization_id=org["id"],
        is_current=True,
        mode=mode,
        state=state,
        legal_name=org["title"],
        entity_type=entity_type,
        department=department,
        referent_user_id=referent["id"] if referent else None,
        email_domains=[],
        number=f"DINAMIS-2026-{org['id'][:6]}" if accepted else None,
        decided_at=utcnow() if accepted else None,
    )
    model.Session.add(adhesion)
    model.Session.flush()
    for code in licences:
        model.Session.add(
            Acceptance(
                adhesion_id=adhesion.id,
                text_kind="licence",
                text_code=code,
                text_version="2024-10-15",
                accepted_by_name="Jeanne Maire",
                accepted_by_email="maire@example.org",
            )
        )
    if checked:
        model.Session.add(
            EligibilityCheck(adhesion_id=adhesion.id, eligible=True, checked_by="someone")
        )
    model.Session.add(
        AuditEvent(
            object_type="adhesion",
            object_id=adhesion.id,
            organization_id=org["id"],
            action="create",
            to_state="draft",
            data={},
        )
    )
    model.Session.commit()
    return org, adhesion
