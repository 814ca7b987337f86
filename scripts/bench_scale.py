"""Latency and SQL query counts of the global view, the lists and the coverage search at
regional or national scale.

Not a test: run it against a database filled by `ckan dinamis-relay generate-scale-data`
(regional by default: 1,000 entities, 50,000 accounts, 1,000,000 downloads, 20,000 imagery
requests; national: 10,000, 500,000, 10,000,000 and 200,000, in a database of its own). It
times the plugin's actions next to CKAN core's `organization_list` (all_fields) and
`organization_show` in the same process, on the same database, in rounds that run every
call once (the calls and the references see the same load of a shared machine), and prints
each one's p50 and p95 and its ratio to those core references, with the load average.

    source .stack/env.sh
    export CKAN_SQLALCHEMY_URL=postgresql://ckan:ckan@127.0.0.1:$PG_PORT/ckan_bench
    export CKAN_SITE_ID=dr_bench
    ckan -c bench.ini db init && ckan -c bench.ini db upgrade -p dinamis_relay
    ckan -c bench.ini dinamis-relay generate-scale-data --replace
    python scripts/bench_scale.py -c bench.ini --repeat 30

(`createdb -h 127.0.0.1 -p $PG_PORT -U ckan ckan_national` and `CKAN_SITE_ID=dr_national`
for the national data set beside the regional one.)

The coverage search is timed next to core's `package_search` with the same `ext_bbox`, as
the referent of an accepted entity (an adherent): a request-sized box and a 100 km one. With
`spatial_query` loaded (bench.ini) both go through ckanext-spatial's envelope search.

`account_validate` changes data: each round validates one requested account of a
relay-mode entity (there are about 2,000 to validate at regional scale).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-c", "--config", default="test.ini")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument(
        "--only",
        default="",
        help="Run only the calls whose name contains one of these (commas).",
    )
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
        return _run(args, model, tk, sa, statements)


def _run(args: Any, model: Any, tk: Any, sa: Any, statements: list[str]) -> int:
    session = model.Session
    if model.User.get("scale-superref-1") is None:
        print("No scale data here: run `ckan dinamis-relay generate-scale-data` first.")
        return 1
    url = model.meta.engine.url
    print(f"database {url.database} on {url.host}:{url.port}")
    counts = session.execute(
        sa.text(
            "SELECT (SELECT count(*) FROM dinamis_relay_adhesion WHERE is_current),"
            " (SELECT count(*) FROM dinamis_relay_account),"
            " (SELECT count(*) FROM dinamis_relay_download_event),"
            " (SELECT count(*) FROM dinamis_relay_imagery_request),"
            " (SELECT count(*) FROM dinamis_relay_audit_event)"
        )
    ).one()
    print(
        "data: {} entities, {} accounts, {} downloads, {} imagery requests, {} audit events".format(
            *counts
        )
    )
    # A middle-sized live entity (by accounts, among those whose adhesion is accepted) for
    # organization_show and the referent's view: the middle of all entities can be a
    # terminated one whose members are gone, a page far cheaper to show than a live one.
    median = session.execute(
        sa.text(
            "WITH sized AS (SELECT g.name, d.referent_user_id, count(*) AS n"
            ' FROM dinamis_relay_account a JOIN "group" g ON g.id = a.organization_id'
            " JOIN dinamis_relay_adhesion d ON d.organization_id = g.id AND d.is_current"
            " AND d.state = 'accepted' GROUP BY g.name, d.referent_user_id)"
            " SELECT * FROM sized ORDER BY n DESC, name"
            " OFFSET (SELECT count(*) / 2 FROM sized) LIMIT 1"
        )
    ).one()
    referent = model.User.get(median.referent_user_id).name
    print(f"middle entity: {median.name} ({median.n} accounts), referent {referent}")
    super_referent = "scale-superref-1"
    adherent = session.execute(
        sa.text(
            'SELECT u.name FROM dinamis_relay_adhesion d JOIN "user" u'
            " ON u.id = d.referent_user_id WHERE d.is_current AND d.state = 'accepted'"
            " ORDER BY d.created, d.id LIMIT 1"
        )
    ).scalar_one()
    tk.config["ckanext.dinamis_relay.stats_cache_seconds"] = 0
    visible = tk.get_action("dinamis_relay_account_list")({"user": super_referent}, {"limit": 20})[
        "count"
    ]
    last_page = max(1, (visible + 19) // 20)
    to_validate = iter(
        session.execute(
            sa.text(
                "SELECT a.id FROM dinamis_relay_account a JOIN dinamis_relay_adhesion d"
                " ON d.organization_id = a.organization_id AND d.is_current"
                " WHERE a.state = 'requested' AND d.state = 'accepted' AND d.mode = 'relay'"
                " ORDER BY a.created LIMIT :n"
            ),
            {"n": args.repeat + args.warmup},
        ).scalars()
    )
    session.remove()

    def action(name: str, user: str, data: dict[str, Any] | None = None) -> Callable[[], Any]:
        def call() -> Any:
            return tk.get_action(name)({"user": user}, dict(data or {}))

        return call

    def validate() -> Any:
        return tk.get_action("dinamis_relay_account_validate")(
            {"user": super_referent}, {"id": next(to_validate)}
        )

    cached_stats_ready = False

    def cached_stats() -> Any:
        nonlocal cached_stats_ready
        tk.config["ckanext.dinamis_relay.stats_cache_seconds"] = 300
        try:
            return tk.get_action("dinamis_relay_stats")({"user": ""}, {"months": 24})
        finally:
            cached_stats_ready = True
            tk.config["ckanext.dinamis_relay.stats_cache_seconds"] = 0

    # The coverage search next to core's package_search with the same box, as an adherent
    # (the referent of an accepted entity): a request-sized area (about 16 km by 17 km around
    # Bordeaux, or the middle of the generated extent) and one of about 100 km.
    small_box = "-0.7,44.75,-0.5,44.9"
    large_box = "-1.2,44.4,0.1,45.3"

    def coverage_search(bbox: str) -> Callable[[], Any]:
        return action("dinamis_relay_coverage", adherent, {"bbox": bbox})

    def core_search(bbox: str) -> Callable[[], Any]:
        return action("package_search", adherent, {"ext_bbox": bbox})

    cases: list[tuple[str, Callable[[], Any]]] = [
        ("core organization_list all_fields", action("organization_list", super_referent,
                                                     {"all_fields": True})),
        ("core organization_show", action("organization_show", super_referent,
                                          {"id": median.name})),
        ("dashboard (super-referent, 12 months)",
         action("dinamis_relay_dashboard", super_referent)),
        ("dashboard (super-referent, 24 months)",
         action("dinamis_relay_dashboard", super_referent, {"months": 24})),
        ("dashboard (super-referent, 36 months)",
         action("dinamis_relay_dashboard", super_referent, {"months": 36})),
        ("dashboard (referent)", action("dinamis_relay_dashboard", referent)),
        ("stats (uncached)", action("dinamis_relay_stats", "")),
        ("stats (Redis cache hit)", cached_stats),
        ("adhesion_list", action("dinamis_relay_adhesion_list", super_referent)),
        ("adhesion_list (last page)", action("dinamis_relay_adhesion_list", super_referent,
                                             {"offset": int(counts[0]) - 20})),
        ("account_list (first page)", action("dinamis_relay_account_list", super_referent)),
        (f"account_list (page {last_page})",
         action("dinamis_relay_account_list", super_referent, {"page": last_page})),
        ("imagery_request_list", action("dinamis_relay_imagery_request_list", super_referent)),
        ("imagery_request_list (triage)",
         action("dinamis_relay_imagery_request_list", super_referent, {"queue": "triage"})),
        ("dashboard_export (1000 accounts)",
         action("dinamis_relay_dashboard_export", super_referent, {"kind": "accounts"})),
        ("account_validate", validate),
        ("core package_search (request box)", core_search(small_box)),
        ("coverage (request box)", coverage_search(small_box)),
        ("core package_search (100 km box)", core_search(large_box)),
        ("coverage (100 km box)", coverage_search(large_box)),
    ]  # fmt: skip
    references = {name: call for name, call in cases[:2]}
    wanted = [term for term in args.only.split(",") if term]
    cases = [case for case in cases if any(term in case[0] for term in wanted)] or cases
    for name, call in references.items():
        if name not in {case[0] for case in cases}:
            cases.insert(0, (name, call))

    for label, bbox in (("request box", small_box), ("100 km box", large_box)):
        found = coverage_search(bbox)()
        print(
            f"coverage ({label} {bbox}): {found['count']} datasets meet it,"
            f" {found['candidates']} candidates from the index"
        )
    # Rounds: each runs every call once, so that the calls and the core references they
    # are divided by see the same load of the shared machine, in an order shuffled each
    # round (seeded), so that no call always follows the same one.
    print(f"load average at start: {_load()}")
    measured: dict[str, tuple[list[float], list[int]]] = {name: ([], []) for name, _ in cases}
    order = random.Random(17)
    for index in range(args.warmup + args.repeat):
        for name, call in order.sample(cases, len(cases)):
            session.remove()
            statements.clear()
            started = time.perf_counter()
            call()
            elapsed = (time.perf_counter() - started) * 1000
            if index >= args.warmup:
                measured[name][0].append(elapsed)
                measured[name][1].append(len(statements))
    print(f"load average at end: {_load()}")
    results = [(name, *measured[name]) for name, _ in cases]

    medians = {name: statistics.median(timings) for name, timings, _queries in results}
    reference_list = medians["core organization_list all_fields"]
    reference_show = medians["core organization_show"]
    print(
        f"\n{args.repeat} rounds after {args.warmup} warm-up rounds, each call once per round;"
        " times in ms\n"
    )
    header = f"{'call':<40} {'p50':>7} {'p95':>7} {'queries':>9} {'÷list':>6} {'÷show':>6}"
    print(header)
    print("-" * len(header))
    for name, timings, queries in results:
        p50 = statistics.median(timings)
        p95 = _percentile(timings, 0.95)
        spread = (
            f"{min(queries)}"
            if min(queries) == max(queries)
            else (f"{min(queries)}-{max(queries)}")
        )
        print(
            f"{name:<40} {p50:7.1f} {p95:7.1f} {spread:>9} "
            f"{p50 / reference_list:6.2f} {p50 / reference_show:6.2f}"
        )
    for size in ("request box", "100 km box"):
        core = medians.get(f"core package_search ({size})")
        mine = medians.get(f"coverage ({size})")
        if core and mine:
            print(
                f"coverage ÷ core package_search, {size}: {mine:.1f} / {core:.1f} ms"
                f" = {mine / core:.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
