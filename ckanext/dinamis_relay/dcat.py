"""ckanext-dcat profile: DINAMIS datasets say they are restricted, and under which licence.

Enable it after a DCAT-AP profile: `ckanext.dcat.rdf.profiles = euro_dcat_ap_2 dinamis_relay`.
Datasets a caller may not use reach the serializer without resource URLs already
(logic/action/restricted.py); this profile removes any access or download URL left on
their distributions all the same, so a feed never carries one.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from rdflib import RDF, RDFS, BNode, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS

from ckanext.dcat.profiles import RDFProfile

from . import texts
from .access import permission_labels

RESTRICTED = URIRef("http://publications.europa.eu/resource/authority/access-right/RESTRICTED")


class DinamisRelayProfile(RDFProfile):
    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> dict[str, Any]:
        return dataset_dict

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        code = permission_labels.dataset_licence(dataset_dict)
        if not code:
            return
        g = self.g
        g.remove((dataset_ref, DCTERMS.accessRights, None))
        g.add((dataset_ref, DCTERMS.accessRights, RESTRICTED))
        g.add((RESTRICTED, RDF.type, DCTERMS.RightsStatement))
        versions = dict(texts.licence_versions())
        licence = BNode()
        g.add((licence, RDF.type, DCTERMS.LicenseDocument))
        g.add((licence, RDFS.label, Literal(f"DINAMIS {code} ({versions.get(code, '')})".strip())))
        g.add((licence, DCTERMS.identifier, Literal(code)))
        restricted = bool(dataset_dict.get("dinamis_restricted"))
        for distribution in list(g.objects(dataset_ref, DCAT.distribution)):
            g.remove((distribution, DCTERMS.license, None))
            g.add((distribution, DCTERMS.license, licence))
            g.remove((distribution, DCTERMS.accessRights, None))
            g.add((distribution, DCTERMS.accessRights, RESTRICTED))
            if restricted:
                # The access URL (mandatory in DCAT-AP) is the dataset's page, which says
                # how to get access.
                g.remove((distribution, DCAT.downloadURL, None))
                g.remove((distribution, DCAT.accessURL, None))
                page = tk.url_for("dataset.read", id=dataset_dict["name"], _external=True)
                g.add((distribution, DCAT.accessURL, URIRef(page)))
