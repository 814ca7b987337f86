"""Load test: concurrent API clients against CKAN served by gunicorn (2+ workers).

Not a test of the suite: run it against the scale database (scripts/bench_scale.py explains
how to fill it). It starts gunicorn on 127.0.0.1, lets N client threads mix reads (stats,
dashboard, adhesion_list, account_list, imagery_request_list) and state changes
(account_suspend / account_reactivate on a small shared pool of accounts, so clients race on
the same rows; adhesion_patch of shared drafts, each client its own field;
imagery_request_comment) for a fixed time, stops gunicorn, then checks in the database that
every state change that answered "success" happened exactly once and none that failed did:

- per account, the audit events of the run form an unbroken chain (each from_state is the
  previous to_state), their number equals the successful calls, and the final state is the
  last event's;
- per draft, each field holds the value of its client's last successful patch, and there is
  one "update" event per successful patch;
- there is one comment per successful comment call.

A state change refused because another client changed the row first (HTTP 409, validation
error on `state`) is a conflict, expected under contention, not an error.

    source .stack/env.sh
    export CKAN_SQLALCHEMY_URL=postgresql://ckan:ckan@127.0.0.1:54329/ckan_bench
    export CKAN_SITE_ID=dr_bench
    python scripts/load_test.py -c test.ini --workers 2 --clients 8 --duration 60
"""

from __future__ import annotations

import argparse
import collections
import os
import pathlib
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

import requests

ROOT = pathlib.Path(__file__).resolve().parents[1]
READS = {
    "stats": 20,
    "dashboard": 10,
    "dashboard_referent": 5,
    "adhesion_list": 15,
    "account_list": 15,
    "imagery_request_list": 10,
}
WRITES = {"account_toggle": 12, "adhesion_patch": 8, "imagery_comment": 5}
# Free-text fields of an adhesion: one per client, so concurrent patches of one draft
# touch different fields and every successful value must survive.
PATCH_FIELDS = (
    "legal_name",
    "acronym",
    "address",
    "city",
    "legal_rep_name",
    "legal_rep_title",
    "referent_title",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Setup:
    """Users with API tokens and the rows the clients work on, chosen in the database."""

    def __init__(self, config: str, pool_size: int, clients: int, seed: int) -> None:
        from ckan.cli import load_config
        from ckan.config.middleware import make_app

        self.app = make_app(load_config(config))
        import ckan.model as model
        import ckan.plugins.toolkit as tk
        import sqlalchemy as sa

        self.model, self.tk, self.sa = model, tk, sa
        rng = random.Random(seed)
        with self.app._wsgi_app.test_request_context():
            if model.User.get("scale-superref-1") is None:
                raise SystemExit("No scale data: run `ckan dinamis-relay generate-scale-data`.")
            session = model.Session
            site = tk.get_action("get_site_user")({"ignore_auth": True}, {})
            self.super_referents = [f"scale-superref-{i}" for i in range(1, 6)]
            referent_row = session.execute(
                sa.text(
                    'SELECT u.name FROM dinamis_relay_adhesion d JOIN "user" u'
                    " ON u.id = d.referent_user_id WHERE d.is_current AND d.state = 'accepted'"
                    " AND d.mode = 'classic' ORDER BY d.organization_id LIMIT 1"
                )
            ).scalar_one()
            self.referent = referent_row
            self.tokens = {}
            for name in [*self.super_referents, self.referent]:
                self.tokens[name] = tk.get_action("api_token_create")(
                    {"user": site["name"], "ignore_auth": True},
                    {"user": name, "name": "load-test"},
                )["token"]
            accounts = session.execute(
                sa.text(
                    "SELECT a.id FROM dinamis_relay_account a JOIN dinamis_relay_adhesion d"
                    " ON d.organization_id = a.organization_id AND d.is_current"
                    " WHERE a.state = 'active' AND d.state = 'accepted' AND d.mode = 'relay'"
                    " ORDER BY a.id"
                )
            ).scalars()
            all_accounts = list(accounts)
            self.accounts = rng.sample(all_accounts, min(pool_size, len(all_accounts)))
            drafts = session.execute(
                sa.text(
                    "SELECT id FROM dinamis_relay_adhesion WHERE is_current"
                    " AND state = 'draft' AND mode = 'relay' ORDER BY id LIMIT 3"
                )
            ).scalars()
            self.drafts = list(drafts)
            requests_ = session.execute(
                sa.text(
                    "SELECT id FROM dinamis_relay_imagery_request WHERE reviewer = 'relay'"
                    " AND state IN ('submitted', 'in_review') ORDER BY id LIMIT 50"
                )
            ).scalars()
            self.requests = list(requests_)
            self.audit_mark = session.execute(
                sa.text("SELECT coalesce(max(id), 0) FROM dinamis_relay_audit_event")
            ).scalar_one()
            self.comment_mark = session.execute(
                sa.text("SELECT coalesce(max(id), 0) FROM dinamis_relay_imagery_comment")
            ).scalar_one()
            session.remove()
        if clients > len(PATCH_FIELDS):
            raise SystemExit(f"At most {len(PATCH_FIELDS)} clients (one draft field each).")


class Client(threading.Thread):
    def __init__(self, index: int, base: str, setup: Setup, deadline: float, seed: int):
        super().__init__(name=f"client-{index}", daemon=True)
        self.index = index
        self.base = base
        self.setup = setup
        self.deadline = deadline
        self.rng = random.Random(seed + index)
        self.user = setup.super_referents[index % len(setup.super_referents)]
        self.http = requests.Session()
        self.http.headers["Authorization"] = setup.tokens[self.user]
        self.field = PATCH_FIELDS[index]
        self.results: list[tuple[str, str, float]] = []  # (operation, outcome, seconds)
        # Successful state changes, in the order the server confirmed them.
        self.toggles: list[tuple[str, str, float]] = []  # (account id, action, time)
        self.patches: list[tuple[str, str, str]] = []  # (draft id, field, value)
        self.comments = 0
        self.counter = 0

    def _call(
        self, operation: str, action: str, data: dict[str, Any], post: bool, token: str | None
    ) -> tuple[str, Any]:
        url = f"{self.base}/api/3/action/{action}"
        headers = {"Authorization": token} if token else {}
        started = time.perf_counter()
        body: Any
        try:
            if post:
                response = self.http.post(url, json=data, timeout=30, headers=headers)
            else:
                response = self.http.get(url, params=data, timeout=30, headers=headers)
            body = response.json() if response.content else {}
        except (requests.RequestException, ValueError) as error:
            outcome, body = f"error:{type(error).__name__}", None
        else:
            if response.status_code == 200 and body.get("success"):
                outcome = "ok"
            elif response.status_code == 409 and "state" in (body.get("error") or {}):
                outcome = "conflict"
            else:
                outcome = f"error:{response.status_code}"
        self.results.append((operation, outcome, time.perf_counter() - started))
        return outcome, body

    def run(self) -> None:
        operations = {**READS, **WRITES}
        names, weights = list(operations), list(operations.values())
        while time.monotonic() < self.deadline:
            operation = self.rng.choices(names, weights)[0]
            getattr(self, "op_" + operation)()

    # reads
    def op_stats(self) -> None:
        self._call("stats", "dinamis_relay_stats", {"months": 12}, False, None)

    def op_dashboard(self) -> None:
        self._call("dashboard", "dinamis_relay_dashboard", {}, False, None)

    def op_dashboard_referent(self) -> None:
        token = self.setup.tokens[self.setup.referent]
        self._call("dashboard_referent", "dinamis_relay_dashboard", {}, False, token)

    def op_adhesion_list(self) -> None:
        data = {"offset": self.rng.choice((0, 20, 500))}
        self._call("adhesion_list", "dinamis_relay_adhesion_list", data, False, None)

    def op_account_list(self) -> None:
        data = {"page": self.rng.choice((1, 2, 50, 1000))}
        self._call("account_list", "dinamis_relay_account_list", data, False, None)

    def op_imagery_request_list(self) -> None:
        data = {"queue": self.rng.choice(("all", "triage"))}
        self._call("imagery_request_list", "dinamis_relay_imagery_request_list", data, False, None)

    # state changes
    def op_account_toggle(self) -> None:
        """Suspend or reactivate an account of the shared pool (guessing its state)."""
        account_id = self.rng.choice(self.setup.accounts)
        action = self.rng.choice(("suspend", "reactivate"))
        outcome, _ = self._call(
            "account_" + action,
            f"dinamis_relay_account_{action}",
            {"id": account_id, "reason": f"load test {self.name}"},
            True,
            None,
        )
        if outcome == "ok":
            self.toggles.append((account_id, action, time.time()))

    def op_adhesion_patch(self) -> None:
        if not self.setup.drafts:
            return
        self.counter += 1
        draft = self.rng.choice(self.setup.drafts)
        value = f"Valeur {self.index}-{self.counter}"
        outcome, _ = self._call(
            "adhesion_patch",
            "dinamis_relay_adhesion_patch",
            {"id": draft, self.field: value},
            True,
            None,
        )
        if outcome == "ok":
            self.patches.append((draft, self.field, value))

    def op_imagery_comment(self) -> None:
        if not self.setup.requests:
            return
        outcome, _ = self._call(
            "imagery_comment",
            "dinamis_relay_imagery_request_comment",
            {"id": self.rng.choice(self.setup.requests), "body": f"Réponse {self.name}"},
            True,
            None,
        )
        if outcome == "ok":
            self.comments += 1


def _verify(setup: Setup, clients: list[Client]) -> list[str]:
    """What the database says against what the clients were told."""
    sa = setup.sa
    problems: list[str] = []
    with setup.app._wsgi_app.test_request_context():
        session = setup.model.Session
        session.remove()
        events = session.execute(
            sa.text(
                "SELECT object_type, object_id, action, from_state, to_state, data"
                " FROM dinamis_relay_audit_event WHERE id > :mark ORDER BY id"
            ),
            {"mark": setup.audit_mark},
        ).all()
        # Accounts: unbroken chains, one event per successful call, final state = last event.
        succeeded = collections.Counter(
            (account_id, action) for c in clients for account_id, action, _ in c.toggles
        )
        recorded = collections.Counter(
            (e.object_id, e.action)
            for e in events
            if e.object_type == "account" and e.action in ("suspend", "reactivate")
        )
        if succeeded != recorded:
            problems.append(
                f"account events {sum(recorded.values())} != successful calls "
                f"{sum(succeeded.values())}: {(recorded - succeeded) + (succeeded - recorded)}"
            )
        chains: dict[str, list[Any]] = collections.defaultdict(list)
        for event in events:
            if event.object_type == "account":
                chains[event.object_id].append(event)
        states = dict(
            session.execute(
                sa.text("SELECT id, state FROM dinamis_relay_account WHERE id = ANY(:ids)"),
                {"ids": setup.accounts},
            ).all()
        )
        for account_id in setup.accounts:
            chain = chains.get(account_id, [])
            previous = "active"
            for event in chain:
                if event.from_state != previous:
                    problems.append(
                        f"account {account_id}: {event.action} from {event.from_state} "
                        f"after a change to {previous} (lost or duplicated change)"
                    )
                previous = event.to_state
            if states.get(account_id) != previous:
                problems.append(
                    f"account {account_id}: state {states.get(account_id)}, last event {previous}"
                )
        # Drafts: each field holds its client's last successful value.
        patches = [p for c in clients for p in c.patches]
        updates = sum(1 for e in events if e.object_type == "adhesion" and e.action == "update")
        if updates != len(patches):
            problems.append(
                f"adhesion update events {updates} != successful patches {len(patches)}"
            )
        last: dict[tuple[str, str], str] = {}
        for client in clients:
            for draft, field, value in client.patches:
                last[(draft, field)] = value
        for (draft, field), value in last.items():
            stored = session.execute(
                sa.text(f"SELECT {field} FROM dinamis_relay_adhesion WHERE id = :id"),
                {"id": draft},
            ).scalar_one()
            if stored != value:
                problems.append(
                    f"draft {draft}: {field} is {stored!r}, its last successful patch "
                    f"wrote {value!r} (lost update)"
                )
        comments = session.execute(
            sa.text("SELECT count(*) FROM dinamis_relay_imagery_comment WHERE id > :mark"),
            {"mark": setup.comment_mark},
        ).scalar_one()
        expected = sum(c.comments for c in clients)
        if comments != expected:
            problems.append(f"comments {comments} != successful calls {expected}")
        # The emails the state changes queued: no worker runs here.
        from ckan.lib import jobs

        for queue in jobs.get_all_queues():
            queue.empty()
        session.remove()
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-c", "--config", default="test.ini")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--pool", type=int, default=12, help="accounts the clients share")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    args = parser.parse_args()
    if args.workers < 2:
        parser.error("use 2 or more workers")
    config = str(pathlib.Path(args.config).resolve())
    setup = Setup(config, args.pool, args.clients, args.seed)
    port = args.port or _free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn = pathlib.Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "--workers", str(args.workers),
            "--bind", f"127.0.0.1:{port}",
            "--chdir", str(ROOT / "scripts"),
            "--timeout", "60",
            "--log-level", "warning",
            "wsgi:application",
        ],
        env={**os.environ, "CKAN_INI": config},
    )  # fmt: skip
    try:
        ready_by = time.monotonic() + 120
        while True:
            try:
                if requests.get(f"{base}/api/3/action/status_show", timeout=5).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > ready_by or server.poll() is not None:
                print("gunicorn did not start")
                return 1
            time.sleep(0.5)
        print(
            f"gunicorn: {args.workers} workers on {base}; {args.clients} clients for "
            f"{args.duration:.0f} s; {len(setup.accounts)} shared accounts, "
            f"{len(setup.drafts)} drafts, {len(setup.requests)} requests"
        )
        deadline = time.monotonic() + args.duration
        clients = [Client(i, base, setup, deadline, args.seed) for i in range(args.clients)]
        started = time.monotonic()
        for client in clients:
            client.start()
        for client in clients:
            client.join(timeout=args.duration + 60)
        elapsed = time.monotonic() - started
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()

    results = [r for c in clients for r in c.results]
    by_operation: dict[str, list[tuple[str, float]]] = collections.defaultdict(list)
    for operation, outcome, seconds in results:
        by_operation[operation].append((outcome, seconds))
    errors = [r for r in results if r[1].startswith("error")]
    conflicts = [r for r in results if r[1] == "conflict"]
    print(f"\n{'operation':<22} {'calls':>6} {'ok':>6} {'409':>5} {'errors':>6} "
          f"{'p50 ms':>8} {'p95 ms':>8}")  # fmt: skip
    for operation in sorted(by_operation):
        rows = by_operation[operation]
        times = sorted(seconds * 1000 for _, seconds in rows)
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(
            f"{operation:<22} {len(rows):>6} {sum(o == 'ok' for o, _ in rows):>6} "
            f"{sum(o == 'conflict' for o, _ in rows):>5} "
            f"{sum(o.startswith('error') for o, _ in rows):>6} "
            f"{statistics.median(times):8.1f} {p95:8.1f}"
        )
    print(
        f"\n{len(results)} requests in {elapsed:.1f} s: {len(results) / elapsed:.1f} req/s; "
        f"errors {len(errors)} ({100 * len(errors) / max(1, len(results)):.2f} %); "
        f"state conflicts (409) {len(conflicts)}"
    )
    for operation, outcome, _ in errors[:10]:
        print(f"  error: {operation} {outcome}")
    problems = _verify(setup, clients)
    changes = sum(len(c.toggles) + len(c.patches) + c.comments for c in clients)
    if problems:
        print(f"\nSTATE CHECK FAILED ({changes} successful state changes):")
        for problem in problems[:30]:
            print("  " + problem)
    else:
        print(
            f"\nState check: all {changes} successful state changes are in the database "
            "exactly once, and no refused one is."
        )
    return 1 if errors or problems else 0


if __name__ == "__main__":
    sys.exit(main())
