"""Fuzz the API and the web pages over HTTP: gunicorn, every role, generated payloads.

Not a test of the suite (tests/test_fuzz.py is, through CKAN's test app, on fewer calls):
this builds a small world of real objects in the database named by CKAN_SQLALCHEMY_URL,
starts gunicorn on 127.0.0.1, sends --calls requests drawn by tests/fuzzing.py (round robin
over the targets, each call's payload from its own seeded Random, so a run replays with
--seed and the core actions get the same payloads with and without the plugin), then prints
a table of statuses per target, every 5xx with its payload, the slowest calls, and how many
server tracebacks went through the plugin's code.

    source .stack/env.sh
    createdb -h 127.0.0.1 -p $PG_PORT -U ckan ckan_fuzz   # once
    export CKAN_SQLALCHEMY_URL=postgresql://ckan:ckan@127.0.0.1:$PG_PORT/ckan_fuzz
    ckan -c test.ini db init && ckan -c test.ini db upgrade -p dinamis_relay
    python scripts/fuzz.py -c test.ini --calls 10000 --port 5011
    python scripts/fuzz.py -c test.ini --calls 3000 --port 5011 --core-only --without-plugin
    python scripts/fuzz.py -c test.ini --calls 3000 --port 5011 --core-only
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import pathlib
import random
import re
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import requests

ROOT = pathlib.Path(__file__).resolve().parents[1]
ROLES = ("anonymous", "sysadmin", "super_referent", "instructor", "referent", "holder", "user")


def build_world(config: str) -> tuple[Any, dict[str, str], list[str], dict[str, tuple]]:
    """Real objects (adhesions, accounts, an imagery request, a dataset) and a token per role,
    made through the actions in this process; returns (world, tokens, targets, fields)."""
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(config))
    from ckan.tests import factories

    from ckanext.dinamis_relay.tests import factories as f
    from ckanext.dinamis_relay.tests import fuzzing, imagery_helpers

    with app._wsgi_app.test_request_context():
        import ckan.model as model
        import ckan.plugins.toolkit as tk

        relay_name = tk.config["ckanext.dinamis_relay.relay_organization"] or "relay"
        dinamis_name = tk.config["ckanext.dinamis_relay.dinamis_organization"] or "dinamis"
        super_referent, instructor = factories.User(), factories.User()
        for name, user in ((relay_name, super_referent), (dinamis_name, instructor)):
            if model.Group.get(name) is None:
                factories.Organization(name=name)
            tk.get_action("organization_member_create")(
                {"ignore_auth": True, "user": factories.Sysadmin()["name"]},
                {"id": name, "username": user["name"], "role": "editor"},
            )
        sysadmin = factories.Sysadmin()
        draft = f.adhesion("draft")
        pending = f.adhesion("pending_instruction", mode="relay")
        holder = f.account("active")
        requested = f.account("requested", organization=holder["organization_dict"])
        dataset = factories.Dataset(owner_org=holder["organization_id"])
        request = imagery_helpers.call(
            "dinamis_relay_imagery_request_create",
            holder["person_dict"],
            **imagery_helpers.request_data(organization_id=holder["organization_id"]),
        )
        plain = factories.User()
        users = {
            "sysadmin": sysadmin,
            "super_referent": super_referent,
            "instructor": instructor,
            "referent": draft["referent_dict"],
            "holder": holder["person_dict"],
            "user": plain,
        }
        site = tk.get_action("get_site_user")({"ignore_auth": True}, {})
        tokens = {"anonymous": ""}
        for role, user in users.items():
            tokens[role] = tk.get_action("api_token_create")(
                {"user": site["name"], "ignore_auth": True}, {"user": user["name"], "name": "fuzz"}
            )["token"]
        world = fuzzing.World(
            ids={
                "adhesion": [draft["id"], pending["id"]],
                "organization": [
                    draft["organization_id"],
                    draft["organization_dict"]["name"],
                    pending["organization_dict"]["title"],
                ],
                "account": [holder["id"], requested["id"]],
                "imagery_request": [request["id"]],
                "user": [plain["name"], holder["person_dict"]["id"], requested["user_name"]],
                "dataset": [dataset["id"], dataset["name"]],
            }
        )
        fields = {**fuzzing.plugin_actions(), **fuzzing.CORE_ACTIONS}
        model.Session.remove()
    return world, tokens, sorted(fields), fields


def _config_without_plugin(config: str) -> str:
    """A copy of the configuration with no plugin loaded (CKAN core alone)."""
    source = pathlib.Path(config).resolve()
    text = source.read_text().replace("%(here)s", str(source.parent))
    text = re.sub(r"(?m)^ckan\.plugins\s*=.*$", "ckan.plugins =", text)
    target = ROOT / ".stack" / "fuzz-without-plugin.ini"
    target.parent.mkdir(exist_ok=True)
    target.write_text(text)
    return str(target)


def start_gunicorn(config: str, port: int, workers: int, log: pathlib.Path) -> subprocess.Popen:
    env = dict(os.environ, CKAN_INI=str(pathlib.Path(config).resolve()))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--chdir",
            str(ROOT / "scripts"),
            "wsgi:application",
        ],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.time() + 300
    while time.time() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/api/3/action/status_show", timeout=60)
            return process
        except requests.RequestException:
            time.sleep(1)
    os.killpg(process.pid, signal.SIGTERM)
    raise SystemExit(f"gunicorn did not answer on port {port}; see {log}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", default=str(ROOT / "test.ini"))
    parser.add_argument("--calls", type=int, default=10000)
    parser.add_argument("--port", type=int, default=5011)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--core-only", action="store_true", help="only the chained core actions")
    parser.add_argument("--without-plugin", action="store_true", help="serve CKAN core alone")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)

    from ckanext.dinamis_relay.tests import fuzzing

    world, tokens, actions, fields = build_world(args.config)
    if args.core_only or args.without_plugin:
        targets = sorted(fuzzing.CORE_ACTIONS)
    else:
        targets = actions + sorted(fuzzing.WEB_ROUTES)
    served = _config_without_plugin(args.config) if args.without_plugin else args.config
    log = (
        ROOT / ".stack" / ("fuzz-gunicorn-core.log" if args.without_plugin else "fuzz-gunicorn.log")
    )
    print(
        f"fuzz: {args.calls} calls, seed {seed}, {len(targets)} targets, plugin "
        f"{'not loaded' if args.without_plugin else 'loaded'}, gunicorn -w {args.workers} "
        f"on port {args.port}",
        flush=True,
    )
    server = start_gunicorn(served, args.port, args.workers, log)
    base = f"http://127.0.0.1:{args.port}"
    statuses: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    errors: list[str] = []
    timings: list[tuple[float, str, str]] = []
    lock = threading.Lock()
    counter = iter(range(args.calls))

    def client() -> None:
        session = requests.Session()
        for index in counter:
            target = targets[index % len(targets)]
            rng = random.Random(f"{seed}:{target}:{index // len(targets)}")
            role = rng.choice(ROLES)
            headers = {"Authorization": tokens[role]} if tokens[role] else {}
            start = time.perf_counter()
            try:
                if target in fuzzing.WEB_ROUTES:
                    sent: Any = fuzzing.web_path(rng, target, fuzzing.WEB_ROUTES[target], world)
                    response = session.get(
                        base + sent, headers=headers, timeout=150, allow_redirects=False
                    )
                else:
                    sent = fuzzing.payload(rng, fields[target], world)
                    response = session.post(
                        f"{base}/api/3/action/{target}",
                        data=json.dumps(sent),
                        headers={**headers, "Content-Type": "application/json"},
                        timeout=150,
                    )
                status = response.status_code
            except requests.RequestException:
                status = 0
            elapsed = time.perf_counter() - start
            with lock:
                statuses[target][status] += 1
                timings.append((elapsed, target, role))
                if status >= 500 or status == 0:
                    errors.append(f"{status} {target} as {role}: {str(sent)[:300]}")

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = time.perf_counter() - started
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)

    codes = sorted({code for counts in statuses.values() for code in counts})
    width = max(len(t) for t in targets)
    print(f"\n{'target':{width}} " + " ".join(f"{c:>6}" for c in codes) + "  total")
    for target in targets:
        counts = statuses[target]
        print(
            f"{target:{width}} "
            + " ".join(f"{counts.get(c, 0):>6}" for c in codes)
            + f"  {sum(counts.values()):>5}"
        )
    total: collections.Counter[int] = collections.Counter()
    for counts in statuses.values():
        total.update(counts)
    print(f"{'all':{width}} " + " ".join(f"{total.get(c, 0):>6}" for c in codes))
    five = sum(n for c, n in total.items() if c >= 500 or c == 0)
    print(f"\n{sum(total.values())} calls in {duration:.0f} s; 5xx or no answer: {five}")
    timings.sort(reverse=True)
    print("slowest: " + ", ".join(f"{t:.2f} s {name} ({role})" for t, name, role in timings[:5]))
    text = log.read_text(errors="replace")
    tracebacks = text.count("Traceback (most recent call last)")
    through = raised = 0
    for block in text.split("Traceback (most recent call last)")[1:]:
        frames = []
        for line in block.splitlines()[1:]:
            if not line.startswith(" "):
                break
            if line.lstrip().startswith("File "):
                frames.append(line)
        plugin = [i for i, frame in enumerate(frames) if "ckanext/dinamis_relay" in frame]
        core = [i for i, frame in enumerate(frames) if "site-packages/ckan/" in frame]
        through += bool(plugin)
        # Raised in the plugin: no CKAN core frame below the plugin's last one.
        raised += bool(plugin) and (not core or plugin[-1] > core[-1])
    print(
        f"server tracebacks: {tracebacks}; through the plugin's code: {through}, raised in it:"
        f" {raised} (log: {log})"
    )
    for line in errors:
        print("  " + line)


if __name__ == "__main__":
    main()
