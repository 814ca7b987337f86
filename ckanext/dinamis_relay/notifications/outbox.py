"""The transactional outbox: background work that is never lost.

A transition writes one row per piece of work it calls for (`enqueue`) in its own
transaction, so the work exists exactly when the transition does. After the commit the rows
are handed to the job queue (`dispatch`, run by a session event, so a caller only has to
commit); a job runs them (`deliver`) and marks them done. When Redis is down the rows stay
pending and the sweep (`sweep`: on `ckan dinamis-relay worker` start and from cron with
`ckan dinamis-relay outbox sweep`) queues them again. A temporary failure (SMTP 4xx, no
connection) is retried with exponential backoff; after `max_attempts` the row is kept as
dead, for `ckan dinamis-relay outbox status` to show.

A row is run under a row lock and only while pending, so a row queued twice (by dispatch
and by a sweep) is still run once.
"""

from __future__ import annotations

import datetime
import importlib
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from sqlalchemy import orm

from ..model.base import utcnow
from ..model.outbox import DEAD, DONE, PENDING, STATES, OutboxMessage

log = logging.getLogger(__name__)

SESSION_KEY = "dinamis_relay_outbox"
DEFAULT_QUEUE = "default"
REDIS_TIMEOUT_OPTION = "ckanext.dinamis_relay.outbox.redis_timeout"


class TemporaryFailure(Exception):
    """The work could not be done now but may succeed later (SMTP 4xx, no connection)."""


# The queues, in the order a worker serves them: what a person waits for; notices and the
# emails that carry documents; documents no email waits for. An email that attaches a
# document issues it itself (notifications/attachments.py), so rendering the rest never
# holds an email back.
PRIORITY, DEFAULT, DOCUMENTS = "priority", "default", "documents"
QUEUE_OPTIONS = {
    PRIORITY: ("ckanext.dinamis_relay.jobs.priority_queue", "dinamis_relay_priority"),
    DOCUMENTS: ("ckanext.dinamis_relay.jobs.documents_queue", "dinamis_relay_documents"),
}

# What each kind of row runs ("module:function", called with the payload as keywords) and on
# which of those queues.
KINDS: dict[str, tuple[str, str]] = {
    "adhesion.legal_request": ("adhesion:send_legal_request", PRIORITY),
    "adhesion.decision": ("adhesion:send_decision", PRIORITY),
    # An acceptance's email carries its documents: rendering them on the priority queue
    # would hold the legal links back.
    "adhesion.acceptance": ("adhesion:send_decision", DEFAULT),
    "adhesion.submission_notice": ("adhesion:send_submission_notice", DEFAULT),
    "adhesion.submitted": ("adhesion:send_submitted", DEFAULT),
    "adhesion.submission_texts": (
        "ckanext.dinamis_relay.notifications.attachments:send_submission_texts",
        DEFAULT,
    ),
    "adhesion.reminder": ("adhesion:send_reminder", DEFAULT),
    "account.person": ("account:send_to_person", PRIORITY),
    "account.request_received": ("account:send_request_received", DEFAULT),
    "imagery.transition": ("imagery:send_transition", DEFAULT),
    "imagery.comment": ("imagery:send_comment", DEFAULT),
    "digest.staff": ("digest:send_digest", DEFAULT),
    "documents.due": ("ckanext.dinamis_relay.documents.jobs:generate_due_documents", DOCUMENTS),
}


def queue_name(role: str) -> str:
    """The job queue's name for PRIORITY, DEFAULT or DOCUMENTS (CKAN's default queue)."""
    if role == DEFAULT:
        return DEFAULT_QUEUE
    option, default = QUEUE_OPTIONS[role]
    return tk.config.get(option) or default


def served_queues() -> list[str]:
    """The queues a worker serves, the first before the next."""
    return [queue_name(role) for role in (PRIORITY, DEFAULT, DOCUMENTS)]


def queue_for(kind: str) -> str:
    return queue_name(KINDS[kind][1])


def _handler(kind: str) -> Callable[..., Any]:
    target, _queue = KINDS[kind]
    module_name, function_name = target.split(":")
    if "." not in module_name:
        module_name = f"{__package__}.{module_name}"
    return getattr(importlib.import_module(module_name), function_name)


def _max_attempts() -> int:
    return tk.asint(tk.config.get("ckanext.dinamis_relay.outbox.max_attempts") or 8)


def _backoff(attempts: int) -> datetime.timedelta:
    """Delay before attempt `attempts + 1`: base * 2^(attempts - 1), at most one hour."""
    configured = tk.config.get("ckanext.dinamis_relay.outbox.retry_seconds")
    base = float(30 if configured is None else configured)
    return datetime.timedelta(seconds=min(3600.0, base * 2 ** max(0, attempts - 1)))


# Writing, inside the transaction --------------------------------------------------------


def enqueue(session: Any, kind: str, payload: dict[str, Any]) -> OutboxMessage:
    """Write the row for `kind` in `session`'s transaction; it is queued after the commit.

    `payload` holds the handler's keyword arguments (JSON: ids, not objects).
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown outbox kind {kind!r}")
    now = utcnow()
    message = OutboxMessage(
        id=str(uuid.uuid4()),
        kind=kind,
        payload=dict(payload),
        queue=queue_for(kind),
        state=PENDING,
        attempts=0,
        delivered=[],
        created=now,
        next_attempt_at=now,
    )
    pending = _pending(session)
    # One job per queue per transaction: the rows of one transition share it.
    message.job_id = pending["jobs"].setdefault(message.queue, _job_id(message.queue, now))
    session.add(message)
    pending["rows"].append((message.id, message.queue))
    return message


def _pending(session: Any) -> dict[str, Any]:
    # A scoped_session proxies `info` to the session of this thread.
    return session.info.setdefault(SESSION_KEY, {"jobs": {}, "rows": []})


def _job_id(queue: str, when: datetime.datetime) -> str:
    return f"dinamis_relay_outbox_{queue}_{when:%Y%m%d%H%M%S%f}_{uuid.uuid4().hex[:8]}"


# Handing over, after the commit ---------------------------------------------------------


def dispatch(session: Any) -> int:
    """Queue the rows this session committed: one job per queue. Never raises.

    Run by the `after_commit` event; calling it again does nothing. Rows that could not be
    queued stay pending for the sweep.
    """
    pending = session.info.pop(SESSION_KEY, None)
    if not pending or not pending["rows"]:
        return 0
    batches: dict[str, list[str]] = {}
    for message_id, queue in pending["rows"]:
        batches.setdefault(queue, []).append(message_id)
    queued = 0
    # In the order workers serve them: a worker takes what a person waits for first.
    order = served_queues()
    for queue in sorted(
        batches, key=lambda name: order.index(name) if name in order else len(order)
    ):
        if not _queue_job(queue, batches[queue], pending["jobs"][queue]):
            # Redis did not take one job: the next would wait as long. The sweep queues all.
            break
        queued += len(batches[queue])
    return queued


# Redis, with a timeout ------------------------------------------------------------------

_pools: dict[tuple[str, float], Any] = {}


def redis_timeout() -> float:
    """Seconds the outbox waits for Redis (to connect, then for each reply)."""
    value = tk.config.get(REDIS_TIMEOUT_OPTION)
    return float(value) if value not in (None, "") else 2.0


def redis_connection() -> Any:
    """A connection to CKAN's Redis (`ckan.redis.url`) that gives up after `redis_timeout()`
    seconds and does not retry. CKAN's own connection has no timeout with older redis-py (a
    Redis that accepts connections but does not answer holds the request for ever) and 5 s
    per call with redis-py 8; handing jobs over happens inside the request that made the transition,
    so it must fail fast and leave the rows to the sweep."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    url = tk.config.get("ckan.redis.url") or "redis://localhost:6379/0"
    timeout = redis_timeout()
    pool = _pools.get((url, timeout))
    if pool is None:
        pool = _pools[(url, timeout)] = redis.ConnectionPool.from_url(
            url,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
            retry_on_timeout=False,
        )
    return redis.Redis(connection_pool=pool)


def _queue(name: str) -> Any:
    """CKAN's job queue `name` (same Redis keys as `ckan.lib.jobs.get_queue`), reached through
    `redis_connection()`."""
    import rq
    from ckan.lib import jobs

    return rq.Queue(jobs.add_queue_name_prefix(name), connection=redis_connection())


def _queue_job(queue: str, ids: list[str], job_id: str, delay: float = 0) -> bool:
    try:
        # What tk.enqueue_job does (CKAN's job timeout, a title), through the connection
        # with a timeout.
        kwargs: dict[str, Any] = {
            "job_id": job_id,
            "result_ttl": 600,
            "failure_ttl": 86400,
            "meta": {"title": f"DINAMIS outbox ({len(ids)})"},
        }
        timeout = tk.config.get("ckan.jobs.timeout")
        if delay > 0:
            _queue(queue).enqueue_in(
                datetime.timedelta(seconds=delay), deliver, ids, job_timeout=timeout, **kwargs
            )
        else:
            _queue(queue).enqueue_call(deliver, args=[ids], timeout=timeout, **kwargs)
        return True
    except Exception as error:
        # The transition is committed and the rows are safe: the sweep queues them later.
        log.warning("Outbox: could not queue %d rows on %s (%s)", len(ids), queue, error)
        return False


def _after_commit(session: orm.Session) -> None:
    if session.info.get(SESSION_KEY):
        dispatch(session)


def _after_rollback(session: orm.Session) -> None:
    # The rows went with the transaction.
    session.info.pop(SESSION_KEY, None)


def listen(session_factory: Any = None) -> None:
    """Dispatch after every commit of CKAN's session (idempotent)."""
    target = session_factory or model.Session
    for name, function in (("after_commit", _after_commit), ("after_rollback", _after_rollback)):
        if not sa.event.contains(target, name, function):
            sa.event.listen(target, name, function)


# Running, in the worker ------------------------------------------------------------------


def deliver(ids: Iterable[str]) -> dict[str, int]:
    """Job: run each pending row once, mark it done, or schedule its retry."""
    counts = {"done": 0, "retry": 0, "dead": 0, "skipped": 0}
    retries: list[tuple[str, str, str, float]] = []
    from . import mailing

    with mailing.smtp_session():
        for message_id in ids:
            outcome, retry = _run_one(message_id)
            counts[outcome] += 1
            if retry is not None:
                retries.append(retry)
    for queue, message_id, job_id, delay in retries:
        # Needs a worker with RQ's scheduler (`ckan jobs worker` has one); otherwise, or if
        # Redis is gone, the sweep queues the row once it is due.
        _queue_job(queue, [message_id], job_id, delay=delay)
    return counts


def _run_one(message_id: str) -> tuple[str, tuple[str, str, str, float] | None]:
    session = model.Session
    message = session.execute(
        sa.select(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.state == PENDING)
        .with_for_update(skip_locked=True)
    ).scalar_one_or_none()
    if message is None:
        # Done already, dead, or being run by another worker right now.
        session.rollback()
        return "skipped", None
    from . import mailing

    message.attempts += 1
    retry = None
    try:
        with mailing.delivering(message.delivered) as delivered:
            _handler(message.kind)(**message.payload)
    except TemporaryFailure as error:
        message.delivered = list(delivered)
        message.last_error = str(error)[:2000]
        if message.attempts >= _max_attempts():
            message.state = DEAD
            outcome = "dead"
        else:
            delay = _backoff(message.attempts)
            message.next_attempt_at = utcnow() + delay
            message.job_id = _job_id(message.queue, utcnow())
            retry = (message.queue, message.id, message.job_id, delay.total_seconds())
            outcome = "retry"
        log.warning(
            "Outbox %s %s attempt %d: %s", message.kind, message.id, message.attempts, error
        )
    except Exception as error:
        # A bug or missing data: retrying will not help. Keep the row visible.
        session.rollback()
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        message.attempts += 1
        message.state = DEAD
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        outcome = "dead"
        log.exception("Outbox %s %s failed", message.kind, message.id)
    else:
        message.delivered = list(delivered)
        message.state = DONE
        message.done_at = utcnow()
        message.last_error = None
        # A legal link is a credential: it is not kept once sent.
        message.payload = {k: v for k, v in message.payload.items() if k != "link"}
        outcome = "done"
    session.commit()
    return outcome, retry


# Sweeping and status ----------------------------------------------------------------------


def _job_alive(job_id: str | None) -> bool:
    if not job_id:
        return False
    from rq.job import Job

    try:
        job = Job.fetch(job_id, connection=redis_connection())
    except Exception:
        return False
    return job.get_status(refresh=False) in ("queued", "started", "scheduled", "deferred")


def sweep(grace_seconds: float = 30, limit: int = 10000) -> dict[str, int]:
    """Queue again what is due and has no live job: rows never queued (Redis was down),
    rows whose retry was never scheduled, rows of a worker that died. Raises if Redis is
    down or does not answer within `redis_timeout()`, so cron reports it."""
    redis_connection().ping()
    now = utcnow()
    session = model.Session
    rows = session.execute(
        sa.select(OutboxMessage.id, OutboxMessage.queue, OutboxMessage.job_id)
        .where(
            OutboxMessage.state == PENDING,
            OutboxMessage.next_attempt_at <= now,
            OutboxMessage.created <= now - datetime.timedelta(seconds=grace_seconds),
        )
        .order_by(OutboxMessage.next_attempt_at)
        .limit(limit)
    ).all()
    by_queue: dict[str, list[str]] = {}
    for row in rows:
        if not _job_alive(row.job_id):
            by_queue.setdefault(row.queue, []).append(row.id)
    queued = 0
    # Batches of 50 rows: one job, one SMTP connection.
    for queue, ids in by_queue.items():
        for start in range(0, len(ids), 50):
            chunk = ids[start : start + 50]
            job_id = _job_id(queue, utcnow())
            session.execute(
                sa.update(OutboxMessage)
                .where(OutboxMessage.id.in_(chunk), OutboxMessage.state == PENDING)
                .values(job_id=job_id)
            )
            session.commit()
            if _queue_job(queue, chunk, job_id):
                queued += len(chunk)
    purged = _purge_done(session)
    return {"queued": queued, "purged": purged}


def _purge_done(session: Any) -> int:
    days = tk.asint(tk.config.get("ckanext.dinamis_relay.outbox.keep_days") or 30)
    result = session.execute(
        sa.delete(OutboxMessage).where(
            OutboxMessage.state == DONE,
            OutboxMessage.created < utcnow() - datetime.timedelta(days=days),
        )
    )
    session.commit()
    return int(result.rowcount or 0)


def status() -> dict[str, Any]:
    """Counts by state, the oldest pending row and the last dead ones."""
    session = model.Session
    counts = dict.fromkeys(STATES, 0)
    for state, count in session.execute(
        sa.select(OutboxMessage.state, sa.func.count()).group_by(OutboxMessage.state)
    ).all():
        counts[state] = count
    oldest = session.execute(
        sa.select(OutboxMessage)
        .where(OutboxMessage.state == PENDING)
        .order_by(OutboxMessage.created)
        .limit(1)
    ).scalar_one_or_none()
    dead = session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.state == DEAD)
        .order_by(OutboxMessage.created.desc())
        .limit(10)
    ).all()
    return {
        "counts": counts,
        "oldest_pending": oldest.dictize() if oldest else None,
        "dead": [row.dictize() for row in dead],
    }


def wait_until_done(timeout: float = 60) -> bool:
    """For scripts: wait until nothing is pending (True) or `timeout` seconds pass."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        pending = model.Session.scalar(
            sa.select(sa.func.count()).where(OutboxMessage.state == PENDING)
        )
        model.Session.rollback()
        if not pending:
            return True
        time.sleep(0.2)
    return False
