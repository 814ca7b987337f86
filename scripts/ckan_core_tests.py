"""Run CKAN core's own membership, organization, user and auth tests twice and compare.

The tests shipped in the installed ckan package (the files named by
ckanext/dinamis_relay/tests/ckan_core.py) run once as CKAN alone and once with dinamis_relay
loaded for every test (its migrations run after each database reset), each on a fresh
database. Exit code 1 when any test's outcome differs between the two runs (or a run could
not complete); failures that happen in both runs are CKAN's and are only counted.

usage: python scripts/ckan_core_tests.py [--only alone|plugin] [pytest arguments...]
Needs the stack's environment: `source .stack/env.sh` (scripts/test.sh does it). The two
runs' JUnit reports and logs go in test-artifacts/ckan-core/.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
INI = REPO / "test-ckan-core.ini"
ARTIFACTS = REPO / "test-artifacts" / "ckan-core"
DATABASE = "ckan_core"
RUNS = {"alone": [], "plugin": ["--with-dinamis-relay"]}
WORST = {"passed": 0, "skipped": 1, "failed": 2, "error": 3}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=tuple(RUNS), help="one run, no comparison")
    args, pytest_args = parser.parse_known_args()
    for name in ("CKAN_SQLALCHEMY_URL", "CKAN_SOLR_URL", "CKAN_REDIS_URL"):
        if not os.environ.get(name):
            sys.exit(f"ckan_core_tests: {name} is not set: `source .stack/env.sh` first")
    import ckan

    from ckanext.dinamis_relay.tests.ckan_core import CORE_FILES

    ckan_dir = Path(ckan.__file__).parent
    paths = [str(ckan_dir / f) for f in CORE_FILES]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    outcomes: dict[str, dict[str, tuple[str, str]]] = {}
    for run in [args.only] if args.only else list(RUNS):
        outcome = run_once(run, ckan_dir.parent, paths, pytest_args)
        if outcome is None:
            return 1
        outcomes[run] = outcome
    if args.only:
        return 0
    return compare(outcomes["alone"], outcomes["plugin"])


def fresh_database() -> str:
    """Drop and create the core tests' database; returns its URL."""
    base = sa.engine.make_url(os.environ["CKAN_SQLALCHEMY_URL"])
    engine = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {DATABASE} ENCODING 'UTF8' TEMPLATE template0"))
    engine.dispose()
    return base.set(database=DATABASE).render_as_string(hide_password=False)


def run_once(
    run: str, rootdir: Path, paths: list[str], pytest_args: list[str]
) -> dict[str, tuple[str, str]] | None:
    env = dict(os.environ, CKAN_SQLALCHEMY_URL=fresh_database())
    env["CKAN_REDIS_URL"] = env["CKAN_REDIS_URL"].rsplit("/", 1)[0] + "/3"
    env["CKAN_INI"] = str(INI)
    bin_dir = Path(sys.executable).parent
    log = ARTIFACTS / f"{run}.log"
    report = ARTIFACTS / f"{run}.xml"
    started, cpu = time.monotonic(), os.times()
    with log.open("w") as out:
        init = subprocess.run(
            [str(bin_dir / "ckan"), "-c", str(INI), "db", "init"], env=env, stdout=out, stderr=out
        )
        if init.returncode:
            print(f"ckan-core ({run}): `ckan db init` failed, see {log}")
            return None
        # -c /dev/null: CKAN's tests are not ours, the repository's pytest options do not apply.
        command = [
            *(str(bin_dir / "pytest"), "-c", os.devnull, f"--rootdir={rootdir}"),
            *("-p", "no:randomly", "-p", "no:cacheprovider"),
            *("-p", "ckanext.dinamis_relay.tests.ckan_core", *RUNS[run]),
            *(f"--ckan-ini={INI}", "-q", "-rN", f"--junitxml={report}"),
            *("-W", "ignore::DeprecationWarning", *pytest_args, *paths),
        ]
        code = subprocess.run(command, env=env, cwd=rootdir, stdout=out, stderr=out).returncode
    children = os.times()
    cpu_s = (children.children_user - cpu.children_user) + (
        children.children_system - cpu.children_system
    )
    tail = log.read_text(errors="replace").strip().splitlines()[-1:]
    print(
        f"ckan-core ({run}): {tail[0] if tail else '?'} "
        f"[{time.monotonic() - started:.0f} s wall, {cpu_s:.0f} s CPU of pytest]"
    )
    if code not in (0, 1):  # 1: some tests failed, compared below
        print(f"ckan-core ({run}): pytest exited with {code}, see {log}")
        return None
    return read_report(report)


def read_report(report: Path) -> dict[str, tuple[str, str]]:
    """Test id -> (outcome, first line of the message); the worst phase counts."""
    found: dict[str, tuple[str, str]] = {}
    for case in ET.parse(report).iter("testcase"):
        test = f"{case.get('classname')}::{case.get('name')}"
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "failed"}.get(child.tag, child.tag)
                message = (child.get("message") or "").strip().partition("\n")[0][:200]
        if test not in found or WORST[outcome] > WORST[found[test][0]]:
            found[test] = (outcome, message)
    return found


def compare(alone: dict[str, tuple[str, str]], plugin: dict[str, tuple[str, str]]) -> int:
    differ = sorted(
        test
        for test in alone.keys() | plugin.keys()
        if alone.get(test, ("absent", ""))[0] != plugin.get(test, ("absent", ""))[0]
    )
    both_failed = sum(
        1
        for test, (outcome, _) in alone.items()
        if outcome in ("failed", "error") and plugin.get(test, ("",))[0] == outcome
    )
    for test in differ:
        a, p = alone.get(test, ("absent", "")), plugin.get(test, ("absent", ""))
        print(f"  DIFFERS {test}: alone {a[0]}, with dinamis_relay {p[0]}  {p[1] or a[1]}")
    print(
        f"ckan-core: {len(alone)} tests, {len(differ)} with a different outcome when "
        f"dinamis_relay is loaded ({both_failed} fail alike in both runs); reports in "
        f"{ARTIFACTS.relative_to(REPO)}/"
    )
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
