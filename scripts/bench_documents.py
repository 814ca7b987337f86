#!/usr/bin/env python
"""Time the rendering of each generated document (not a test).

    /work/venv212/bin/python scripts/bench_documents.py [-n 20] [--lang fr] [--logo]

Renders the Jinja template and the PDF (WeasyPrint) of each kind from a realistic record,
N times, and prints mean / p95 / min times and the file size. No database or CKAN config is
needed: this measures rendering alone (issuing adds a few queries and one file write).
"""

from __future__ import annotations

import argparse
import datetime
import io
import statistics
import time
from typing import Any

from PIL import Image

from ckanext.dinamis_relay.documents import logo, pdf

KINDS = ("acte_adhesion", "avenant", "convention")


def record(kind: str, lang: str) -> dict:
    stamp = datetime.datetime(2026, 3, 2, 11, 15, 30).isoformat()
    relay = {
        "label": "PIGMA",
        "legal_name": "Groupement d'Intérêt Public Aménagement du Territoire et Gestion des "
        "Risques (GIP ATGeRi)",
        "representative": "Bruno Lafon, président",
        "subtitle": "Plateforme d'échange de données en Nouvelle-Aquitaine",
    }
    return {
        "kind": kind,
        "number": {"acte_adhesion": "DINAMIS-2026-0042", "avenant": "AVENANT-2026-0007"}.get(
            kind, "CONV-PIGMA-2024-012"
        ),
        "version": 1,
        "lang": lang,
        "issued_at": stamp,
        "template_version": "2024-10-13",
        "adhesion_id": "bench",
        "adhesion_number": "DINAMIS-2026-0042",
        "organization": {"id": "o", "name": "ccve", "title": "CC du Val de l'Eyre"},
        "entity": {
            "legal_name": "Communauté de communes du Val de l'Eyre",
            "acronym": "CCVE",
            "siret": "24330031600043",
            "entity_type": "epci_cc",
            "eligibility_category": "public_body",
            "eligibility_justification": None,
            "address": "34 avenue de la Libération",
            "postcode": "33830",
            "city": "Belin-Béliet",
            "department": "33",
            "website": "https://www.valdeleyre.fr",
            "phone": "05 56 88 02 20",
            "email_domains": ["valdeleyre.fr"],
        },
        "logo_sha256": None,
        "legal_rep": {"name": "Bruno Lafon", "title": "Président", "email": "president@x.fr"},
        "referent": {
            "name": "Jeanne Martin",
            "email": "sig@valdeleyre.fr",
            "title": "Responsable SIG",
            "phone": "05 56 88 00 00",
        },
        "mode": "relay",
        "relay": relay,
        "convention_number": "CONV-PIGMA-2024-012",
        "amendment_number": "AVENANT-2026-0007",
        "acceptances": [
            {
                "text_kind": kind_,
                "text_code": code,
                "text_version": "2024-10-15",
                "accepted_by_name": "Bruno Lafon",
                "accepted_by_email": "president@x.fr",
                "accepted_at": stamp,
            }
            for kind_, code in (
                ("charter", "charte-dinamis"),
                ("licence", "dinamis-spot67"),
                ("licence", "dinamis-pleiades"),
                ("amendment", "avenant-relais"),
            )
        ],
        "legal_accepted_at": stamp,
        "submission": {"submitted_at": stamp, "submitted_by_name": "Super Référent PIGMA"},
        "eligibility": {
            "eligible": True,
            "note": "EPCI",
            "checked_at": stamp,
            "checked_by_name": "Super Référent PIGMA",
        },
        "decision": {
            "state": "accepted",
            "decided_at": stamp,
            "decided_by_name": "Instructeur DINAMIS",
            "dinamis_reference": "BE-2026-17",
        },
        "valid_from": "2026-03-05",
        "valid_until": "2029-03-05",
    }


def timed(func, n: int) -> tuple[list[float], Any]:
    result = func()  # warm-up: template compilation, font loading
    times = []
    for _ in range(n):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return times, result


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"mean {statistics.mean(times) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   "
        f"min {ordered[0] * 1000:7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="renders per document (default 20)")
    parser.add_argument("--lang", default="fr", choices=("fr", "en"))
    parser.add_argument("--logo", action="store_true", help="print a 600x300 PNG logo")
    args = parser.parse_args()

    logo_png = None
    if args.logo:
        raw = io.BytesIO()
        Image.new("RGB", (3000, 1500), "#2a6ebb").save(raw, "PNG")
        times, logo_png = timed(lambda: logo.sanitize(raw.getvalue(), 10 * 1024 * 1024), args.n)
        print(f"{'logo 3000x1500 PNG -> 600x300':34} {summary(times)}")

    for kind in KINDS:
        variables = {
            "doc": record(kind, args.lang),
            "fingerprint": "9f" * 32,
            "verify_url": "https://www.pigma.org/dinamis/verify",
            "footer": "GIP ATGeRi - 6 parvis des Chartrons - 33075 Bordeaux Cedex",
            "platform": record(kind, args.lang)["relay"],
        }
        times, _html = timed(
            lambda k=kind, v=variables: pdf.render_html(k, args.lang, {**v, "logo_url": None}),
            args.n,
        )
        print(f"{kind + ' (Jinja HTML)':34} {summary(times)}")
        times, data = timed(
            lambda k=kind, v=variables: pdf.render_pdf(k, args.lang, v, logo_png), args.n
        )
        assert isinstance(data, bytes)
        print(f"{kind + ' (HTML + PDF)':34} {summary(times)}   {len(data) / 1024:6.1f} KiB")


if __name__ == "__main__":
    main()
