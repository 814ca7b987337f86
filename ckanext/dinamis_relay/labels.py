"""Translated labels of stored values: every label a page, an email, an export or a PDF
shows for a code, in one place and one shape.

Each function returns an ordered dict {stored value: label in the current language}, built
when called (at render time, in the request's language), never at import time. The stored
values themselves are declared on the models (`model.adhesion.ENTITY_TYPES`, …). Contexts
(`pgettext`) let languages with grammatical gender agree: an adhesion and a request are
feminine in French, an account masculine. Each call spells its context out so that message
extraction sees it.
"""

from __future__ import annotations

from collections.abc import Callable

import ckan.plugins.toolkit as tk
from flask_babel import pgettext

from .model import account as account_model
from .model import adhesion as adhesion_model
from .model import document as document_model


def _ordered(values: tuple[str, ...], labels: dict[str, str]) -> dict[str, str]:
    return {value: labels.get(value, value) for value in values}


# --- Adhesions -------------------------------------------------------------------------


def entity_types() -> dict[str, str]:
    return _ordered(
        adhesion_model.ENTITY_TYPES,
        {
            "commune": tk._("Municipality (commune)"),
            "epci_cc": tk._("EPCI: communauté de communes"),
            "epci_ca": tk._("EPCI: communauté d'agglomération"),
            "epci_cu": tk._("EPCI: communauté urbaine"),
            "metropole": tk._("Métropole"),
            "departement": tk._("Département"),
            "region": tk._("Region"),
            "service_etat": tk._("Deconcentrated State service"),
            "etablissement_public": tk._("Public establishment (EPA, EPIC, EPST)"),
            "gip": tk._("Public interest grouping (GIP)"),
            "syndicat_mixte": tk._("Syndicat mixte"),
            "universite": tk._("University"),
            "organisme_recherche": tk._("Research organisation"),
            "association": tk._("Association"),
            "entreprise": tk._("Company"),
            "autre": tk._("Other"),
        },
    )


def eligibility_categories() -> dict[str, str]:
    return _ordered(
        adhesion_model.ELIGIBILITY_CATEGORIES,
        {
            "public_body": tk._("Public body (State, local authority, public establishment)"),
            "research_teaching": tk._("Research or higher education"),
            "association_public_interest": tk._("Association with a public-interest mission"),
            "company_public_actor_or_rd": tk._(
                "Company working for a public actor or in research and development"
            ),
        },
    )


def modes() -> dict[str, str]:
    return _ordered(
        adhesion_model.MODES,
        {
            # Shown after a "Procedure" heading: the labels do not repeat the word.
            "classic": tk._("Classic (the entity's own referent)"),
            "relay": tk._("Relay (through the relay platform's super-referent)"),
        },
    )


def adhesion_states() -> dict[str, str]:
    return _ordered(
        adhesion_model.STATES,
        {
            "draft": pgettext("adhesion state", "Draft"),
            "pending_legal_validation": pgettext(
                "adhesion state", "Awaiting the legal representative"
            ),
            "pending_instruction": pgettext("adhesion state", "Awaiting DINAMIS decision"),
            "returned": pgettext("adhesion state", "Returned for changes"),
            "accepted": pgettext("adhesion state", "Accepted"),
            "rejected": pgettext("adhesion state", "Rejected"),
            "suspended": pgettext("adhesion state", "Suspended"),
            "terminated": pgettext("adhesion state", "Terminated"),
            "expired": pgettext("adhesion state", "Expired"),
        },
    )


def decisions() -> dict[str, str]:
    return _ordered(
        adhesion_model.DECISIONS,
        {
            "accept": tk._("Accept"),
            "reject": tk._("Reject"),
            "return": tk._("Return for changes"),
        },
    )


def adhesion_events() -> dict[str, str]:
    """What an audit event of an adhesion means, in words."""
    return {
        "create": tk._("Application started"),
        "update": tk._("Application edited"),
        "check_eligibility": tk._("Eligibility checked"),
        "submit": tk._("Submitted to the legal representative"),
        "legal_accept": tk._("Validated by the legal representative"),
        "legal_decline": tk._("Declined by the legal representative"),
        "legal_link_expired": tk._("The legal representative's link expired"),
        "accept": tk._("Accepted by DINAMIS"),
        "reject": tk._("Rejected by DINAMIS"),
        "return": tk._("Returned for changes by DINAMIS"),
        "suspend": pgettext("adhesion state", "Suspended"),
        "reinstate": pgettext("adhesion state", "Reinstated"),
        "terminate": pgettext("adhesion state", "Terminated"),
        "expire": tk._("Validity ended"),
        "renew": tk._("Renewal started"),
        "reminder": tk._("Renewal reminder sent"),
        "register": tk._("Registered from an existing adhesion"),
        "supporting_document_add": tk._("Supporting document added"),
        "supporting_document_delete": tk._("Supporting document removed"),
    }


def adhesion_transitions() -> dict[str, str]:
    """Names of the adhesion transitions, for buttons and "not possible now" messages."""
    return {
        "create": tk._("Start an application"),
        "update": tk._("Edit the application"),
        "check_eligibility": tk._("Record the eligibility check"),
        "submit": tk._("Submit"),
        "legal_accept": tk._("Accept"),
        "legal_decline": tk._("Decline"),
        "legal_link_expired": tk._("The legal representative's link expired"),
        "accept": tk._("Accept"),
        "reject": tk._("Reject"),
        "return": tk._("Return for changes"),
        "suspend": tk._("Suspend"),
        "reinstate": tk._("Reinstate"),
        "terminate": tk._("Terminate"),
        "expire": tk._("Validity ended"),
        "renew": tk._("Renew the adhesion"),
        "register": tk._("Register an existing adhesion"),
    }


def document_kinds() -> dict[str, str]:
    return _ordered(
        document_model.KINDS,
        {
            document_model.ACTE_ADHESION: tk._("Act of adhesion"),
            document_model.AVENANT: tk._("Amendment to the partnership convention"),
            document_model.CONVENTION: tk._("Partnership convention"),
        },
    )


def text_kinds() -> dict[str, str]:
    """The kinds of text a legal representative accepts, as documents name them."""
    return {
        "charter": tk._("DINAMIS charter"),
        "licence": tk._("User licence"),
        "amendment": tk._("Amendment"),
    }


# --- Individual accounts ---------------------------------------------------------------


def account_states() -> dict[str, str]:
    return _ordered(
        account_model.STATES,
        {
            account_model.REQUESTED: pgettext("account state", "Requested"),
            account_model.ACTIVE: pgettext("account state", "Active"),
            account_model.SUSPENDED: pgettext("account state", "Suspended"),
            account_model.REFUSED: pgettext("account state", "Refused"),
            account_model.EXPIRED: pgettext("account state", "Expired"),
            account_model.CLOSED: pgettext("account state", "Closed"),
        },
    )


def account_events() -> dict[str, str]:
    """What an audit event of an individual account means, in words."""
    return {
        "request": tk._("Account requested"),
        "create": tk._("Account opened on the person's behalf"),
        "import": tk._("Account imported"),
        "validate": tk._("Account validated"),
        "refuse": tk._("Account refused"),
        "suspend": tk._("Account suspended"),
        "reactivate": tk._("Account reactivated"),
        "renew": tk._("Account renewed"),
        "close": tk._("Account closed"),
        "expire": tk._("Account expired"),
        "reminder": tk._("Renewal reminder sent"),
        "membership_removed": tk._("Closed: the person left the organization"),
    }


def account_transitions() -> dict[str, str]:
    return {
        "request": tk._("Request an account"),
        "create": tk._("Open the account"),
        "validate": tk._("Validate"),
        "refuse": tk._("Refuse"),
        "suspend": tk._("Suspend"),
        "reactivate": tk._("Reactivate"),
        "renew": tk._("Renew"),
        "close": tk._("Close"),
        "expire": tk._("Validity ended"),
        "membership_removed": tk._("Removed from the organization"),
        "personal_data_erased": tk._("Personal data erased"),
    }


# --- Imagery requests ------------------------------------------------------------------


def imagery_states() -> dict[str, str]:
    return {
        "draft": pgettext("imagery request state", "Draft"),
        "submitted": pgettext("imagery request state", "Submitted"),
        "in_review": pgettext("imagery request state", "In review"),
        "answered": pgettext("imagery request state", "Answered"),
        "forwarded": pgettext("imagery request state", "Forwarded to DINAMIS"),
        "accepted": pgettext("imagery request state", "Accepted by DINAMIS"),
        "in_progress": pgettext("imagery request state", "In progress"),
        "delivered": pgettext("imagery request state", "Delivered"),
        "closed": pgettext("imagery request state", "Closed"),
        "rejected": pgettext("imagery request state", "Rejected"),
        "cancelled": pgettext("imagery request state", "Cancelled"),
    }


def sensors() -> dict[str, str]:
    return {
        "spot67": tk._("SPOT 6/7"),
        "pleiades": tk._("Pléiades"),
        "pleiades_neo": tk._("Pléiades Neo"),
    }


def acquisition_modes() -> dict[str, str]:
    return {
        "archive": tk._("Archive imagery"),
        "new_acquisition": tk._("New acquisition (programming)"),
    }


def imagery_transitions() -> dict[str, str]:
    return {
        "create": tk._("New imagery request"),
        "update": tk._("Edit the request"),
        "submit": tk._("Submit the request"),
        "review": tk._("Take for review"),
        "answer": tk._("Answer"),
        "forward": tk._("Forward to DINAMIS"),
        "accept": tk._("Accept"),
        "start": tk._("Start production"),
        "deliver": tk._("Mark as delivered"),
        "close": tk._("Close"),
        "reject": tk._("Reject"),
        "cancel": tk._("Cancel the request"),
    }


def imagery_events() -> dict[str, str]:
    """What a history event of a request means: its transition, or creation and submission."""
    return {
        **imagery_transitions(),
        "create": pgettext("imagery request state", "Created"),
        "submit": pgettext("imagery request state", "Submitted"),
    }


# --- By name, for templates and tables -------------------------------------------------

KINDS: dict[str, Callable[[], dict[str, str]]] = {
    "entity_type": entity_types,
    "eligibility_category": eligibility_categories,
    "mode": modes,
    "state": adhesion_states,
    "adhesion_state": adhesion_states,
    "decision": decisions,
    "adhesion_event": adhesion_events,
    "document_kind": document_kinds,
    "text_kind": text_kinds,
    "account_state": account_states,
    "account_event": account_events,
    "imagery_state": imagery_states,
    "sensor": sensors,
    "acquisition_mode": acquisition_modes,
    "imagery_transition": imagery_transitions,
    "imagery_event": imagery_events,
}

TRANSITIONS: dict[str, Callable[[], dict[str, str]]] = {
    "adhesion": adhesion_transitions,
    "account": account_transitions,
    "imagery_request": imagery_transitions,
}


def label(kind: str, value: str | None) -> str:
    """The label of a stored value of `kind` (one of KINDS); the value itself when unknown."""
    return KINDS[kind]().get(value or "", value or "")


def options(kind: str) -> list[dict[str, str]]:
    """A choice list for CKAN's `form.select` macro."""
    return [{"value": value, "text": text} for value, text in KINDS[kind]().items()]


def transition(object_type: str, name: str) -> str:
    """The translated name of a transition, for messages and buttons."""
    return TRANSITIONS[object_type]().get(name, name)
