"""Step 1: the relay and DINAMIS staff, the entities and their adhesions."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from .base import GeneratorBase
from .rows import _luhn, _slug
from .vocabulary import (
    CITIES,
    DAY,
    DEPARTMENT_WEIGHTS,
    DEPARTMENTS,
    ENTITY_TYPES,
    FIRST_NAMES,
    JOB_TITLES,
    LAST_NAMES,
    NAMES_BY_TYPE,
    PAYS,
    PLACES,
    PREFIX,
    RIVERS,
    SAINTS,
    TOWN_ROOTS,
)


class Organizations(GeneratorBase):
    """Staff, entities and their adhesions (current and past), checks and acceptances."""

    def staff(self) -> None:
        relay_name = tk.config.get("ckanext.dinamis_relay.relay_organization") or "relay"
        dinamis_name = tk.config.get("ckanext.dinamis_relay.dinamis_organization") or "dinamis"
        created = self.start - 90 * DAY
        existing = dict(
            model.Session.execute(
                sa.select(model.Group.name, model.Group.id).where(
                    model.Group.name.in_([relay_name, dinamis_name])
                )
            ).all()
        )
        self.relay_id = existing.get(relay_name) or self._group(
            relay_name, tk.config.get("ckanext.dinamis_relay.relay_label") or relay_name, created
        )
        self.dinamis_id = existing.get(dinamis_name) or self._group(
            dinamis_name, "DINAMIS", created
        )
        self.sysadmin_id = self._user("plateforme.example", created, True, PREFIX + "admin")[0]
        self.super_referents = [
            self._user("pigma.org", created, name=f"{PREFIX}superref-{i}")[0] for i in range(1, 6)
        ]
        for user_id in self.super_referents:
            self._member(self.relay_id, user_id, "editor")
        self.instructors = [
            self._user("dinamis.data-terra.org", created, name=f"{PREFIX}instructor-{i}")[0]
            for i in range(1, 4)
        ]
        for user_id in self.instructors:
            self._member(self.dinamis_id, user_id, "editor")

    def _entity_names(self) -> Iterator[tuple[str, str, str]]:
        """(entity type, legal name, département) in a realistic mix, each name once.

        The realistic names are finite: once draws keep missing (a name already used, a type
        whose list is used up), names are numbered ("Commune de Pessac (2)"), so any number
        of entities can be made."""
        types = [t[0] for t in ENTITY_TYPES]
        weights = [t[1] for t in ENTITY_TYPES]
        departments = list(DEPARTMENTS)
        pools = {key: list(names) for key, names in NAMES_BY_TYPE.items()}
        for pool in pools.values():
            self.rng.shuffle(pool)
        seen: set[str] = set()
        numbered: dict[str, int] = {}
        misses = 0
        while True:
            entity_type = self.rng.choices(types, weights)[0]
            department = self.rng.choices(departments, DEPARTMENT_WEIGHTS)[0]
            city = self.rng.choice(CITIES[department].split())
            if entity_type == "commune":
                name = "Commune de " + self.rng.choice(
                    [
                        city,
                        f"Saint-{self.rng.choice(SAINTS)}-de-{self.rng.choice(PLACES)}",
                        f"{self.rng.choice(TOWN_ROOTS)}-sur-{self.rng.choice(RIVERS)}",
                    ]
                )
            elif entity_type == "epci_cc":
                name = "Communauté de communes " + self.rng.choice(
                    [
                        f"{self.rng.choice(('du', 'de', 'des'))} {self.rng.choice(PAYS)}",
                        f"de {city}",
                    ]
                )
            elif entity_type == "syndicat_mixte":
                name = self.rng.choice(
                    [
                        f"Syndicat mixte du bassin versant de la {self.rng.choice(RIVERS)}",
                        f"Syndicat mixte du SCoT {self.rng.choice(PAYS)}",
                        f"Syndicat d'eau potable de {city}",
                    ]
                )
            elif pools.get(entity_type):
                name = pools[entity_type].pop()
            elif misses >= 50 and NAMES_BY_TYPE.get(entity_type):
                name = self.rng.choice(NAMES_BY_TYPE[entity_type])
            else:
                misses += 1
                continue
            if name in seen:
                if misses < 50:
                    misses += 1
                    continue
                # Numbered from now on until a new name comes up by itself: the realistic
                # ones are used up, no more 50 draws per entity.
                base = name
                while name in seen:
                    numbered[base] = numbered.get(base, 1) + 1
                    name = f"{base} ({numbered[base]})"
            else:
                misses = 0
            seen.add(name)
            yield entity_type, name, department

    def entities(self) -> None:
        """Organizations, their current (and some past) adhesions, eligibility checks,
        acceptances and audit events."""
        states = [
            ("accepted", 74),
            ("pending_instruction", 5),
            ("pending_legal_validation", 3),
            ("draft", 6),
            ("returned", 2),
            ("rejected", 3),
            ("suspended", 2),
            ("terminated", 2),
            ("expired", 3),
        ]
        state_names = [s for s, _w in states]
        state_weights = [w for _s, w in states]
        type_info = {t[0]: t for t in ENTITY_TYPES}
        names = self._entity_names()
        pattern = tk.config["ckanext.dinamis_relay.adhesion_number_pattern"]
        amendment_pattern = tk.config["ckanext.dinamis_relay.amendment_number_pattern"]
        for index in range(self.sizes.entities):
            self.progress("entities", index + 1, self.sizes.entities)
            entity_type, legal_name, department = next(names)
            state = self.rng.choices(state_names, state_weights)[0]
            mode = "relay" if self.rng.random() < 0.8 else "classic"
            created = self._between(self.start - 60 * DAY, self.now - 90 * DAY)
            if state in ("draft", "pending_legal_validation", "pending_instruction", "returned"):
                created = self._between(self.now - 80 * DAY, self.now - 2 * DAY)
            org_slug = _slug(legal_name)[:70]
            org_id = self._group(f"{PREFIX}{org_slug}-{index}", legal_name, created - 400 * DAY)
            domain = (org_slug.replace("commune-de-", "").replace("-", "")[:24] or "entite") + (
                ".fr"
            )
            city = self.rng.choice(CITIES[department].split())
            entity = {
                "organization_id": org_id,
                "entity_type": entity_type,
                "legal_name": legal_name,
                "department": department,
                "city": city,
                "domain": domain,
                "mode": mode,
                "staff_weight": type_info[entity_type][2] * self.rng.lognormvariate(0, 0.6),
            }
            adhesion = self._adhesion(
                entity, state, created, type_info[entity_type][3], pattern, amendment_pattern
            )
            self.adhesions.append(adhesion)
            # Some accepted partners renewed: their previous, expired adhesion stays.
            if state == "accepted" and self.rng.random() < 0.05:
                self._previous(adhesion)

    def _adhesion(
        self,
        entity: dict[str, Any],
        state: str,
        created: datetime.datetime,
        category: str,
        pattern: str,
        amendment_pattern: str,
    ) -> dict[str, Any]:
        rng = self.rng
        adhesion_id = self.new_id()
        org_id = entity["organization_id"]
        super_referent = rng.choice(self.super_referents)
        legal_first, legal_last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        row: dict[str, Any] = {
            "id": adhesion_id,
            "organization_id": org_id,
            "is_current": True,
            "previous_id": None,
            "number": None,
            "mode": entity["mode"],
            "state": state,
            "legal_name": entity["legal_name"],
            "acronym": "".join(w[0] for w in entity["legal_name"].split() if w[0].isupper())[:8],
            "siret": _luhn(f"2{rng.randrange(10**11, 10**12)}"),
            "entity_type": entity["entity_type"],
            "eligibility_category": category,
            "eligibility_justification": (
                "Prestataire SIG de collectivités" if category.startswith("company") else None
            ),
            "address": f"{rng.randint(1, 120)} {rng.choice(('rue', 'avenue', 'place', 'cours'))} "
            f"{rng.choice(('de la République', 'Victor Hugo', 'Jean Jaurès', 'de la Mairie', 'du Général de Gaulle', 'des Écoles'))}",  # noqa: E501
            "postcode": f"{entity['department']}{rng.randint(0, 999):03d}",
            "city": entity["city"],
            "department": entity["department"],
            "website": f"https://www.{entity['domain']}",
            "phone": f"05 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
            f"{rng.randint(10, 99)}",
            "email_domains": [entity["domain"]],
            "legal_rep_name": f"{legal_first} {legal_last}",
            "legal_rep_title": rng.choice(("Maire", "Président(e)", "Directeur(trice)", "Préfet")),
            "legal_rep_email": f"{_slug(legal_first)}.{_slug(legal_last)}@{entity['domain']}",
            "referent_user_id": None,
            "referent_title": rng.choice(JOB_TITLES),
            "referent_phone": f"05 {rng.randint(10, 99)} 00 00 {rng.randint(10, 99)}",
            "convention_number": f"CONV-PIGMA-{rng.randint(2015, 2024)}-{rng.randint(1, 999):03d}"
            if entity["mode"] == "relay"
            else None,
            "amendment_number": None,
            "legal_token_nonce": None,
            "legal_token_expires": None,
            "legal_accepted_at": None,
            "decision_reason": None,
            "dinamis_reference": None,
            "decided_by": None,
            "decided_at": None,
            "submitted_by": None,
            "submitted_at": None,
            "valid_from": None,
            "valid_until": None,
            "reminder_sent_at": None,
            "created_by": super_referent if entity["mode"] == "relay" else None,
            "created": created,
            "modified": created,
            "_entity": entity,
        }
        actor = row["created_by"]
        event = self._event
        event(created, "adhesion", adhesion_id, org_id, "create", None, "draft", actor)
        when = created + rng.randint(1, 10) * DAY
        relay = entity["mode"] == "relay"
        if relay and (state != "draft" or rng.random() < 0.5):
            eligible = state != "rejected" or rng.random() < 0.5
            self.checks.append(
                (self.new_id(), adhesion_id, eligible, "Vérifié avec DINAMIS", super_referent, when)
            )
            event(
                when,
                "adhesion",
                adhesion_id,
                org_id,
                "check_eligibility",
                "draft",
                "draft",
                super_referent,
                data={"eligible": eligible},
            )
            row["modified"] = when
        if state == "draft":
            return row
        # Submitted, then validated by the legal representative (the first step back to
        # "returned" is the representative declining, or DINAMIS returning it).
        when += rng.randint(1, 15) * DAY
        row["submitted_at"], row["submitted_by"] = when, actor
        if relay:
            row["amendment_number"] = self._number("amendment", amendment_pattern, when)
        event(
            when,
            "adhesion",
            adhesion_id,
            org_id,
            "submit",
            "draft",
            "pending_legal_validation",
            actor,
        )
        row["modified"] = when
        if state == "pending_legal_validation":
            row["legal_token_nonce"] = self.new_id().replace("-", "")
            row["legal_token_expires"] = when + 7 * DAY
            return row
        when += rng.randint(1, 7) * DAY
        if state == "returned" and rng.random() < 0.5:
            event(
                when,
                "adhesion",
                adhesion_id,
                org_id,
                "legal_decline",
                "pending_legal_validation",
                "returned",
                None,
                comment="Le SIRET n'est pas le bon",
                actor_label=row["legal_rep_name"],
            )
            row["decision_reason"], row["modified"] = "Le SIRET n'est pas le bon", when
            return row
        row["legal_accepted_at"] = when
        texts = [
            ("charter", "charte-dinamis"),
            ("licence", "dinamis-spot67"),
            ("licence", "dinamis-pleiades"),
        ]
        if relay:
            texts.append(("amendment", "avenant-relais"))
        for kind, code in texts:
            self.acceptances.append(
                (
                    self.new_id(),
                    adhesion_id,
                    kind,
                    code,
                    "2024-10-15",
                    row["legal_rep_name"],
                    row["legal_rep_email"],
                    when,
                )
            )
        event(
            when,
            "adhesion",
            adhesion_id,
            org_id,
            "legal_accept",
            "pending_legal_validation",
            "pending_instruction",
            None,
            actor_label=row["legal_rep_name"],
        )
        row["modified"] = when
        if state == "pending_instruction":
            return row
        when += rng.randint(2, 30) * DAY
        decider = rng.choice(self.instructors)
        row["decided_by"], row["decided_at"] = decider, when
        row["dinamis_reference"] = f"BE-{when.year}-{rng.randint(1, 60)}"
        decision = {"returned": "return", "rejected": "reject"}.get(state, "accept")
        to_state = {"return": "returned", "reject": "rejected", "accept": "accepted"}[decision]
        reason = {"return": "Pièce manquante", "reject": "Structure non éligible"}.get(decision)
        row["decision_reason"] = reason
        data: dict[str, Any] = {"dinamis_reference": row["dinamis_reference"]}
        if decision == "accept":
            row["number"] = self._number("adhesion", pattern, when)
            row["valid_from"] = when.date()
            row["valid_until"] = when.date() + datetime.timedelta(days=3 * 365)
            data["number"] = row["number"]
        event(
            when,
            "adhesion",
            adhesion_id,
            org_id,
            decision,
            "pending_instruction",
            to_state,
            decider,
            comment=reason,
            data=data,
        )
        row["modified"] = when
        if state in ("suspended", "terminated"):
            when = self._between(when + 30 * DAY, self.now - DAY)
            action = {"suspended": "suspend", "terminated": "terminate"}[state]
            event(
                when,
                "adhesion",
                adhesion_id,
                org_id,
                action,
                "accepted",
                state,
                rng.choice(self.instructors),
                comment="Usage non conforme",
            )
            row["modified"] = when
        elif state == "expired":
            row["valid_until"] = self.today - rng.randint(1, 200) * DAY
            when = datetime.datetime.combine(row["valid_until"] + DAY, datetime.time(2, 0))
            event(when, "adhesion", adhesion_id, org_id, "expire", "accepted", "expired", None)
            row["modified"] = when
        return row

    def _previous(self, current: dict[str, Any]) -> None:
        """A past, expired adhesion that the current one renewed."""
        previous = dict(current)
        previous["id"] = self.new_id()
        previous["is_current"] = False
        previous["state"] = "expired"
        previous["number"] = self._number(
            "adhesion",
            tk.config["ckanext.dinamis_relay.adhesion_number_pattern"],
            current["created"] - 3 * 365 * DAY,
        )
        previous["created"] = current["created"] - 3 * 365 * DAY
        previous["modified"] = current["created"] - DAY
        previous["valid_until"] = (current["created"] - DAY).date()
        previous["valid_from"] = previous["valid_until"] - datetime.timedelta(days=3 * 365)
        previous["amendment_number"] = None
        current["previous_id"] = previous["id"]
        self.adhesions.append(previous)
