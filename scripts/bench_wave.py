"""Wall time of a wave of relay applications through the API (issue 15).

Not a test: it creates N organizations and a super-referent (unique names, so it can run on
any initialised database, e.g. the test database between test runs), then through the HTTP
API (CKAN's test client, the whole Flask stack) drafts N relay-mode applications from one CSV
(`dinamis_relay_adhesion_wave_import`), records their eligibility and submits them
(`dinamis_relay_adhesion_bulk`), and prints each step's wall time and SQL statement count.

    source .stack/env.sh
    python scripts/bench_wave.py -c test.ini --rows 300
"""

from __future__ import annotations

import argparse
import secrets
import time
from typing import Any


def _siret(seed: int) -> str:
    prefix = f"3{seed:012d}"
    for digit in "0123456789":
        candidate = prefix + digit
        total = 0
        for index, char in enumerate(reversed(candidate)):
            value = int(char) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    raise AssertionError


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-c", "--config", default="test.ini")
    parser.add_argument("--rows", type=int, default=300)
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app: Any = make_app(load_config(args.config))
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    import sqlalchemy as sa

    statements: list[str] = []
    sa.event.listen(
        model.meta.engine,
        "before_cursor_execute",
        lambda conn, cursor, statement, *rest: statements.append(statement),
    )
    flask_app = app._wsgi_app
    run = secrets.token_hex(3)
    site = {"user": "", "ignore_auth": True}
    with flask_app.test_request_context():
        relay = tk.config["ckanext.dinamis_relay.relay_organization"]
        sysadmin = tk.get_action("get_site_user")(site, {})["name"]
        staff = tk.get_action("user_create")(
            {"user": sysadmin, "ignore_auth": True},
            {
                "name": f"bench-sr-{run}",
                "email": f"sr-{run}@bench.fr",
                "password": "Bench-pass-2026",
            },
        )
        if model.Group.get(relay) is None:
            tk.get_action("organization_create")({"user": sysadmin}, {"name": relay})
        tk.get_action("organization_member_create")(
            {"user": sysadmin}, {"id": relay, "username": staff["name"], "role": "editor"}
        )
        referent = staff["name"]
        orgs = []
        for n in range(args.rows):
            name = f"bench-{run}-{n:04d}"
            tk.get_action("organization_create")({"user": sysadmin}, {"name": name})
            orgs.append(name)
        token = tk.get_action("api_token_create")(
            {"user": staff["name"]}, {"user": staff["name"], "name": "bench"}
        )["token"]
    header = (
        "organization,legal_name,siret,entity_type,eligibility_category,address,postcode,"
        "city,department,legal_rep_name,legal_rep_title,legal_rep_email,referent,"
        "convention_number,phone,email_domains,referent_title,referent_phone\n"
    )
    seed = int(run, 16) * 10000
    lines = [
        f"{name},Commune {n},{_siret(seed + n)},commune,public_body,Place de la mairie,33600,"
        f"Pessac,33,Maire {n},Maire,maire{n}@commune{n}.fr,{referent},CONV-{run}-{n},"
        f"05 56 00 00 00,commune{n}.fr,Responsable SIG,05 56 00 00 01\n"
        for n, name in enumerate(orgs)
    ]
    client = flask_app.test_client()
    headers = {"Authorization": token}

    def step(label: str, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        statements.clear()
        start = time.perf_counter()
        response = client.post(f"/api/3/action/{action}", json=payload, headers=headers)
        elapsed = time.perf_counter() - start
        body = response.get_json()
        if not body or not body.get("success"):
            raise SystemExit(f"{label} failed: {response.status_code} {str(body)[:500]}")
        print(f"{label:<32} {elapsed:8.2f} s  {len(statements):6d} SQL statements")
        return body["result"]

    print(f"{args.rows} relay-mode applications through the API")
    drafted = step(
        "wave_import (drafts)",
        "dinamis_relay_adhesion_wave_import",
        {"csv": header + "".join(lines)},
    )
    ids = drafted["adhesions"]
    step(
        "bulk check_eligibility",
        "dinamis_relay_adhesion_bulk",
        {"ids": ids, "operation": "check_eligibility", "eligible": True},
    )
    step(
        "bulk submit (signed links)",
        "dinamis_relay_adhesion_bulk",
        {"ids": ids, "operation": "submit"},
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
