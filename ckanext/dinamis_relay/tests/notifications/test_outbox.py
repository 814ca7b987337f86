"""Nothing lost: emails and documents are outbox rows written with the transition, delivered
once after Redis comes back, retried while the mail server refuses, kept when they die.

Against real servers: a Redis of the test's own is stopped and started again, and emails go
over SMTP to a local aiosmtpd sink (not CKAN's mail_server mock).
"""

from __future__ import annotations

import collections
import contextlib
import gc
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from ckanext.dinamis_relay.model import Document, OutboxMessage
from ckanext.dinamis_relay.notifications import outbox

from .. import factories as f

# The sink --------------------------------------------------------------------------------


class Sink:
    """An SMTP server that answers 451 (try again later) to the first `refuse` recipients,
    then accepts and keeps every message."""

    def __init__(self, refuse: int = 0, code: str = "451 4.3.0 Try again later") -> None:
        self.refuse = refuse
        self.code = code
        self.refused = 0
        self.messages: list[dict[str, Any]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            self.refuse -= 1
            self.refused += 1
            return self.code
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(f.read_email(envelope.content, list(envelope.rcpt_tos)))
        return "250 Message accepted"

    def pairs(self) -> collections.Counter:
        return collections.Counter(
            (address, message["subject"]) for message in self.messages for address in message["to"]
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture()
def sink(ckan_config, monkeypatch) -> Iterator[Sink]:
    handler = Sink()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{port}")
    monkeypatch.setitem(ckan_config, "smtp.starttls", False)
    # Retries at once, so a burst worker sees them.
    monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.outbox.retry_seconds", 0)
    try:
        yield handler
    finally:
        controller.stop()


# A Redis of the test's own, stopped and started -------------------------------------------


class OwnRedis:
    """A redis-server on a free loopback port, for a test that stops it: the stack's Redis
    serves the other pytest workers and the CKAN core comparison at the same time."""

    def __init__(self, folder: str) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", self.folder]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        for _ in range(200):
            if self.cli("PING").stdout.strip() == "PONG":
                return
            time.sleep(0.05)
        raise AssertionError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["redis-cli", "-h", "127.0.0.1", "-p", str(self.port), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )


@pytest.fixture()
def own_redis(with_plugins, clean_queues, ckan_config, monkeypatch, tmp_path) -> Iterator[OwnRedis]:
    """CKAN's jobs and the outbox on a Redis of the test's own (after the plugins are loaded
    and the stack's queues emptied): CKAN's connection pool and queues start afresh on it."""
    import ckan.lib.jobs as jobs
    import ckan.lib.redis as ckan_redis

    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = OwnRedis(str(tmp_path))
    server.start()
    monkeypatch.setitem(ckan_config, "ckan.redis.url", server.url)
    monkeypatch.setenv("CKAN_REDIS_URL", server.url)  # a reload of the plugins keeps it
    monkeypatch.setattr(ckan_redis, "_connection_pool", None)
    monkeypatch.setattr(jobs, "_queues", {})
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def redis_stopped(server: OwnRedis) -> Iterator[None]:
    """Shut the Redis down, then start it again on the same port (empty)."""
    server.stop()
    try:
        yield
    finally:
        server.start()


class Frozen:
    """Set when the watchdog had to let Redis go on."""

    thawed_by_watchdog = False


@contextlib.contextmanager
def redis_frozen(server: OwnRedis, watchdog: float = 60) -> Iterator[Frozen]:
    """Stop the Redis process (SIGSTOP) and let it go on afterwards (SIGCONT): the kernel
    still accepts connections, but no reply comes, as with a Redis that hangs or a network
    that drops packets. A watchdog lets it go on after `watchdog` seconds, so code that would
    wait for ever fails the test instead of hanging it (a guard, not a measure)."""
    assert server.process is not None
    pid = server.process.pid
    state = Frozen()
    resumed = threading.Lock()

    def resume(by_watchdog: bool) -> None:
        with resumed:
            if by_watchdog:
                state.thawed_by_watchdog = True
            os.kill(pid, signal.SIGCONT)

    timer = threading.Timer(watchdog, resume, args=(True,))
    os.kill(pid, signal.SIGSTOP)
    timer.start()
    try:
        yield state
    finally:
        timer.cancel()
        resume(False)


def _rows() -> list[OutboxMessage]:
    model.Session.expire_all()
    return list(model.Session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.created)))


def _documents(adhesion_id: str) -> collections.Counter:
    model.Session.expire_all()
    return collections.Counter(
        (doc.kind, doc.lang)
        for doc in model.Session.scalars(
            sa.select(Document).where(Document.adhesion_id == adhesion_id)
        )
    )


# Tests -------------------------------------------------------------------------------------


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_queues")
class TestNothingLost:
    def test_rows_are_written_with_the_transition_and_gone_with_its_rollback(self):
        adhesion = f.adhesion("draft")
        model.Session.rollback()
        before = len(_rows())
        outbox.enqueue(model.Session, "adhesion.reminder", {"adhesion_id": adhesion["id"]})
        model.Session.rollback()
        assert len(_rows()) == before
        f.call("submit", adhesion["referent_dict"], id=adhesion["id"])
        assert {"adhesion.legal_request", "adhesion.submission_notice"} <= {
            row.kind for row in _rows()
        }

    def test_redis_down_transitions_succeed_and_the_sweep_delivers_each_once(
        self, sink, run_jobs, own_redis
    ):
        f.staff()
        with redis_stopped(own_redis):
            # Submit, legal acceptance, decision: every transition commits without Redis.
            adhesion = f.adhesion("accepted", mode="relay")
        assert adhesion["state"] == "accepted"
        run_jobs()
        assert sink.messages == [] and _documents(adhesion["id"]) == {}
        pending = [row for row in _rows() if row.state == "pending"]
        assert {row.kind for row in pending} >= {
            "adhesion.legal_request",
            "adhesion.submission_notice",
            "adhesion.submitted",
            "adhesion.acceptance",
            "documents.due",
        }

        assert outbox.sweep(grace_seconds=0)["queued"] == len(pending)
        run_jobs()
        # A second sweep (cron) and a duplicate job change nothing.
        assert outbox.sweep(grace_seconds=0)["queued"] == 0
        outbox._queue_job(outbox.DEFAULT_QUEUE, [row.id for row in pending], "duplicate")
        run_jobs()

        assert {row.state for row in _rows()} == {"done"}
        pairs = sink.pairs()
        assert pairs, "no email delivered"
        assert max(pairs.values()) == 1, pairs
        legal = [p for p in pairs if "your validation is requested" in p[1]]
        assert [p[0] for p in legal] == ["maire@pessac.fr"]
        # Each document of a relay acceptance exactly once.
        assert _documents(adhesion["id"]) == {
            ("avenant", "fr"): 1,
            ("acte_adhesion", "fr"): 1,
            ("convention", "fr"): 1,
        }
        # The legal link, a credential, is not kept once sent.
        assert all("link" not in row.payload for row in _rows())

    def test_a_redis_that_does_not_answer_never_holds_a_transition(
        self, sink, run_jobs, own_redis, ckan_config, monkeypatch
    ):
        """The jobs are handed over with a connect and read timeout: a stopped Redis process
        (connections accepted, never answered) costs the request that timeout once, the rows
        stay pending, and the sweep delivers them once Redis answers again."""
        monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.outbox.redis_timeout", 0.2)
        adhesion = f.adhesion("draft")
        # Without the outbox's own timeout the request waits for ever (older redis-py) or 5 s
        # per queue handed over (redis-py 8's default): 10 s here.
        with redis_frozen(own_redis, watchdog=7) as frozen:
            submitted = f.call("submit", adhesion["referent_dict"], id=adhesion["id"])
        assert not frozen.thawed_by_watchdog, "the transition waited on a Redis that is stopped"
        assert submitted["state"] == "pending_legal_validation"
        # Not queued (the hand-over timed out): pending for the sweep, and nothing sent.
        pending = [row for row in _rows() if row.state == "pending"]
        assert "adhesion.legal_request" in {row.kind for row in pending}
        run_jobs()
        assert sink.messages == []
        assert outbox.sweep(grace_seconds=0)["queued"] == len(pending)
        run_jobs()
        legal = [m["to"] for m in sink.messages if "your validation is requested" in m["subject"]]
        assert legal == [["maire@pessac.fr"]]

    def test_a_refusing_mail_server_is_retried_until_delivered(self, sink, run_jobs):
        adhesion = f.adhesion("draft")
        sink.refuse = 2
        f.call("submit", adhesion["referent_dict"], id=adhesion["id"])
        run_jobs()
        assert sink.refused == 2
        # The legal representative's link and the referent's copy of the texts, once each
        # (no staff is told of this submission here).
        assert sorted((to, count) for (to, _subject), count in sink.pairs().items()) == sorted(
            [("maire@pessac.fr", 1), (adhesion["referent_dict"]["email"], 1)]
        )
        (row,) = [r for r in _rows() if r.kind == "adhesion.legal_request"]
        assert (row.state, row.attempts, row.delivered) == ("done", 3, ["maire@pessac.fr"])

    def test_what_keeps_failing_is_kept_dead_and_the_state_change_stands(
        self, sink, run_jobs, ckan_config, monkeypatch
    ):
        monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.outbox.max_attempts", 2)
        adhesion = f.adhesion("draft")
        sink.refuse = 1000
        shown = f.call("submit", adhesion["referent_dict"], id=adhesion["id"])
        run_jobs()
        assert shown["state"] == "pending_legal_validation"
        (row,) = [r for r in _rows() if r.kind == "adhesion.legal_request"]
        assert (row.state, row.attempts) == ("dead", 2)
        assert "451" in (row.last_error or "")
        status = outbox.status()
        assert status["counts"]["dead"] == len([r for r in _rows() if r.state == "dead"])
        assert row.id in {dead["id"] for dead in status["dead"]}
        assert sink.messages == []

    def test_no_mail_server_at_all_never_fails_a_transition(self, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{_free_port()}")
        adhesion = f.adhesion("draft")
        shown = f.call("submit", adhesion["referent_dict"], id=adhesion["id"])
        assert shown["state"] == "pending_legal_validation"
        # Run the job here: the connection error is a temporary failure, kept for later.
        (row,) = [r for r in _rows() if r.kind == "adhesion.legal_request"]
        outbox.deliver([row.id])
        (row,) = [r for r in _rows() if r.kind == "adhesion.legal_request"]
        assert (row.state, row.attempts, row.delivered) == ("pending", 1, [])
        assert row.last_error


def _job_rows(job_id: str | None) -> list[str]:
    """The kinds of the rows a queued job will run, in its order."""
    from rq.job import Job

    assert job_id, "the row was never given a job"
    ids = Job.fetch(job_id, connection=outbox.redis_connection()).args[0]
    kinds = {row.id: row.kind for row in _rows()}
    return [kinds[row_id] for row_id in ids]


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_queues")
class TestQueues:
    def test_the_legal_link_alone_on_the_priority_queue_the_rest_on_the_default_one(self):
        f.staff()
        adhesion = f.adhesion("pending_legal_validation", mode="relay")
        rows = [row for row in _rows() if row.payload.get("adhesion_id") == adhesion["id"]]
        assert {row.kind: row.queue for row in rows} == {
            "adhesion.legal_request": outbox.queue_name(outbox.PRIORITY),
            "adhesion.submission_notice": outbox.DEFAULT_QUEUE,
            "adhesion.submission_texts": outbox.DEFAULT_QUEUE,
        }

    def test_an_acceptance_email_on_the_default_queue_its_documents_after_it(self):
        f.staff()
        adhesion = f.adhesion("accepted", mode="relay")
        (acceptance,) = [row for row in _rows() if row.kind == "adhesion.acceptance"]
        assert acceptance.queue == outbox.DEFAULT_QUEUE
        assert _job_rows(acceptance.job_id) == ["adhesion.acceptance"]
        assert acceptance.payload == {"adhesion_id": adhesion["id"], "action": "accept"}
        due = [row for row in _rows() if row.kind == "documents.due"]
        assert {row.queue for row in due} == {outbox.queue_name(outbox.DOCUMENTS)}
        assert outbox.served_queues() == [
            "dinamis_relay_priority",
            "default",
            "dinamis_relay_documents",
        ]

    def test_a_refusal_without_documents_stays_on_the_priority_queue(self):
        adhesion = f.adhesion("rejected")
        (decision,) = [row for row in _rows() if row.kind == "adhesion.decision"]
        assert decision.queue == outbox.queue_name(outbox.PRIORITY)
        assert decision.payload == {"adhesion_id": adhesion["id"], "action": "reject"}
        assert not [row for row in _rows() if row.kind == "adhesion.acceptance"]


def _submission_without_redis(server: OwnRedis) -> str:
    """A relay-mode submission made while Redis was down, its rows never handed over and
    older than the sweep's grace period. Returns the organization's title."""
    f.staff()
    with redis_stopped(server):
        adhesion = f.adhesion("pending_legal_validation", mode="relay")
    model.Session.execute(
        sa.update(OutboxMessage).values(
            created=OutboxMessage.created - sa.text("interval '1 hour'")
        )
    )
    model.Session.commit()
    return adhesion["organization_dict"]["title"]


def _submission_subjects(title: str) -> list[str]:
    """The emails of a relay-mode submission, legal link first: the notice goes to the
    instructor and the super-referent, the texts to the referent."""
    return [
        f"DINAMIS adhesion of {title}: your validation is requested",
        f"DINAMIS adhesion of {title} submitted",
        f"DINAMIS adhesion of {title} submitted",
        f"DINAMIS adhesion of {title}: the texts submitted for acceptance",
    ]


def _subjects(sink: Sink) -> list[str]:
    return [message["subject"] for message in sink.messages]


@pytest.fixture()
def unfreeze() -> Iterator[None]:
    """The plugin's worker freezes the heap it starts with; give the test process's back."""
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_queues", "unfreeze")
class TestWorker:
    def test_it_starts_with_the_renderer_ready_and_its_heap_frozen(self, own_redis):
        from ckanext.dinamis_relay.documents import pdf
        from ckanext.dinamis_relay.notifications.worker import InProcessOutboxWorker

        gc.unfreeze()
        InProcessOutboxWorker(outbox.served_queues()).work(burst=True)
        assert pdf._warm
        assert gc.get_freeze_count() > 0

    def test_its_jobs_keep_the_database_connections(self, sink, own_redis):
        """CKAN's worker disposes of the engine after each job (for the fork that ends
        then): in the plugin's in-process worker every job would open a new connection."""
        from ckanext.dinamis_relay.notifications.worker import InProcessOutboxWorker

        _submission_without_redis(own_redis)
        for queue in outbox.served_queues():
            ids = [row.id for row in _rows() if row.queue == queue]
            if ids:
                assert outbox._queue_job(queue, ids, f"pool-{queue}")
        pool = model.meta.engine.pool
        InProcessOutboxWorker(outbox.served_queues()).work(burst=True)
        assert {row.state for row in _rows()} == {"done"}
        assert model.meta.engine.pool is pool

    def test_the_priority_queue_is_served_before_the_default_one(self, sink, own_redis):
        """Default rows queued first, priority rows after: the plugin's worker (in burst
        mode, in this process) still delivers the priority ones first."""
        from ckanext.dinamis_relay.notifications.worker import InProcessOutboxWorker

        title = _submission_without_redis(own_redis)
        rows = _rows()
        for queue in (outbox.DEFAULT_QUEUE, outbox.queue_name(outbox.PRIORITY)):
            ids = [row.id for row in rows if row.queue == queue]
            assert outbox._queue_job(queue, ids, f"order-{queue}")
        InProcessOutboxWorker(outbox.served_queues()).work(burst=True)
        subjects = _subjects(sink)
        expected = _submission_subjects(title)
        assert subjects[0] == expected[0]
        assert sorted(subjects) == sorted(expected)
        assert {row.state for row in _rows()} == {"done"}

    def test_its_maintenance_sweeps_what_was_never_handed_over(self, sink, own_redis):
        """Rows written while Redis was down are delivered by the worker's own sweep (its
        first maintenance, at start; then every `outbox.sweep_seconds`), without cron."""
        from ckanext.dinamis_relay.notifications.worker import InProcessOutboxWorker

        title = _submission_without_redis(own_redis)
        assert {row.state for row in _rows()} == {"pending"}
        worker = InProcessOutboxWorker(outbox.served_queues())
        assert worker.maintenance_interval == 60
        worker.work(burst=True)
        assert {row.state for row in _rows()} == {"done"}
        assert sorted(_subjects(sink)) == sorted(_submission_subjects(title))


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestOutboxCommands:
    def test_status_and_sweep_are_for_sysadmins(self):
        user = f.staff().super_referent
        for name in ("dinamis_relay_outbox_status", "dinamis_relay_outbox_sweep"):
            with pytest.raises(tk.NotAuthorized):
                tk.get_action(name)({"user": user["name"], "ignore_auth": False}, {})

    def test_cli_status(self, cli):
        from ckanext.dinamis_relay.cli import dinamis_relay

        adhesion = f.adhesion("draft")
        f.call("submit", adhesion["referent_dict"], id=adhesion["id"])
        result = cli.invoke(dinamis_relay, ["outbox", "status"])
        assert result.exit_code == 0, result.output
        # The legal link, the staff notice and the referent's copy of the texts.
        assert " pending 3" in result.output
        assert "oldest pending: adhesion.legal_request" in result.output
