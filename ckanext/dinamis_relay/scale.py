"""Scale data generator: `ckan dinamis-relay generate-scale-data`.

Fills a real PostgreSQL database with a regional relay at full size (DOMAIN.md, "Scale to
design for"): 1,000 entities, 50,000 accounts, 1,000,000 downloads, 20,000 imagery requests,
with their audit trail, over the last 24 months. It is meant for a database kept for
benchmarks, never for a production site.

Why it writes rows directly: going through `user_create` and the adhesion and account
actions for 50,000 people would take hours. CKAN's `user`, `group` and `member` rows and the
plugin's rows are written with PostgreSQL COPY, shaped as the actions shape them (same
states, timestamps in order, audit events for every transition, memberships for active
accounts, numbers from the gap-free counters). Every generated CKAN user shares one password
hash; generated users and organizations carry the `scale-` name prefix.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
import json
import math
import random
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

PREFIX = "scale-"


def _words(text: str, sep: str = " ") -> list[str]:
    return text.split(sep)


def _of(name: str) -> str:
    """French "of" before a département name: de la Gironde, du Lot, des Landes."""
    if name.startswith("le "):
        return "du " + name[3:]
    if name.startswith("les "):
        return "des " + name[4:]
    return "de " + name


DAY = datetime.timedelta(days=1)

# ------------------------------------------------------------------ French names

DEPARTMENTS = {
    "16": "la Charente",
    "17": "la Charente-Maritime",
    "19": "la Corrèze",
    "23": "la Creuse",
    "24": "la Dordogne",
    "33": "la Gironde",
    "40": "les Landes",
    "47": "le Lot-et-Garonne",
    "64": "les Pyrénées-Atlantiques",
    "79": "les Deux-Sèvres",
    "86": "la Vienne",
    "87": "la Haute-Vienne",
}
# Weight of each département in the partner list (Gironde is the largest by far).
DEPARTMENT_WEIGHTS = [4, 6, 3, 2, 6, 22, 7, 5, 11, 5, 6, 5]
CITIES = {
    "16": "Angoulême Cognac Confolens Barbezieux-Saint-Hilaire Ruffec Soyaux La Couronne",
    "17": "La Rochelle Rochefort Saintes Royan Jonzac Surgères Saint-Jean-d'Angély Marennes",
    "19": "Brive-la-Gaillarde Tulle Ussel Égletons Meymac Objat",
    "23": "Guéret Aubusson La Souterraine Bourganeuf Felletin",
    "24": "Périgueux Bergerac Sarlat-la-Canéda Nontron Ribérac Terrasson-Lavilledieu Montignac",
    "33": "Bordeaux Mérignac Pessac Talence Bègles Libourne Arcachon La Teste-de-Buch Lormont "
    "Cenon Blanquefort Langon Lesparre-Médoc Saint-Médard-en-Jalles Gujan-Mestras "
    "Andernos-les-Bains Bazas Blaye Eysines Villenave-d'Ornon Floirac Gradignan Biganos "
    "Sainte-Foy-la-Grande Castillon-la-Bataille Cadillac Créon Lacanau Soulac-sur-Mer",
    "40": "Mont-de-Marsan Dax Biscarrosse Mimizan Saint-Paul-lès-Dax Capbreton Hossegor "
    "Parentis-en-Born Aire-sur-l'Adour Saint-Sever Tarnos",
    "47": "Agen Marmande Villeneuve-sur-Lot Nérac Tonneins Fumel Casteljaloux",
    "64": "Pau Bayonne Biarritz Anglet Oloron-Sainte-Marie Orthez Hendaye Saint-Jean-de-Luz "
    "Lescar Billère Mourenx Mauléon-Licharre Saint-Jean-Pied-de-Port",
    "79": "Niort Bressuire Parthenay Thouars Melle Saint-Maixent-l'École",
    "86": "Poitiers Châtellerault Loudun Montmorillon Buxerolles Chauvigny Civray",
    "87": "Limoges Saint-Junien Bellac Saint-Yrieix-la-Perche Panazol Isle Couzeix",
}
SAINTS = _words(
    "Martin Jean Pierre Hilaire Médard Sulpice Laurent Georges André Aubin Germain "
    "Vincent Cyprien Savin Léonard Michel Paul Romain Seurin Genès Christoly Denis "
    "Estèphe Vivien"
)
PLACES = _words(
    "Médoc Lot Dordogne Gironde Périgord Landes Bois Mer Marsan Garonne Vienne "
    "Charente Creuse Isle Dropt Adour Gave Born Blayais Ré Seudre Sèvre Boutonne "
    "Dronne Vézère"
)
TOWN_ROOTS = _words(
    "Villeneuve Castelnau Sauveterre Beaumont Bourg Lussac Montagne Monségur "
    "Puymirol Castelmoron Villefranche Sainte-Bazeille Lamothe Labastide Mauvezin "
    "Mézin Bonnefont"
)
RIVERS = _words(
    "Lot Dordogne Garonne Isle Vienne Charente Dronne Boutonne Sèvre Creuse Vézère "
    "Corrèze Dropt Gers Adour Baïse Gartempe Clain Leyre Midouze Nive Bidouze "
    "Auvézère"
)
PAYS = _words(
    "Médoc Atlantique|Pays de Lesparre|Haute-Saintonge|Sarladais|"
    "Vallée de la Dordogne|Coteaux de Gascogne|Pays Foyen|Castillon-Pujols|"
    "Landes d'Armagnac|Côte Landes Nature|Haute Corrèze|Creuse Grand Sud|"
    "Vals de Saintonge|Pays de Nay|Lacq-Orthez|Haut Poitou|Civraisien en Poitou|"
    "Mellois en Poitou|Val de Gâtine|Pays de Born|Grand Saint-Émilionnais|"
    "Entre-deux-Mers|Réolais en Sud Gironde|Sud Gironde|Bazadais|Convergence Garonne|"
    "Montesquieu|Jalle-Eau-Bourde|Estuaire|Grand Cubzaguais|Latitude Nord Gironde|"
    "Pays Créonnais|Isle Vern Salembre|Périgord Limousin|Terrassonnais|"
    "Vallée de l'Homme|Pays de Fénelon|Bastides Dordogne-Périgord|"
    "Portes Sud Périgord|Lot et Tolzac|Confluent et Coteaux de Prayssas|"
    "Albret Communauté|Landes de Gascogne|Maremne Adour Côte-Sud|"
    "Pays d'Orthe et Arrigans|Haut Béarn|Vallée d'Ossau|Luys en Béarn|"
    "Pays de Mauléon|Aunis Sud|Île de Ré|Île d'Oléron|Bassin de Marennes|"
    "Gâtine-Autize|Thouarsais|Airvaudais-Val du Thouet|Vienne et Gartempe|"
    "Haut-Limousin en Marche|Ouest Limousin|Briance Sud Haute-Vienne|"
    "Portes de Vassivière",
    "|",
)
NAMES_BY_TYPE: dict[str, list[str]] = {
    "epci_ca": [
        "Communauté d'agglomération " + n
        for n in _words(
            "du Grand Angoulême|de La Rochelle|Pau Béarn Pyrénées|Pays Basque|du Libournais|"
            "du Bassin d'Arcachon Sud|du Niortais|d'Agen|Bergeracoise|Le Grand Périgueux|"
            "Mont de Marsan Agglomération|du Grand Dax|Rochefort Océan|Royan Atlantique|"
            "de Saintes|du Grand Cognac|du Bassin de Brive|Tulle Agglo|du Grand Guéret|"
            "Val de Garonne|du Grand Villeneuvois|de Grand Châtellerault|"
            "du Bocage Bressuirais",
            "|",
        )
    ],
    "epci_cu": ["Grand Poitiers Communauté urbaine", "Limoges Métropole Communauté urbaine"],
    "metropole": ["Bordeaux Métropole"],
    "region": ["Région Nouvelle-Aquitaine"],
    "departement": [f"Département {_of(name)}" for name in DEPARTMENTS.values()],
    "service_etat": [
        "DREAL Nouvelle-Aquitaine",
        "DRAAF Nouvelle-Aquitaine",
        "SGAR Nouvelle-Aquitaine",
        "DIRECCTE Nouvelle-Aquitaine",
        "Direction interrégionale de la mer Sud-Atlantique",
        *(
            f"DDT{'M' if c in ('17', '33', '40', '64') else ''} {_of(n)}"
            for c, n in DEPARTMENTS.items()
        ),
        *(f"Préfecture {_of(n)}" for n in DEPARTMENTS.values()),
        *(f"DDPP {_of(n)}" for n in DEPARTMENTS.values()),
    ],
    "etablissement_public": [
        "Office national des forêts, agence Landes Nord Aquitaine",
        "Office national des forêts, agence Poitou-Charentes",
        "Conservatoire du littoral, délégation Nouvelle-Aquitaine",
        "Parc naturel régional des Landes de Gascogne",
        "Parc naturel régional Périgord-Limousin",
        "Parc naturel régional du Marais poitevin",
        "Parc naturel régional de Millevaches en Limousin",
        "Parc naturel marin de l'estuaire de la Gironde et de la mer des Pertuis",
        "Agence de l'eau Adour-Garonne",
        "Agence de l'eau Loire-Bretagne",
        "Établissement public foncier de Nouvelle-Aquitaine",
        "Grand port maritime de Bordeaux",
        "Port Atlantique La Rochelle",
        "Centre régional de la propriété forestière Nouvelle-Aquitaine",
        "EPIDOR, établissement public du bassin de la Dordogne",
        "Institution Adour",
        *(f"SDIS {_of(n)}" for n in DEPARTMENTS.values()),
        *(f"Chambre d'agriculture {_of(n)}" for n in DEPARTMENTS.values()),
    ],
    "gip": [
        "GIP ATGeRi",
        "GIP Littoral",
        "GIP Aquitaine Cap Métiers",
        "GIP Grand Projet de Ville Rive Droite",
        "GIP Médoc",
        "GIP Ecofor",
    ],
    "universite": _words(
        "Université de Bordeaux|Université Bordeaux Montaigne|Université de Poitiers|"
        "Université de Limoges|Université de Pau et des Pays de l'Adour|"
        "La Rochelle Université|Bordeaux INP|Bordeaux Sciences Agro|ENSEGID",
        "|",
    ),
    "organisme_recherche": _words(
        "INRAE Nouvelle-Aquitaine-Bordeaux|INRAE Nouvelle-Aquitaine-Poitiers|"
        "BRGM Nouvelle-Aquitaine|Ifremer, station d'Arcachon|"
        "Ifremer, laboratoire de La Tremblade|Cerema Sud-Ouest|CNRS, UMR EPOC|"
        "CNRS, UMR LIENSs|CNRS, UMR PASSAGES|CNRS, UMR GEOLAB|CNRS, UMR TREE|"
        "IRD, délégation Sud-Ouest|Météo-France, direction interrégionale Sud-Ouest|"
        "Observatoire de la côte de Nouvelle-Aquitaine",
        "|",
    ),
    "association": [
        "Conservatoire d'espaces naturels de Nouvelle-Aquitaine",
        "LPO Aquitaine",
        "SEPANSO Aquitaine",
        "Nature Environnement 17",
        "Deux-Sèvres Nature Environnement",
        "Limousin Nature Environnement",
        "Observatoire aquitain de la faune sauvage",
        "Surfrider Foundation Europe",
        *(f"Fédération départementale des chasseurs {_of(n)}" for n in DEPARTMENTS.values()),
        *(f"Fédération de pêche {_of(n)}" for n in DEPARTMENTS.values()),
    ],
    "entreprise": [
        f"{a} {b} {c}"
        for a in _words("Aquitaine Atlantique Océan Garonne Gascogne Limousin Poitou Adour")
        for b in _words("Géomatique Environnement Ingénierie Cartographie Forêts Hydro Territoires")
        for c in ("SAS",)
    ],
    "autre": [
        *(f"Chambre de commerce et d'industrie {_of(n)}" for n in DEPARTMENTS.values()),
        "Pays Adour Landes Océanes",
        "Pays Marennes Oléron",
        "Pays du Haut Entre-deux-Mers",
        "Pôle d'équilibre territorial et rural du Grand Bergeracois",
    ],
}
# (entity type, share of partners, weight of its staff in the account count, eligibility)
ENTITY_TYPES = (
    ("commune", 38, 3, "public_body"),
    ("epci_cc", 12, 8, "public_body"),
    ("epci_ca", 2.3, 40, "public_body"),
    ("epci_cu", 0.2, 80, "public_body"),
    ("metropole", 0.1, 150, "public_body"),
    ("departement", 1.2, 120, "public_body"),
    ("region", 0.1, 250, "public_body"),
    ("service_etat", 4.1, 45, "public_body"),
    ("etablissement_public", 4.0, 40, "public_body"),
    ("gip", 0.6, 25, "public_body"),
    ("syndicat_mixte", 9, 10, "public_body"),
    ("universite", 0.9, 90, "research_teaching"),
    ("organisme_recherche", 1.4, 70, "research_teaching"),
    ("association", 4.0, 5, "association_public_interest"),
    ("entreprise", 5.5, 8, "company_public_actor_or_rd"),
    ("autre", 1.0, 6, "public_body"),
)
FIRST_NAMES = _words(
    "Marie Jean Pierre Sophie Nathalie Philippe Isabelle Nicolas Céline Julien "
    "Camille Thomas Claire Laurent Émilie Stéphane Aurélie Frédéric Julie Sébastien "
    "Sandrine Christophe Anne Mathieu Hélène Olivier Léa Antoine Manon Guillaume "
    "Chloé Vincent Pauline Maxime Élodie Romain Caroline Benoît Lucie Arnaud Agnès "
    "Xavier Inès Damien Margaux Fabien Laure Yann Cécile Bruno Noémie Jérôme "
    "Amandine Cédric Sylvie Hugo Mathilde Loïc Florence Gaëlle"
)
LAST_NAMES = _words(
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon "
    "Laurent Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel "
    "Girard André Lefèvre Mercier Dupont Lambert Bonnet François Martinez Legrand "
    "Garnier Faure Rousseau Blanc Guérin Muller Henry Roussel Nicolas Perrin Morin "
    "Mathieu Clément Gauthier Dumont Lopez Fontaine Chevalier Robin Etcheverry "
    "Darrigrand Lasserre Labat Duprat Larrieu Dufau Castaing Lacoste Barthe Daguerre "
    "Bordes Laborde Marty Lafargue Ducasse Courrèges Saubot"
)
JOB_TITLES = (
    "Chargé(e) de mission SIG",
    "Géomaticien(ne)",
    "Technicien(ne) forestier",
    "Chargé(e) d'études environnement",
    "Urbaniste",
    "Ingénieur(e) d'études",
    "Chercheur(se)",
    "Doctorant(e)",
    "Responsable du service urbanisme",
    "Technicien(ne) rivières",
    "Animateur(trice) Natura 2000",
    "Chef(fe) de projet aménagement",
    "Agent de développement",
    "Cartographe",
)
SERVICES = (
    "Service SIG",
    "Direction de l'aménagement",
    "Pôle environnement",
    "Service urbanisme",
    "Direction des risques",
    "Laboratoire",
    "Service eau et milieux aquatiques",
    "Direction du numérique",
    "",
)
USES = (
    "Suivi de l'artificialisation des sols (ZAN)",
    "Cartographie de l'occupation du sol",
    "Suivi du trait de côte",
    "Inventaire forestier et suivi des coupes",
    "Gestion de crise après tempête",
    "Suivi des zones humides",
    "Instruction des autorisations d'urbanisme",
    "Suivi des cultures et de l'irrigation",
    "Recherche en télédétection",
    "Cartographie des incendies de forêt",
    "Suivi des inondations",
    "Mise à jour du PLUi",
)
REQUEST_TOPICS = (
    "Couverture Pléiades {city} pour le suivi du trait de côte",
    "Suivi de l'artificialisation autour de {city}",
    "Acquisition stéréo après la tempête sur {city}",
    "Cartographie des zones humides de {city}",
    "Images d'archive {city} pour le PLUi",
    "Suivi des coupes forestières près de {city}",
    "Incendie de forêt : emprise brûlée autour de {city}",
    "Crue : zones inondées en aval de {city}",
    "Occupation du sol {year} sur {city}",
)
COMMENTS = (
    "Bonjour, l'archive couvre déjà votre zone avec une image de moins de 6 mois.",
    "Demande transmise à DINAMIS pour programmation.",
    "Pouvez-vous préciser la période souhaitée ?",
    "Merci, la zone a été réduite comme demandé.",
    "Programmation acceptée, acquisitions prévues sur la fenêtre indiquée.",
    "Images livrées dans votre espace de téléchargement.",
    "La couverture nuageuse limite les acquisitions ce mois-ci.",
)

# ------------------------------------------------------------------ helpers


@dataclasses.dataclass
class Sizes:
    entities: int = 1000
    accounts: int = 50000
    downloads: int = 1000000
    requests: int = 20000


class _Ids:
    """Reproducible UUIDs from the generator's seeded random source."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = "".join(c if c.isalnum() else "-" for c in ascii_text.lower())
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-")


def _luhn(prefix: str) -> str:
    for digit in "0123456789":
        candidate = prefix + digit
        total = 0
        for index, char in enumerate(reversed(candidate)):
            value = int(char) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def _copy_value(value: Any) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _copy(cursor: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY rows into a table, 50,000 at a time."""
    statement = 'COPY "{}" ({}) FROM STDIN'.format(table, ", ".join(f'"{c}"' for c in columns))
    count = 0
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_value(v) for v in row))
        buffer.write("\n")
        count += 1
        if count % 50000 == 0:
            buffer.seek(0)
            cursor.copy_expert(statement, buffer)
            buffer = io.StringIO()
    buffer.seek(0)
    cursor.copy_expert(statement, buffer)
    return count


# ------------------------------------------------------------------ the generator


class Generator:
    def __init__(self, sizes: Sizes, seed: int, password: str, echo: Callable[[str], None]):
        self.sizes = sizes
        self.rng = random.Random(seed)
        # Ids from their own stream: reusing an existing relay organization draws fewer ids,
        # and must not change the rest of the data.
        self.new_id = _Ids(random.Random(seed + 1))
        self.echo = echo
        self.now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)
        self.today = self.now.date()
        self.start = self.now - datetime.timedelta(days=730)
        from passlib.hash import pbkdf2_sha512

        self.password_hash = pbkdf2_sha512.hash(password)
        self.groups: list[tuple] = []
        self.users: list[tuple] = []
        self.members: list[tuple] = []
        self.adhesions: list[dict[str, Any]] = []
        self.checks: list[tuple] = []
        self.acceptances: list[tuple] = []
        self.accounts: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.comments: list[tuple] = []
        self.audit: list[tuple] = []
        self.sequences: dict[tuple[str, int], int] = {}
        self.used_emails: set[str] = set()
        self.user_count = 0

    # -- small builders

    def _between(self, low: datetime.datetime, high: datetime.datetime) -> datetime.datetime:
        if high <= low:
            return low
        seconds = (high - low).total_seconds()
        return low + datetime.timedelta(seconds=int(self.rng.random() * seconds))

    def _number(self, kind: str, pattern: str, when: datetime.datetime) -> str:
        key = (kind, when.year)
        self.sequences[key] = self.sequences.get(key, 0) + 1
        return pattern.format(year=when.year, seq=self.sequences[key])

    def _event(
        self,
        when: datetime.datetime,
        object_type: str,
        object_id: str,
        organization_id: str | None,
        action: str,
        from_state: str | None,
        to_state: str | None,
        user_id: str | None,
        comment: str | None = None,
        data: dict[str, Any] | None = None,
        actor_label: str | None = None,
    ) -> None:
        self.audit.append(
            (
                when,
                object_type,
                object_id,
                organization_id,
                action,
                from_state,
                to_state,
                user_id,
                actor_label,
                comment,
                data or {},
            )
        )

    def _group(self, name: str, title: str, created: datetime.datetime, **extras: str) -> str:
        group_id = self.new_id()
        self.groups.append(
            (
                group_id,
                name,
                title,
                "",
                created,
                "active",
                "organization",
                "approved",
                "",
                True,
                dict(extras),
            )
        )
        return group_id

    def _user(
        self,
        domain: str,
        created: datetime.datetime,
        sysadmin: bool = False,
        name: str | None = None,
    ) -> tuple[str, str, str]:
        """A CKAN user with a French name and an address in `domain`: (id, name, email)."""
        self.user_count += 1
        first = self.rng.choice(FIRST_NAMES)
        last = self.rng.choice(LAST_NAMES)
        local = f"{_slug(first)}.{_slug(last)}"
        email = f"{local}@{domain}"
        if email in self.used_emails:
            email = f"{local}{self.user_count}@{domain}"
        self.used_emails.add(email)
        user_name = name or f"{PREFIX}{_slug(first)}-{_slug(last)}-{self.user_count}"
        user_id = self.new_id()
        self.users.append(
            (
                user_id,
                user_name,
                created,
                self.password_hash,
                f"{first} {last}",
                email,
                sysadmin,
                "active",
                None,
            )
        )
        return user_id, user_name, email

    def _member(self, group_id: str, user_id: str, capacity: str) -> None:
        self.members.append((self.new_id(), group_id, user_id, "active", "user", capacity))

    # -- steps

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
        """(entity type, legal name, département) in a realistic mix, each name once."""
        types = [t[0] for t in ENTITY_TYPES]
        weights = [t[1] for t in ENTITY_TYPES]
        departments = list(DEPARTMENTS)
        pools = {key: list(names) for key, names in NAMES_BY_TYPE.items()}
        for pool in pools.values():
            self.rng.shuffle(pool)
        seen: set[str] = set()
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
            else:
                continue
            if name in seen:
                continue
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

    def accounts_and_people(self) -> None:
        """Spread the accounts over entities that were accepted at some point, bigger
        entities getting more; the first active account of each is its referent."""
        accepted_once = ("accepted", "suspended", "terminated", "expired")
        current = [a for a in self.adhesions if a["is_current"]]
        holders = [a for a in current if a["state"] in accepted_once]
        if not holders:
            return self._referents_only(current)
        total_weight = sum(a["_entity"]["staff_weight"] for a in holders) or 1
        quotas = [
            max(1, int(self.sizes.accounts * a["_entity"]["staff_weight"] / total_weight))
            for a in holders
        ]
        # Trim or pad so the total is exactly what was asked for.
        while sum(quotas) > self.sizes.accounts:
            biggest = max(range(len(quotas)), key=quotas.__getitem__)
            quotas[biggest] = max(1, quotas[biggest] - (sum(quotas) - self.sizes.accounts))
            if all(q == 1 for q in quotas):
                break
        for index in range(self.sizes.accounts - sum(quotas)):
            quotas[index % len(quotas)] += 1
        by_state = {
            "accepted": [
                ("active", 76),
                ("requested", 5),
                ("suspended", 3),
                ("refused", 4),
                ("expired", 6),
                ("closed", 6),
            ],
            "suspended": [("active", 80), ("suspended", 10), ("closed", 10)],
            "terminated": [("closed", 100)],
            "expired": [("expired", 70), ("closed", 30)],
        }
        for adhesion, quota in zip(holders, quotas, strict=True):
            choices = by_state[adhesion["state"]]
            names = [c[0] for c in choices]
            weights = [c[1] for c in choices]
            for position in range(quota):
                state = "active" if position == 0 else self.rng.choices(names, weights)[0]
                self._account(adhesion, state, referent=position == 0)
        self._referents_only(current)

    def _referents_only(self, current: list[dict[str, Any]]) -> None:
        """Entities without accounts still have a referent (a CKAN user, org admin)."""
        for adhesion in current:
            if adhesion["referent_user_id"] is None:
                referent, _name, _email = self._user(
                    adhesion["_entity"]["domain"], adhesion["created"] - 30 * DAY
                )
                adhesion["referent_user_id"] = referent
                self._member(adhesion["organization_id"], referent, "admin")
        for adhesion in self.adhesions:
            if not adhesion["is_current"]:
                adhesion["referent_user_id"] = next(
                    a["referent_user_id"]
                    for a in current
                    if a["organization_id"] == adhesion["organization_id"]
                )

    def _account(self, adhesion: dict[str, Any], state: str, referent: bool) -> None:
        rng = self.rng
        entity = adhesion["_entity"]
        org_id = adhesion["organization_id"]
        decided = adhesion["decided_at"] or adhesion["created"]
        end = self.now - DAY
        if adhesion["state"] in ("terminated", "expired"):
            end = adhesion["modified"] - DAY
        # More accounts requested as time goes (the service grows): skew towards the end.
        created = decided + (end - decided) * rng.random()
        if referent:
            created = decided + DAY
        mismatch = rng.random() < 0.03
        domain = (
            rng.choice(("gmail.com", "orange.fr", "laposte.net"))
            if mismatch
            else (entity["domain"])
        )
        user_id, _user_name, _email = self._user(domain, created - DAY)
        account_id = self.new_id()
        relay = adhesion["mode"] == "relay"
        validator = (
            rng.choice(self.super_referents) if relay else adhesion["referent_user_id"] or user_id
        )
        row: dict[str, Any] = {
            "id": account_id,
            "user_id": user_id,
            "organization_id": org_id,
            "adhesion_id": adhesion["id"],
            "state": state,
            "job_title": rng.choice(JOB_TITLES),
            "department": rng.choice(SERVICES) or None,
            "phone": f"05 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
            f"{rng.randint(10, 99)}",
            "intended_use": rng.choice(USES),
            "terms_version": "2024-10-15",
            "terms_accepted_at": created,
            "email_domain_mismatch": mismatch,
            "membership_created": False,
            "valid_until": None,
            "reminder_sent_at": None,
            "refusal_reason": None,
            "created_by": user_id,
            "validated_by": None,
            "validated_at": None,
            "created": created,
            "modified": created,
        }
        event = self._event
        event(created, "account", account_id, org_id, "request", None, "requested", user_id)
        if referent:
            adhesion["referent_user_id"] = user_id
            self._member(org_id, user_id, "admin")
        if state == "requested":
            self.accounts.append(row)
            return
        when = min(
            created + rng.randint(0, 12) * DAY + rng.randint(0, 8 * 3600) * DAY / 86400,
            self.now - DAY / 24,
        )
        if state == "refused":
            row["refusal_reason"] = "Adresse électronique personnelle"
            event(
                when,
                "account",
                account_id,
                org_id,
                "refuse",
                "requested",
                "refused",
                validator,
                comment=row["refusal_reason"],
            )
            row["modified"] = when
            self.accounts.append(row)
            return
        row["validated_by"], row["validated_at"] = validator, when
        row["valid_until"] = max(when.date() + 365 * DAY, self.today + rng.randint(5, 365) * DAY)
        event(when, "account", account_id, org_id, "validate", "requested", "active", validator)
        row["modified"] = when
        if not referent:
            self._member(org_id, user_id, "member")
            row["membership_created"] = True
        after = self._between(when + DAY, end)
        if state == "suspended":
            event(
                after,
                "account",
                account_id,
                org_id,
                "suspend",
                "active",
                "suspended",
                validator,
                comment="Départ en congé",
            )
            row["modified"] = after
        elif state == "expired":
            row["valid_until"] = min(after.date(), self.today - DAY)
            event(after, "account", account_id, org_id, "expire", "active", "expired", None)
            row["modified"] = after
        elif state == "closed":
            event(
                after,
                "account",
                account_id,
                org_id,
                "close",
                "active",
                "closed",
                validator,
                comment="Agent parti",
            )
            row["modified"] = after
            if row["membership_created"]:
                # Closing removes the membership the plugin created.
                self.members.pop()
        self.accounts.append(row)

    def downloads(self, cursor: Any) -> int:
        """Download events by people with an account that was once active, between their
        validation and its end, a few heavy users and many light ones, August quieter."""
        rng = self.rng
        people = [a for a in self.accounts if a["validated_at"] is not None]
        if not people or not self.sizes.downloads:
            return 0
        weights = list(itertools_accumulate(rng.paretovariate(1.3) for _ in people))
        datasets = []
        for index in range(400):
            licence = "dinamis-pleiades" if index % 3 else "dinamis-spot67"
            datasets.append(
                (self.new_id(), [self.new_id() for _ in range(rng.randint(1, 3))], licence)
            )
        rows: list[tuple[datetime.datetime, str, str | None, str, str, str]] = []
        span = (self.now - self.start).total_seconds()
        while len(rows) < self.sizes.downloads:
            # The moment first: steady growth over the period, August at half speed; then
            # someone whose account was active at that moment.
            when = self.start + datetime.timedelta(seconds=int(rng.random() * span))
            growth = 0.4 + 0.6 * (when - self.start).total_seconds() / span
            if rng.random() > growth * (0.5 if when.month == 8 else 1):
                continue
            account = None
            for candidate in rng.choices(people, cum_weights=weights, k=8):
                end = self.now if candidate["state"] == "active" else candidate["modified"]
                if candidate["validated_at"] <= when <= end:
                    account = candidate
                    break
            if account is None:
                continue
            dataset_id, resources, licence = datasets[int(rng.random() ** 2 * len(datasets))]
            org = None if rng.random() < 0.005 else account["organization_id"]
            rows.append((when, account["user_id"], org, dataset_id, rng.choice(resources), licence))
        rows.sort(key=lambda r: r[0])
        # Formatted here rather than through _copy_value: a million rows, all plain values.
        statement = (
            "COPY dinamis_relay_download_event "
            "(created, user_id, organization_id, dataset_id, resource_id, licence) FROM STDIN"
        )
        for chunk_start in range(0, len(rows), 100000):
            buffer = io.StringIO()
            for when, user_id, org, dataset_id, resource_id, licence in rows[
                chunk_start : chunk_start + 100000
            ]:
                buffer.write(
                    f"{when.isoformat(sep=' ')}\t{user_id}\t{org or chr(92) + 'N'}\t"
                    f"{dataset_id}\t{resource_id}\t{licence}\n"
                )
            buffer.seek(0)
            cursor.copy_expert(statement, buffer)
        return len(rows)

    def imagery_requests(self) -> None:
        """Requests by a minority of active people, in every state; older ones are mostly
        finished, recent ones still open."""
        rng = self.rng
        people = [a for a in self.accounts if a["validated_at"] is not None and rng.random() < 0.25]
        if not people:
            return
        adhesions = {a["organization_id"]: a for a in self.adhesions if a["is_current"]}
        pattern = tk.config.get("ckanext.dinamis_relay.imagery.number_pattern") or (
            "IMG-{year}-{seq:05d}"
        )
        open_paths = {
            "draft": [],
            "submitted": ["submit"],
            "in_review": ["submit", "review"],
            "forwarded": ["submit", "review", "forward"],
            "accepted": ["submit", "review", "forward", "accept"],
            "in_progress": ["submit", "review", "forward", "accept", "start"],
            "delivered": ["submit", "review", "forward", "accept", "start", "deliver"],
        }
        final_paths = {
            "answered": ["submit", "review", "answer"],
            "closed": ["submit", "review", "forward", "accept", "start", "deliver", "close"],
            "closed_answered": ["submit", "review", "answer", "close"],
            "rejected": ["submit", "review", "reject"],
            "rejected_dinamis": ["submit", "review", "forward", "reject"],
            "cancelled": ["submit", "cancel"],
        }
        to_states = {
            "submit": "submitted",
            "review": "in_review",
            "answer": "answered",
            "forward": "forwarded",
            "accept": "accepted",
            "start": "in_progress",
            "deliver": "delivered",
            "close": "closed",
            "reject": "rejected",
            "cancel": "cancelled",
        }
        rows: list[dict[str, Any]] = []
        span = (self.now - self.start).total_seconds()
        while len(rows) < self.sizes.requests:
            # As for downloads: the moment first (steady growth), then someone whose account
            # was active then.
            created = self.start + datetime.timedelta(seconds=int(rng.random() * span))
            if rng.random() > 0.4 + 0.6 * (created - self.start).total_seconds() / span:
                continue
            account = next(
                (
                    candidate
                    for candidate in rng.choices(people, k=8)
                    if candidate["validated_at"]
                    <= created
                    <= (self.now if candidate["state"] == "active" else candidate["modified"])
                ),
                None,
            )
            if account is None:
                continue
            adhesion = adhesions[account["organization_id"]]
            age = (self.now - created).days
            if age < 60 and rng.random() < 0.6:
                path_name = rng.choices(list(open_paths), [10, 25, 25, 15, 10, 10, 5])[0]
                path = open_paths[path_name]
            else:
                path_name = rng.choices(list(final_paths), [20, 35, 15, 10, 5, 15])[0]
                path = final_paths[path_name]
            lon = rng.uniform(-1.4, 1.6)
            lat = rng.uniform(43.3, 46.9)
            width, height = rng.uniform(0.02, 0.3), rng.uniform(0.02, 0.25)
            area = {
                "type": "Polygon",
                "coordinates": [
                    [
                        [round(lon, 5), round(lat, 5)],
                        [round(lon + width, 5), round(lat, 5)],
                        [round(lon + width, 5), round(lat + height, 5)],
                        [round(lon, 5), round(lat + height, 5)],
                        [round(lon, 5), round(lat, 5)],
                    ]
                ],
            }
            area_km2 = round(width * 111.32 * math.cos(math.radians(lat)) * height * 110.57, 3)
            city = adhesion["city"] or "Bordeaux"
            period_start = (created + rng.randint(0, 30) * DAY).date()
            request_id = self.new_id()
            reviewer = "relay" if adhesion["mode"] == "relay" else "referent"
            reviewer_id = (
                rng.choice(self.super_referents)
                if reviewer == "relay"
                else adhesion["referent_user_id"]
            )
            row: dict[str, Any] = {
                "id": request_id,
                "number": None,
                "user_id": account["user_id"],
                "organization_id": account["organization_id"],
                "title": rng.choice(REQUEST_TOPICS).format(city=city, year=created.year),
                "area": area,
                "area_km2": area_km2,
                "period_start": period_start,
                "period_end": period_start + rng.randint(30, 365) * DAY,
                "sensor": rng.choice(("spot67", "pleiades", "pleiades", "pleiades_neo")),
                "stereo": rng.random() < 0.2,
                "max_cloud_cover": rng.choice((5, 10, 20, 30)),
                "max_viewing_angle": rng.choice((15, 20, 30)),
                "acquisition_mode": rng.choice(("archive", "archive", "new_acquisition")),
                "intended_use": account["intended_use"],
                "justification": "Besoin d'une image récente pour le projet."
                if rng.random() < 0.5
                else None,
                "state": "draft",
                "reviewer": reviewer,
                "submitted_at": None,
                "forwarded_at": None,
                "closed_at": None,
                "created": created,
                "modified": created,
            }
            org_id = account["organization_id"]
            self._event(
                created,
                "imagery_request",
                request_id,
                org_id,
                "create",
                None,
                "draft",
                account["user_id"],
            )
            when = created
            for step in path:
                when = min(when + rng.randint(0, 10) * DAY + DAY / 3, self.now - DAY / 48)
                actor = {
                    "submit": account["user_id"],
                    "cancel": account["user_id"],
                    "accept": None,
                    "start": None,
                    "deliver": None,
                }.get(step, reviewer_id)
                if step in ("accept", "start", "deliver") or (
                    step == "reject" and row["state"] == "forwarded"
                ):
                    actor = rng.choice(self.instructors)
                comment = None
                if step in ("answer", "reject", "forward", "deliver") or rng.random() < 0.1:
                    comment = rng.choice(COMMENTS)
                    self.comments.append(
                        (request_id, actor or account["user_id"], comment, False, step, when)
                    )
                if step == "submit":
                    row["number"] = self._number("imagery_request", pattern, when)
                    row["submitted_at"] = when
                if step == "forward":
                    row["forwarded_at"] = when
                from_state = row["state"]
                row["state"] = to_states[step]
                if row["state"] in ("closed", "rejected", "cancelled"):
                    row["closed_at"] = when
                row["modified"] = when
                self._event(
                    when,
                    "imagery_request",
                    request_id,
                    org_id,
                    step,
                    from_state,
                    row["state"],
                    actor,
                    comment=comment,
                    data={"number": row["number"]},
                )
            rows.append(row)
        self.requests = rows


def itertools_accumulate(values: Iterable[float]) -> Iterator[float]:
    total = 0.0
    for value in values:
        total += value
        yield total


# ------------------------------------------------------------------ writing


PLUGIN_TABLES = (
    "dinamis_relay_imagery_comment",
    "dinamis_relay_imagery_request",
    "dinamis_relay_download_event",
    "dinamis_relay_document",
    "dinamis_relay_account",
    "dinamis_relay_acceptance",
    "dinamis_relay_eligibility_check",
    "dinamis_relay_adhesion",
    "dinamis_relay_audit_event",
    "dinamis_relay_number_sequence",
)


def _wipe(connection: sa.Connection) -> None:
    """Remove every plugin row and the generated CKAN users and organizations."""
    connection.execute(sa.text("TRUNCATE {} RESTART IDENTITY".format(", ".join(PLUGIN_TABLES))))
    like = PREFIX + "%"
    connection.execute(
        sa.text(
            'DELETE FROM member WHERE group_id IN (SELECT id FROM "group" WHERE name LIKE :p) '
            'OR table_id IN (SELECT id FROM "user" WHERE name LIKE :p)'
        ),
        {"p": like},
    )
    connection.execute(
        sa.text(
            'DELETE FROM api_token WHERE user_id IN (SELECT id FROM "user" WHERE name LIKE :p)'
        ),
        {"p": like},
    )
    if sa.inspect(connection).has_table("group_extra"):  # CKAN 2.11 keeps group extras there
        connection.execute(
            sa.text(
                "DELETE FROM group_extra "
                'WHERE group_id IN (SELECT id FROM "group" WHERE name LIKE :p)'
            ),
            {"p": like},
        )
    connection.execute(sa.text('DELETE FROM "user" WHERE name LIKE :p'), {"p": like})
    connection.execute(sa.text('DELETE FROM "group" WHERE name LIKE :p'), {"p": like})


def generate(
    sizes: Sizes,
    seed: int = 42,
    replace: bool = False,
    password: str = "scale-password",
    echo: Callable[[str], None] = print,
) -> dict[str, int]:
    """Generate and store the data set; returns the row count of each table."""
    started = time.monotonic()

    def step(label: str) -> None:
        echo(f"{time.monotonic() - started:7.1f}s  {label}")

    connection = model.Session.connection()
    existing = connection.execute(sa.text("SELECT count(*) FROM dinamis_relay_adhesion")).scalar()
    if existing and not replace:
        raise tk.ValidationError(
            {
                "replace": [
                    f"The database already holds {existing} adhesions: pass --replace to "
                    "remove all DINAMIS data and the generated users first"
                ]
            }
        )
    if replace:
        _wipe(connection)
        step("previous DINAMIS data and generated users removed")
    generator = Generator(sizes, seed, password, echo)
    generator.staff()
    generator.entities()
    step(f"{len(generator.adhesions)} adhesions built")
    generator.accounts_and_people()
    step(f"{len(generator.accounts)} accounts and {len(generator.users)} users built")
    generator.imagery_requests()
    step(f"{len(generator.requests)} imagery requests built")

    cursor = connection.connection.dbapi_connection.cursor()
    counts: dict[str, int] = {}
    counts["group"] = _copy_groups(connection, cursor, generator.groups)
    counts["user"] = _copy(
        cursor,
        "user",
        (
            "id",
            "name",
            "created",
            "password",
            "fullname",
            "email",
            "sysadmin",
            "state",
            "plugin_extras",
        ),
        generator.users,
    )
    counts["member"] = _copy(
        cursor,
        "member",
        ("id", "group_id", "table_id", "state", "table_name", "capacity"),
        generator.members,
    )
    step(f"CKAN rows written: {counts}")
    adhesion_columns = [c.key for c in _table("dinamis_relay_adhesion").columns]
    counts["adhesion"] = _copy(
        cursor,
        "dinamis_relay_adhesion",
        adhesion_columns,
        ([row[c] for c in adhesion_columns] for row in generator.adhesions),
    )
    counts["eligibility_check"] = _copy(
        cursor,
        "dinamis_relay_eligibility_check",
        ("id", "adhesion_id", "eligible", "note", "checked_by", "checked_at"),
        generator.checks,
    )
    counts["acceptance"] = _copy(
        cursor,
        "dinamis_relay_acceptance",
        (
            "id",
            "adhesion_id",
            "text_kind",
            "text_code",
            "text_version",
            "accepted_by_name",
            "accepted_by_email",
            "accepted_at",
        ),
        generator.acceptances,
    )
    account_columns = [c.key for c in _table("dinamis_relay_account").columns]
    counts["account"] = _copy(
        cursor,
        "dinamis_relay_account",
        account_columns,
        ([row[c] for c in account_columns] for row in generator.accounts),
    )
    request_columns = [c.key for c in _table("dinamis_relay_imagery_request").columns]
    generator.requests.sort(key=lambda r: r["created"])
    counts["imagery_request"] = _copy(
        cursor,
        "dinamis_relay_imagery_request",
        request_columns,
        ([row[c] for c in request_columns] for row in generator.requests),
    )
    generator.comments.sort(key=lambda c: c[-1])
    counts["imagery_comment"] = _copy(
        cursor,
        "dinamis_relay_imagery_comment",
        ("request_id", "user_id", "body", "internal", "transition", "created"),
        generator.comments,
    )
    step("adhesions, accounts and imagery requests written")
    counts["download_event"] = generator.downloads(cursor)
    step(f"{counts['download_event']} download events written")
    generator.audit.sort(key=lambda e: e[0])
    counts["audit_event"] = _copy(
        cursor,
        "dinamis_relay_audit_event",
        (
            "created",
            "object_type",
            "object_id",
            "organization_id",
            "action",
            "from_state",
            "to_state",
            "user_id",
            "actor_label",
            "comment",
            "data",
        ),
        generator.audit,
    )
    step(f"{counts['audit_event']} audit events written")
    # Numbers issued from now on continue the generated ones, gap-free.
    for (kind, year), last in generator.sequences.items():
        connection.execute(
            sa.text(
                "INSERT INTO dinamis_relay_number_sequence (kind, year, last_value) "
                "VALUES (:k, :y, :v) ON CONFLICT (kind, year) DO UPDATE "
                "SET last_value = GREATEST(dinamis_relay_number_sequence.last_value, :v)"
            ),
            {"k": kind, "y": year, "v": last},
        )
    model.Session.commit()
    step("committed")
    _vacuum_analyze()
    step("VACUUM ANALYZE done")
    return counts


GROUP_COLUMNS = (
    "id",
    "name",
    "title",
    "description",
    "created",
    "state",
    "type",
    "approval_status",
    "image_url",
    "is_organization",
    "extras",
)


def _copy_groups(connection: sa.Connection, cursor: Any, groups: list[tuple]) -> int:
    """COPY the organizations into CKAN's `group` table as the running CKAN has it.

    CKAN 2.12 keeps a group's extras in its `extras` column; CKAN 2.11 has no such column
    and keeps them as rows of `group_extra`.
    """
    if "extras" in {c["name"] for c in sa.inspect(connection).get_columns("group")}:
        return _copy(cursor, "group", GROUP_COLUMNS, groups)
    count = _copy(cursor, "group", GROUP_COLUMNS[:-1], (group[:-1] for group in groups))
    _copy(
        cursor,
        "group_extra",
        ("id", "group_id", "key", "value", "state"),
        (
            (str(uuid.uuid4()), group[0], key, value, "active")
            for group in groups
            for key, value in group[-1].items()
        ),
    )
    return count


def _table(name: str) -> sa.Table:
    from . import model as plugin_model

    tables = {
        mapped.__table__.name: mapped.__table__
        for mapped in (plugin_model.Adhesion, plugin_model.Account, plugin_model.ImageryRequest)
    }
    return tables[name]


def _vacuum_analyze() -> None:
    """Fresh statistics and visibility maps, as autovacuum would give after a while, so the
    planner and index-only scans see the data as a long-running site would."""
    engine = model.meta.engine
    assert engine is not None
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # The monthly download counts follow the events (triggers of migration 0005).
        for table in ("user", "group", "member", *PLUGIN_TABLES, "dinamis_relay_download_monthly"):
            connection.execute(sa.text(f'VACUUM ANALYZE "{table}"'))
