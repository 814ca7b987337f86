#!/usr/bin/env python
"""Time the rendering of each generated document (not a test).

    .venv/bin/python scripts/bench_documents.py [-c test.ini] [-n 20] [--lang fr] [--logo]
        [--fresh] [--no-freeze]

Renders the Jinja template and the PDF (WeasyPrint) of each kind from a realistic record,
N times after one warm-up render, and prints p50 / p95 / min times (CPU time of this
process, less sensitive than the wall clock to other jobs on the machine) and the file size.
`--fresh` renders as the code did before the renderer kept its state: a new WeasyPrint
font configuration and a re-parsed stylesheet at every render (the "before" figures);
`--no-freeze` as before the job worker froze its heap after warming up (one render in six
then pays a full garbage collection of CKAN's heap).
The CKAN config (`-c`) is read for the translations only: no database is touched (issuing
adds a few queries and one file write).
"""

from __future__ import annotations

import argparse
import datetime
import io
import statistics
import time
from typing import Any

from PIL import Image

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


def timed(func, n: int, before=None) -> tuple[list[float], Any]:
    result = func()  # warm-up: template compilation, font loading
    times = []
    for _ in range(n):
        if before:
            before()
        start = time.process_time()
        result = func()
        times.append(time.process_time() - start)
    return times, result


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    return (
        f"p50 {statistics.median(ordered) * 1000:7.1f} ms   "
        f"p95 {percentile(ordered, 0.95) * 1000:7.1f} ms   min {ordered[0] * 1000:7.1f} ms"
    )


def load_ckan(config_path: str) -> None:
    """CKAN's config and app: the templates' words come from the plugin's catalogue."""
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    make_app(load_config(config_path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", default="test.ini", help="CKAN ini (default test.ini)")
    parser.add_argument("-n", type=int, default=20, help="renders per document (default 20)")
    parser.add_argument("--lang", default="fr", choices=("fr", "en"))
    parser.add_argument("--logo", action="store_true", help="print a 600x300 PNG logo")
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="new font configuration and stylesheet at each render (as before they were kept)",
    )
    parser.add_argument(
        "--no-freeze",
        action="store_true",
        help="no frozen heap: full garbage collections (as before the worker froze it)",
    )
    args = parser.parse_args()
    load_ckan(args.config)
    from ckanext.dinamis_relay.documents import logo, pdf
    from ckanext.dinamis_relay.notifications.worker import prepare_renderer

    # As the plugin's job worker starts: renderer warm and, unless told, the heap frozen.
    if args.no_freeze:
        pdf.warm_up()
    else:
        prepare_renderer()

    def forget() -> None:
        pdf._font_config = None
        pdf._stylesheet = None

    before = forget if args.fresh else None
    logo_png = None
    if args.logo:
        raw = io.BytesIO()
        Image.new("RGB", (3000, 1500), "#2a6ebb").save(raw, "PNG")
        data = raw.getvalue()
        times, logo_png = timed(lambda: logo.sanitize(data, 10 * 1024 * 1024), args.n)
        print(f"{'logo 3000x1500 PNG -> 600x300':34} {summary(times)}")
        times, logo_png = timed(lambda: logo.printable(data, 10 * 1024 * 1024), args.n)
        print(f"{'the same logo, again (cached)':34} {summary(times)}")

    every: list[float] = []
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
            lambda k=kind, v=variables: pdf.render_pdf(k, args.lang, v, logo_png), args.n, before
        )
        assert isinstance(data, bytes)
        every += times
        print(f"{kind + ' (HTML + PDF)':34} {summary(times)}   {len(data) / 1024:6.1f} KiB")
    print(f"{'every PDF' + (' (--fresh)' if args.fresh else ''):34} {summary(every)}")


if __name__ == "__main__":
    main()
