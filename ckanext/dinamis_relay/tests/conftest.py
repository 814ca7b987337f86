from __future__ import annotations

import pytest


@pytest.fixture()
def clean_db(reset_db, migrate_db_for):
    """CKAN's clean_db, plus the plugin's own migrations."""
    reset_db()
    migrate_db_for("dinamis_relay")


@pytest.fixture()
def run_jobs(clean_queues, with_test_worker):
    """Call it to run, in this process, every background job queued so far."""
    import ckan.lib.jobs as jobs

    def run() -> None:
        jobs.Worker().work(burst=True)

    return run
