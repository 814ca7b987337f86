"""Names, places and words the generated data is made of (French, Nouvelle-Aquitaine)."""

from __future__ import annotations

import datetime

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
