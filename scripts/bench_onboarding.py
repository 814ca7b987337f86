"""Benchmark (not a test): a wave of entities through the relay flow, over HTTP.

Starts gunicorn (scripts/wsgi.py), job workers and a local SMTP sink (aiosmtpd) on
127.0.0.1, then C client threads take N new organizations through the relay flow as the
people would: the super-referent creates the adhesion, records the eligibility check and
submits; the legal representative waits for the emailed link and accepts through it; the
instructor accepts. It prints the throughput, each call's p50/p95, the delay from submit to
the legal representative's email, the emails received per role, and the time until every
email is delivered and every document issued.

Run it on a database of its own (it creates N organizations and users):

    source .stack/env.sh
    createdb -h 127.0.0.1 -p $PG_PORT -U ckan ckan_onboard
    export CKAN_SQLALCHEMY_URL=postgresql://ckan:ckan@127.0.0.1:$PG_PORT/ckan_onboard
    export CKAN_SITE_ID=dr_onboard
    ckan -c test.ini db init && ckan -c test.ini db upgrade -p dinamis_relay
    python scripts/bench_onboarding.py -c test.ini -n 300 --workers 2 --job-workers 2

`--worker core` runs CKAN's `ckan jobs worker` (one process forked per job) instead of
`ckan dinamis-relay worker --no-fork` (the default).
"""

from __future__ import annotations

import argparse
import collections
import email
import os
import pathlib
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from typing import Any

import requests
from aiosmtpd.controller import Controller

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOMAIN = "bench.example"
LINK = re.compile(r"/dinamis/legal/(\S+)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Sink:
    """Keeps each message's recipients, subject and arrival time; wakes waiting clients."""

    def __init__(self) -> None:
        self.lock = threading.Condition()
        self.messages: list[tuple[float, list[str], str]] = []
        self.links: dict[str, tuple[float, str]] = {}

    async def handle_DATA(self, server, session, envelope):
        now = time.monotonic()
        message: Any = email.message_from_bytes(envelope.content)
        part: Any = message.get_payload()[0] if message.is_multipart() else message
        body = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        with self.lock:
            self.messages.append((now, list(envelope.rcpt_tos), str(message["Subject"])))
            found = LINK.search(body)
            if found:
                for address in envelope.rcpt_tos:
                    self.links[address.lower()] = (now, found.group(1))
            self.lock.notify_all()
        return "250 OK"

    def wait_link(self, address: str, timeout: float) -> tuple[float, str] | None:
        end = time.monotonic() + timeout
        with self.lock:
            while address not in self.links:
                left = end - time.monotonic()
                if left <= 0:
                    return None
                self.lock.wait(left)
            return self.links[address]


class Setup:
    """Staff with API tokens, N organizations and their referents, made through actions."""

    def __init__(self, config: str, count: int) -> None:
        from ckan.cli import load_config
        from ckan.config.middleware import make_app

        app = make_app(load_config(config))
        import ckan.plugins.toolkit as tk

        run = uuid.uuid4().hex[:6]
        self.run = run
        with app._wsgi_app.test_request_context():
            site = {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]}

            def user(name: str) -> dict[str, Any]:
                return tk.get_action("user_create")(
                    dict(site),
                    {"name": name, "email": f"{name}@{DOMAIN}", "password": "Bench-pass-2026!"},
                )

            def organization(name: str) -> None:
                try:
                    tk.get_action("organization_show")(dict(site), {"id": name})
                except tk.ObjectNotFound:
                    tk.get_action("organization_create")(dict(site), {"name": name})

            superref = user(f"superref-{run}")
            instructor = user(f"instructor-{run}")
            relay = tk.config.get("ckanext.dinamis_relay.relay_organization") or "relay"
            dinamis = tk.config.get("ckanext.dinamis_relay.dinamis_organization") or "dinamis"
            for name, member in ((relay, superref), (dinamis, instructor)):
                organization(name)
                tk.get_action("organization_member_create")(
                    dict(site), {"id": name, "username": member["name"], "role": "editor"}
                )
            self.tokens = {
                role: tk.get_action("api_token_create")(
                    dict(site), {"user": person["name"], "name": "bench"}
                )["token"]
                for role, person in (("superref", superref), ("instructor", instructor))
            }
            self.entities = []
            for index in range(count):
                referent = user(f"ref-{run}-{index}")
                org = tk.get_action("organization_create")(
                    dict(site), {"name": f"bench-{run}-{index}", "title": f"Commune n°{index}"}
                )
                self.entities.append((index, org["id"], referent["id"]))
            self.role_of = {
                f"superref-{run}@{DOMAIN}": "super-referent",
                f"instructor-{run}@{DOMAIN}": "instructor",
            }


def _siret(seed: int) -> str:
    prefix = f"2{seed:012d}"
    for digit in "0123456789":
        candidate = prefix + digit
        total = 0
        for index, char in enumerate(reversed(candidate)):
            value = int(char) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    raise AssertionError


class Client(threading.Thread):
    def __init__(self, base: str, setup: Setup, sink: Sink, work: list, results: dict) -> None:
        super().__init__(daemon=True)
        self.base, self.setup, self.sink, self.work, self.results = base, setup, sink, work, results
        self.http = requests.Session()

    def call(self, action: str, role: str | None, data: dict[str, Any]) -> dict[str, Any]:
        headers = {"Authorization": self.setup.tokens[role]} if role else {}
        start = time.monotonic()
        response = self.http.post(
            f"{self.base}/api/3/action/dinamis_relay_adhesion_{action}",
            json=data,
            headers=headers,
            timeout=120,
        )
        self.results["calls"][action].append(time.monotonic() - start)
        body = response.json()
        if not body.get("success"):
            raise RuntimeError(f"{action}: {response.status_code} {body.get('error')}")
        return body["result"]

    def run(self) -> None:
        while True:
            try:
                index, org_id, referent_id = self.work.pop()
            except IndexError:
                return
            try:
                self.entity(index, org_id, referent_id)
            except Exception as error:
                self.results["errors"].append(str(error)[:300])

    def entity(self, index: int, org_id: str, referent_id: str) -> None:
        legal = f"legal-{self.setup.run}-{index}@{DOMAIN}"
        created = self.call(
            "create",
            "superref",
            {
                "organization_id": org_id,
                "mode": "relay",
                "convention_number": f"CONV-BENCH-{index:04d}",
                "legal_name": f"Commune n°{index}",
                "siret": _siret(index + 1000),
                "entity_type": "commune",
                "eligibility_category": "public_body",
                "address": "Place de la Mairie",
                "postcode": "33600",
                "city": "Pessac",
                "department": "33",
                "phone": "05 57 93 63 63",
                "website": "https://www.bench.example",
                "email_domains": DOMAIN,
                "legal_rep_name": f"Maire {index}",
                "legal_rep_title": "Maire",
                "legal_rep_email": legal,
                "referent_user_id": referent_id,
                "referent_title": "Responsable SIG",
                "referent_phone": "05 57 93 00 00",
            },
        )
        adhesion_id = created["id"]
        self.call("check_eligibility", "superref", {"id": adhesion_id, "eligible": True})
        self.call("submit", "superref", {"id": adhesion_id})
        submitted = time.monotonic()
        with self.sink.lock:
            self.results["first_submit"] = min(
                self.results.get("first_submit", submitted), submitted
            )
        got = self.sink.wait_link(legal, timeout=600)
        if got is None:
            raise RuntimeError(f"no legal link for {legal}")
        arrived, token = got
        self.results["legal_delay"].append(arrived - submitted)
        self.call("legal_validate", None, {"token": token, "decision": "accept"})
        self.call("decide", "instructor", {"id": adhesion_id, "decision": "accept"})
        self.results["done"] += 1


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def _engine(config: str) -> Any:
    """The site's database (CKAN_SQLALCHEMY_URL, else the configuration's)."""
    import sqlalchemy as sa

    url = os.environ.get("CKAN_SQLALCHEMY_URL")
    if not url:
        from ckan.cli import load_config

        url = load_config(config)["sqlalchemy.url"]
    return sa.create_engine(url)


def _documents(config: str, run: str) -> tuple[int, int]:
    """(documents issued, outbox rows still pending) for this run's organizations."""
    import sqlalchemy as sa

    engine = _engine(config)
    with engine.connect() as connection:
        docs = connection.execute(
            sa.text(
                'SELECT count(*) FROM dinamis_relay_document d JOIN "group" g'
                " ON g.id = d.organization_id WHERE g.name LIKE :prefix"
            ),
            {"prefix": f"bench-{run}-%"},
        ).scalar_one()
        pending = connection.execute(
            sa.text("SELECT count(*) FROM dinamis_relay_outbox WHERE state = 'pending'")
        ).scalar_one()
    engine.dispose()
    return int(docs), int(pending)


def _latency_by_kind(config: str, started_at: str) -> list[tuple[str, int, float, float]]:
    """(kind, rows, p50 s, p95 s) from a row's creation (the commit of its transition) to its
    delivery, for the rows of this run."""
    import sqlalchemy as sa

    engine = _engine(config)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT kind, count(*),"
                " percentile_cont(0.5) WITHIN GROUP (ORDER BY done_at - created),"
                " percentile_cont(0.95) WITHIN GROUP (ORDER BY done_at - created)"
                " FROM dinamis_relay_outbox WHERE created >= :start AND done_at IS NOT NULL"
                " GROUP BY kind ORDER BY kind"
            ),
            {"start": started_at},
        ).all()
    engine.dispose()
    return [(k, n, p50.total_seconds(), p95.total_seconds()) for k, n, p50, p95 in rows]


def _bench_ini(config: str, staff_emails: str) -> str:
    """test.ini with the staff's email default of a production site (test.ini sends each
    notice at once, for the tests' sake)."""
    path = ROOT / "test-artifacts" / "bench_onboarding" / "bench.ini"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"[app:main]\nuse = config:{config}\n"
        f"ckanext.dinamis_relay.email.staff_default = {staff_emails}\n"
    )
    return str(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-c", "--config", default="test.ini")
    parser.add_argument("-n", "--entities", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--job-workers", type=int, default=2)
    parser.add_argument(
        "--priority-workers",
        type=int,
        default=0,
        help="extra workers serving only the priority queue (default 0)",
    )
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--worker", choices=("plugin", "core"), default="plugin")
    parser.add_argument("--timeout", type=float, default=900, help="give up after (s)")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: free)")
    parser.add_argument("--smtp-port", type=int, default=0, help="the sink's (default: free)")
    parser.add_argument(
        "--staff-emails",
        choices=("auto", "digest", "immediate"),
        default="auto",
        help="ckanext.dinamis_relay.email.staff_default (default auto, as in production)",
    )
    args = parser.parse_args()
    config = _bench_ini(str(pathlib.Path(args.config).resolve()), args.staff_emails)
    import datetime

    started_at = datetime.datetime.utcnow().isoformat()

    sink = Sink()
    smtp_port = args.smtp_port or _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    env = {
        **os.environ,
        "CKAN_INI": config,
        "CKAN_SMTP_SERVER": f"127.0.0.1:{smtp_port}",
        "CKAN_SMTP_STARTTLS": "false",
    }
    os.environ.update({k: v for k, v in env.items() if k.startswith("CKAN_SMTP")})
    print(f"setting up {args.entities} organizations and their referents ...", flush=True)
    setup = Setup(config, args.entities)
    port = args.port or _free_port()
    base = f"http://127.0.0.1:{port}"
    bin_dir = pathlib.Path(sys.executable).parent
    processes = [
        subprocess.Popen(
            [
                str(bin_dir / "gunicorn"),
                "--workers", str(args.workers),
                "--bind", f"127.0.0.1:{port}",
                "--chdir", str(ROOT / "scripts"),
                "--timeout", "120",
                "--log-level", "warning",
                "wsgi:application",
            ],
            env=env,
        )
    ]  # fmt: skip
    worker = (
        ["dinamis-relay", "worker", "--no-fork"]
        if args.worker == "plugin"
        else ["jobs", "worker", "dinamis_relay_priority", "default", "dinamis_relay_documents"]
    )
    logs = ROOT / "test-artifacts" / "bench_onboarding"
    logs.mkdir(parents=True, exist_ok=True)
    priority_only = (
        [*worker[:3], "dinamis_relay_priority"]
        if args.worker == "plugin"
        else [*worker[:2], "dinamis_relay_priority"]
    )
    commands = [worker] * args.job_workers + [priority_only] * args.priority_workers
    for number, command in enumerate(commands):
        # The workers' logs, to read what a job did (one file per worker, kept after the run).
        with open(logs / f"worker-{number}.log", "w") as log_file:
            processes.append(
                subprocess.Popen(
                    [str(bin_dir / "ckan"), "-c", config, *command],
                    env=env,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                )
            )
    results: dict[str, Any] = {
        "calls": collections.defaultdict(list),
        "legal_delay": [],
        "errors": [],
        "done": 0,
    }
    try:
        ready_by = time.monotonic() + 600
        while True:
            try:
                if requests.get(f"{base}/api/3/action/status_show", timeout=5).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > ready_by:
                print("gunicorn did not start")
                return 1
            time.sleep(0.5)
        work = list(reversed(setup.entities))
        clients = [Client(base, setup, sink, work, results) for _ in range(args.clients)]
        started = time.monotonic()
        for client in clients:
            client.start()
        for client in clients:
            client.join(timeout=args.timeout)
        flow_done = time.monotonic()
        expected_docs = 3 * results["done"]
        docs_done_at = emails_done_at = None
        while time.monotonic() - started < args.timeout:
            docs, pending = _documents(config, setup.run)
            now = time.monotonic()
            if docs >= expected_docs and docs_done_at is None:
                docs_done_at = now
            if pending == 0 and emails_done_at is None:
                emails_done_at = now
            if docs_done_at and emails_done_at:
                break
            time.sleep(0.5)
        flow_emails = len(sink.messages)
        # The day's digest, as cron would run it once the wave is in.
        subprocess.run(
            [str(bin_dir / "ckan"), "-c", config, "dinamis-relay", "digest"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until = time.monotonic() + 60
        while _documents(config, setup.run)[1] and time.monotonic() < wait_until:
            time.sleep(0.5)
        digests = len(sink.messages) - flow_emails
        last_email = max((m[0] for m in sink.messages[:flow_emails]), default=started)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        controller.stop()

    elapsed = flow_done - started
    print(
        f"\n{results['done']} of {args.entities} entities through the relay flow in "
        f"{elapsed:.1f} s ({results['done'] / elapsed:.2f} entities/s); gunicorn "
        f"{args.workers} workers, {args.job_workers} job workers ({args.worker})"
        f"{f' + {args.priority_workers} for the priority queue' if args.priority_workers else ''}, "
        f"{args.clients} clients; {len(results['errors'])} errors"
    )
    for error in results["errors"][:5]:
        print(f"  error: {error}")
    print(f"\n{'call':<20} {'calls':>6} {'p50 ms':>8} {'p95 ms':>8}")
    for action, times in results["calls"].items():
        ms = [t * 1000 for t in times]
        print(f"{action:<20} {len(ms):>6} {statistics.median(ms):>8.1f} {_pct(ms, 0.95):>8.1f}")
    delays = results["legal_delay"]
    print(
        f"\nlegal representative's email after submit: p50 {statistics.median(delays):.2f} s, "
        f"p95 {_pct(delays, 0.95):.2f} s"
        if delays
        else "\nno legal email measured"
    )
    roles: collections.Counter = collections.Counter()
    people: dict[str, set[str]] = collections.defaultdict(set)
    for _when, recipients, _subject in sink.messages:
        for address in recipients:
            role = setup.role_of.get(address.lower())
            if role is None:
                role = (
                    "legal representative"
                    if address.startswith("legal-")
                    else "referent"
                    if address.startswith("ref-")
                    else "other (sysadmins, extra recipients)"
                )
            roles[role] += 1
            people[role].add(address)
    print(f"\n{'outbox row kind':<28} {'rows':>6} {'p50 s':>7} {'p95 s':>7}  (commit to delivery)")
    for kind, count, p50, p95 in _latency_by_kind(config, started_at):
        print(f"{kind:<28} {count:>6} {p50:>7.2f} {p95:>7.2f}")
    print(
        f"\n{len(sink.messages)} emails for {results['done']} adhesions (staff_default = "
        f"{args.staff_emails}; {digests} of them the digest run afterwards):"
    )
    for role, count in roles.most_common():
        print(f"  {role:<38} {count:>6}  ({count / max(1, len(people[role])):.1f} per person)")
    first = results.get("first_submit", started)
    if docs_done_at:
        print(f"\nevery document issued {docs_done_at - first:.1f} s after the first submit")
    else:
        print("\nnot every document was issued before the timeout")
    print(
        f"every email delivered {last_email - started:.1f} s after the start"
        + ("" if emails_done_at else " (outbox rows still pending at the timeout)")
    )
    return 0 if not results["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
