"""The plugin's job worker: CKAN's, with the outbox swept on start and then about every
`outbox.sweep_seconds` (idle or not), so rows that were never handed to Redis (it was down,
or did not answer within `outbox.redis_timeout`) are delivered without waiting for cron."""

from __future__ import annotations

import gc
import inspect
import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import rq
from ckan.lib import jobs

from . import outbox

log = logging.getLogger(__name__)

SWEEP_SECONDS_OPTION = "ckanext.dinamis_relay.outbox.sweep_seconds"


def sweep_seconds() -> int:
    return max(5, tk.asint(tk.config.get(SWEEP_SECONDS_OPTION) or 60))


def sweep_quietly() -> dict[str, int] | None:
    """The sweep, or None when Redis cannot be reached (the rows wait for the next one)."""
    try:
        return outbox.sweep()
    except Exception as error:
        log.warning("Outbox sweep skipped: %s", error)
        return None
    finally:
        # The worker's session must not keep the sweep's transaction open between jobs.
        model.Session.remove()


def prepare_renderer() -> None:
    """Load WeasyPrint's fonts and stylesheet once, then freeze what the process holds.

    Frozen objects are left out of the garbage collector's full passes: without it, one
    render in six paid a full pass over CKAN's whole heap (about 90 ms on a 90 ms render,
    p95 192 ms instead of 115 ms, scripts/bench_documents.py); a forking worker's children
    also stop touching (and so copying) the pages of the inherited heap. Does nothing once
    the heap is frozen: a forking worker calls it again before every job (before_fork).
    """
    if gc.get_freeze_count():
        return
    try:
        from ..documents import pdf

        pdf.warm_up()
    except Exception:  # a document job reports the same error, with its context
        log.exception("Could not prepare the PDF renderer")
    gc.collect()
    gc.freeze()


# RQ 2 names it `worker_ttl` (and deprecates the old name); RQ 1 (CKAN 2.11) only knows
# `default_worker_ttl`.
_ARGUMENTS = inspect.signature(rq.Worker.__init__).parameters
_TTL_ARGUMENT = "worker_ttl" if "worker_ttl" in _ARGUMENTS else "default_worker_ttl"


class OutboxWorker(jobs.Worker):
    """Serves the queues it is given and sweeps the outbox with RQ's maintenance tasks."""

    def __init__(self, queues: Any = None, *args: Any, **kwargs: Any) -> None:
        interval = sweep_seconds()
        # RQ runs its maintenance between jobs and when a wait for a job times out; the wait
        # lasts the worker's TTL less 15 s (RQ 2; RQ 1 is given the same TTL): both about
        # one sweep interval, so an idle worker still sweeps.
        kwargs.setdefault(_TTL_ARGUMENT, interval + 15)
        super().__init__(queues, *args, **kwargs)
        self.maintenance_interval = interval

    def work(self, *args: Any, **kwargs: Any) -> bool:
        prepare_renderer()
        return bool(super().work(*args, **kwargs))

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()
        result = sweep_quietly()
        if result and result["queued"]:
            log.info("Outbox sweep: %d rows queued", result["queued"])


class InProcessOutboxWorker(OutboxWorker):
    """Runs each job in the worker process, as rq's SimpleWorker (and CKAN's
    with_test_worker fixture) do; CKAN's perform_job still closes the session after each."""

    def execute_job(self, job: Any, queue: Any) -> Any:
        return rq.SimpleWorker.execute_job(self, job, queue)

    def perform_job(self, job: Any, queue: Any) -> bool:
        # CKAN's perform_job also disposes of the engine, for the fork that ends after the
        # job: here the process lives on, and disposing made every job open a new
        # PostgreSQL connection (a new backend, its caches cold). The session is still
        # closed, so no job sees another's objects or transaction.
        result = super(jobs.Worker, self).perform_job(job, queue)
        try:
            model.Session.remove()
        except Exception:
            log.exception("Error while closing the database session")
        return bool(result)
