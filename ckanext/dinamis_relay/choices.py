"""Choice lists of the adhesion form, with translated labels.

Values are stored; labels are translated when asked for, so each function is called at
render time (in the request's language), never at import time.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask_babel import pgettext

from .model import account as account_model
from .model.adhesion import MODES, STATES

ENTITY_TYPES = (
    "commune",
    "epci_cc",
    "epci_ca",
    "epci_cu",
    "metropole",
    "departement",
    "region",
    "service_etat",
    "etablissement_public",
    "gip",
    "syndicat_mixte",
    "universite",
    "organisme_recherche",
    "association",
    "entreprise",
    "autre",
)

ELIGIBILITY_CATEGORIES = (
    "public_body",
    "research_teaching",
    "association_public_interest",
    "company_public_actor_or_rd",
)

# Categories for which the applicant must explain why the entity is eligible.
JUSTIFIED_CATEGORIES = ("company_public_actor_or_rd",)

DECISIONS = ("accept", "reject", "return")
LEGAL_DECISIONS = ("accept", "decline")


def _labels(values: tuple[str, ...], labels: dict[str, str]) -> list[tuple[str, str]]:
    return [(value, labels.get(value, value)) for value in values]


def entity_type_choices() -> list[tuple[str, str]]:
    return _labels(
        ENTITY_TYPES,
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


def eligibility_category_choices() -> list[tuple[str, str]]:
    return _labels(
        ELIGIBILITY_CATEGORIES,
        {
            "public_body": tk._("Public body (State, local authority, public establishment)"),
            "research_teaching": tk._("Research or higher education"),
            "association_public_interest": tk._("Association with a public-interest mission"),
            "company_public_actor_or_rd": tk._(
                "Company working for a public actor or in research and development"
            ),
        },
    )


def mode_choices() -> list[tuple[str, str]]:
    return _labels(
        MODES,
        {
            # Shown after a "Procedure" heading: the labels do not repeat the word.
            "classic": tk._("Classic (the entity's own referent)"),
            "relay": tk._("Relay (through the relay platform's super-referent)"),
        },
    )


def state_choices() -> list[tuple[str, str]]:
    # The context lets languages with grammatical gender agree with "adhesion"
    # (feminine in French), unlike the same words said of an account.
    return _labels(
        STATES,
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


def account_state_choices() -> list[tuple[str, str]]:
    """States of an individual account: the one place their labels live."""
    return _labels(
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


def decision_choices() -> list[tuple[str, str]]:
    return _labels(
        DECISIONS,
        {
            "accept": tk._("Accept"),
            "reject": tk._("Reject"),
            "return": tk._("Return for changes"),
        },
    )


def label(choices: list[tuple[str, str]], value: str | None) -> str:
    """The label of `value` in a choice list (the value itself when unknown)."""
    return dict(choices).get(value or "", value or "")
