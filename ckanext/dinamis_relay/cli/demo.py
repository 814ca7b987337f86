"""Demo data for `ckan dinamis-relay demo-data`: a relay, DINAMIS, entities in various states
and a user for each role, built through the actions as each person would act.

Idempotent: existing users and organizations are kept, an entity that already has an
adhesion is left as it is.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ..model import Adhesion
from ..procedure import tokens

DEFAULT_PASSWORD = "DinamisDemo2026!"

# name, full name, role description, sysadmin?
USERS = [
    ("admin-plateforme", "Alice Administratrice", "platform sysadmin", True),
    ("relais-pigma", "Romain Relais", "super-referent (editor of the relay)", False),
    ("instructeur-dinamis", "Inès Instructrice", "DINAMIS instructor", False),
    ("referent-bordeaux", "Bruno Référent", "entity referent of Bordeaux Métropole", False),
    ("agent-pessac", "Paula Agente", "referent of Commune de Pessac, active account", False),
    ("agent-bordeaux", "Benoît Agent", "account requested at Bordeaux Métropole", False),
    ("visiteur", "Victor Visiteur", "registered user without any role", False),
]

# organization name, title, mode, target state, acting user, adhesion fields
ENTITIES: list[tuple[str, str, str, str, str, dict[str, Any]]] = [
    (
        "commune-de-pessac",
        "Commune de Pessac",
        "relay",
        "accepted",
        "relais-pigma",
        {
            "siret": "21330318700016",
            "entity_type": "commune",
            "postcode": "33600",
            "city": "Pessac",
            "email_domains": "pessac.fr",
            "address": "Place de la Ve République",
            "legal_rep_name": "Jeanne Maire",
            "legal_rep_title": "Maire",
            "legal_rep_email": "maire@pessac.example",
            "referent_user_id": "agent-pessac",
        },
    ),
    (
        "bordeaux-metropole",
        "Bordeaux Métropole",
        "classic",
        "accepted",
        "referent-bordeaux",
        {
            "siret": "24330031600011",
            "entity_type": "metropole",
            "postcode": "33045",
            "city": "Bordeaux",
            "email_domains": "bordeaux-metropole.fr",
            "address": "Esplanade Charles de Gaulle",
            "legal_rep_name": "Paul Président",
            "legal_rep_title": "Président",
            "legal_rep_email": "president@bm.example",
            "referent_user_id": "referent-bordeaux",
        },
    ),
    (
        "cobas",
        "Communauté d'agglomération du Bassin d'Arcachon Sud",
        "relay",
        "pending_instruction",
        "relais-pigma",
        {
            "siret": "24330040500012",
            "entity_type": "epci_ca",
            "postcode": "33260",
            "city": "La Teste-de-Buch",
            "email_domains": "agglo-cobas.fr",
            "address": "2 allée d'Espagne",
            "legal_rep_name": "Marie Présidente",
            "legal_rep_title": "Présidente",
            "legal_rep_email": "presidence@cobas.example",
            "referent_user_id": "relais-pigma",
        },
    ),
    (
        "departement-gironde",
        "Département de la Gironde",
        "relay",
        "pending_legal_validation",
        "relais-pigma",
        {
            "siret": "22330001300016",
            "entity_type": "departement",
            "postcode": "33074",
            "city": "Bordeaux",
            "email_domains": "gironde.fr",
            "address": "1 esplanade Charles de Gaulle",
            "legal_rep_name": "Jean-Luc Président",
            "legal_rep_title": "Président du Conseil départemental",
            "legal_rep_email": "president@gironde.example",
            "referent_user_id": "relais-pigma",
        },
    ),
    (
        "gironde-numerique",
        "Syndicat mixte Gironde Numérique",
        "relay",
        "draft",
        "relais-pigma",
        {
            "entity_type": "syndicat_mixte",
            "postcode": "33000",
            "city": "Bordeaux",
            "email_domains": "girondenumerique.fr",
        },
    ),
    (
        "universite-de-bordeaux",
        "Université de Bordeaux",
        "classic",
        "returned",
        "referent-bordeaux",
        {
            "siret": "13001831000016",
            "entity_type": "universite",
            "eligibility_category": "research_teaching",
            "postcode": "33405",
            "city": "Talence",
            "email_domains": "u-bordeaux.fr",
            "address": "351 cours de la Libération",
            "legal_rep_name": "Dean Président",
            "legal_rep_title": "Président",
            "legal_rep_email": "presidence@u-bordeaux.example",
            "referent_user_id": "referent-bordeaux",
        },
    ),
]

COMMON_FIELDS = {
    "eligibility_category": "public_body",
    "department": "33",
    "phone": "05 56 00 00 00",
    "referent_title": "Responsable SIG",
    "referent_phone": "05 56 00 00 01",
    "convention_number": "CONV-PIGMA-2024-001",
}


def _site_context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _as(user: str) -> dict[str, Any]:
    return {"user": user, "ignore_auth": False}


def _ensure_user(name: str, fullname: str, sysadmin: bool, password: str) -> None:
    try:
        tk.get_action("user_show")(_site_context(), {"id": name})
        return
    except tk.ObjectNotFound:
        pass
    tk.get_action("user_create")(
        _site_context(),
        {"name": name, "fullname": fullname, "email": f"{name}@demo.example", "password": password},
    )
    if sysadmin:
        tk.get_action("user_patch")(_site_context(), {"id": name, "sysadmin": True})


def _ensure_org(name: str, title: str, users: list[dict[str, str]]) -> dict[str, Any]:
    try:
        return tk.get_action("organization_show")(_site_context(), {"id": name})
    except tk.ObjectNotFound:
        return tk.get_action("organization_create")(
            _site_context(), {"name": name, "title": title, "users": users}
        )


def _legal_token(adhesion_id: str) -> str:
    """The token the legal representative receives by email (rebuilt for the demo)."""
    adhesion = model.Session.get(Adhesion, adhesion_id)
    assert adhesion is not None and adhesion.legal_token_nonce
    return tokens.make_token(adhesion.id, adhesion.legal_token_nonce)


def _bring_to_state(adhesion_id: str, mode: str, state: str, actor: str) -> str | None:
    """Walk the lifecycle as each person would; returns the legal link when one is pending."""
    if mode == "relay":
        tk.get_action("dinamis_relay_adhesion_check_eligibility")(
            _as("relais-pigma"),
            {"id": adhesion_id, "eligible": True, "note": "Éligibilité confirmée avec DINAMIS"},
        )
    if state == "draft":
        return None
    tk.get_action("dinamis_relay_adhesion_submit")(_as(actor), {"id": adhesion_id})
    token = _legal_token(adhesion_id)
    if state == "pending_legal_validation":
        return tokens.legal_link_url(token)
    tk.get_action("dinamis_relay_adhesion_legal_validate")(
        {"user": ""}, {"token": token, "decision": "accept"}
    )
    decisions = {
        "accepted": {"decision": "accept", "dinamis_reference": "BE-DINAMIS-2026-17"},
        "returned": {"decision": "return", "reason": "Merci de joindre la délibération."},
    }
    if state in decisions:
        tk.get_action("dinamis_relay_adhesion_decide")(
            _as("instructeur-dinamis"), {"id": adhesion_id, **decisions[state]}
        )
    return None


def _ensure_services() -> None:
    """An active account, a pending request, a restricted imagery dataset, an imagery request."""
    accounts = tk.get_action("dinamis_relay_account_list")(
        _site_context(), {"organization_id": "commune-de-pessac"}
    )
    if accounts["count"]:
        return
    tk.get_action("dinamis_relay_account_create")(
        _as("relais-pigma"),
        {
            "organization_id": "commune-de-pessac",
            "user": "agent-pessac",
            "job_title": "Chargée de mission SIG",
            "intended_use": "Suivi de l'artificialisation des sols",
        },
    )
    tk.get_action("dinamis_relay_account_request")(
        _as("agent-bordeaux"),
        {
            "organization_id": "bordeaux-metropole",
            "job_title": "Géomaticien",
            "intended_use": "Cartographie de la végétation urbaine",
            "accept_terms": True,
        },
    )
    tk.get_action("package_create")(
        _site_context(),
        {
            "name": "mosaique-spot67-nouvelle-aquitaine-2025",
            "title": "Mosaïque SPOT 6/7 Nouvelle-Aquitaine 2025",
            "notes": "Mosaïque régionale d'images SPOT 6/7 (licence DINAMIS).",
            "owner_org": "pigma",
            "dinamis_licence": "dinamis-spot67",
            "resources": [
                {
                    "name": "Dalle 33",
                    "url": "https://example.org/spot67/dalle-33.tif",
                    "format": "GeoTIFF",
                }
            ],
        },
    )
    today = datetime.date.today()
    request = tk.get_action("dinamis_relay_imagery_request_create")(
        _as("agent-pessac"),
        {
            "organization_id": "commune-de-pessac",
            "title": "Bourg de Pessac, prochaine saison",
            "area": {
                "type": "Polygon",
                "coordinates": [
                    [[-0.69, 44.79], [-0.60, 44.79], [-0.60, 44.83], [-0.69, 44.83], [-0.69, 44.79]]
                ],
            },
            "period_start": (today + datetime.timedelta(days=30)).isoformat(),
            "period_end": (today + datetime.timedelta(days=120)).isoformat(),
            "sensor": "pleiades",
            "stereo": False,
            "acquisition_mode": "new_acquisition",
            "intended_use": "Inventaire des haies et des espaces boisés classés",
        },
    )
    tk.get_action("dinamis_relay_imagery_request_submit")(
        _as("agent-pessac"), {"id": request["id"]}
    )


def create_demo_data(password: str | None = None) -> Iterator[str]:
    """Create the demo data; yield lines to print (users with their passwords, links)."""
    password = password or DEFAULT_PASSWORD
    for name, fullname, _role, sysadmin in USERS:
        _ensure_user(name, fullname, sysadmin, password)
    _ensure_org(
        "pigma", "PIGMA — plateforme relais", [{"name": "relais-pigma", "capacity": "editor"}]
    )
    _ensure_org("dinamis", "DINAMIS", [{"name": "instructeur-dinamis", "capacity": "editor"}])

    links = []
    for org_name, title, mode, state, actor, fields in ENTITIES:
        admins = [{"name": actor, "capacity": "admin"}] if mode == "classic" else []
        org = _ensure_org(org_name, title, admins)
        try:
            tk.get_action("dinamis_relay_adhesion_show")(
                _site_context(), {"organization_id": org["id"]}
            )
            continue
        except tk.ObjectNotFound:
            pass
        data = {**COMMON_FIELDS, "legal_name": title, **fields}
        if mode == "classic":
            data.pop("convention_number")
        created = tk.get_action("dinamis_relay_adhesion_create")(
            _as(actor), {"organization_id": org["id"], "mode": mode, **data}
        )
        link = _bring_to_state(created["id"], mode, state, actor)
        if link:
            links.append(f"  {title}: {link}")

    _ensure_services()

    yield f"DINAMIS demo users (password for all: {password})"
    for name, _fullname, role, _sysadmin in USERS:
        yield f"  {name:22} {password:20} {role}"
    if links:
        yield "Legal representative's validation link(s):"
        yield from links
