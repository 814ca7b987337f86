"""Time the personal data actions at regional scale (not a test: it prints figures).

Run it against a database filled by `ckan dinamis-relay generate-scale-data`; it changes the
data (erasure, retention), so use a throw-away database:

    source .stack/env.sh
    export CKAN_SQLALCHEMY_URL=postgresql://ckan:ckan@127.0.0.1:$PG_PORT/ckan_bench
    export CKAN_SITE_ID=dr_bench
    ckan -c test.ini db init && ckan -c test.ini db upgrade -p dinamis_relay
    ckan -c test.ini dinamis-relay generate-scale-data --replace
    python scripts/bench_personal_data.py -c test.ini

It exports the heaviest downloader (then a light user), erases them, and runs purge-expired
twice (the first run applies every period to two years of generated data, the second finds
nothing left), printing each call's time and SQL statement count.
"""

from __future__ import annotations

import argparse
import time
from typing import Any


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-c", "--config", default="test.ini")
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(args.config))

    import ckan.model as model
    import ckan.plugins.toolkit as tk
    import sqlalchemy as sa

    statements: list[str] = []
    sa.event.listen(
        model.meta.engine,
        "before_cursor_execute",
        lambda conn, cursor, statement, *rest: statements.append(statement),
    )
    flask_app: Any = app._wsgi_app
    with flask_app.test_request_context():
        site = tk.get_action("get_site_user")({"ignore_auth": True}, {})
        context = {"user": site["name"]}

        def timed(label: str, action: str, data: dict[str, Any]) -> Any:
            statements.clear()
            start = time.perf_counter()
            result = tk.get_action(action)(dict(context), data)
            elapsed = (time.perf_counter() - start) * 1000
            print(f"{label:<52} {elapsed:>10.1f} ms {len(statements):>4} statements")
            return result

        heavy, light = model.Session.execute(
            sa.text(
                "(SELECT user_id FROM dinamis_relay_download_event GROUP BY user_id"
                " ORDER BY count(*) DESC LIMIT 1) UNION ALL"
                " (SELECT user_id FROM dinamis_relay_download_event GROUP BY user_id"
                " ORDER BY count(*) LIMIT 1)"
            )
        ).scalars()
        for label, user_id in (("heaviest downloader", heavy), ("lightest downloader", light)):
            data = timed(
                f"export ({label})", "dinamis_relay_personal_data_export", {"user": user_id}
            )
            sizes = ", ".join(f"{len(v)} {k}" for k, v in data.items() if isinstance(v, list) and v)
            print(f"  {sizes}")
        result = timed(
            "erase (heaviest downloader)", "dinamis_relay_personal_data_erase", {"user": heavy}
        )
        print(f"  {result}")
        timed("erase again (nothing left)", "dinamis_relay_personal_data_erase", {"user": heavy})
        for run in ("first", "second"):
            result = timed(
                f"purge-expired ({run} run)", "dinamis_relay_personal_data_purge_expired", {}
            )
            print(f"  {result}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
