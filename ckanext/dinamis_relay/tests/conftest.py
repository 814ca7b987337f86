from __future__ import annotations

import pytest

from .compat import keep_cookies, work_off_queue


@pytest.fixture()
def clean_db(reset_db, migrate_db_for):
    """CKAN's clean_db, plus the plugin's own migrations."""
    reset_db()
    migrate_db_for("dinamis_relay")


@pytest.fixture()
def app(app):
    """CKAN's test app, keeping its cookies between requests on CKAN 2.11 as on 2.12."""
    keep_cookies(app)
    return app


@pytest.fixture()
def run_jobs(clean_queues, with_test_worker):
    """Call it to run, in this process, every background job queued so far."""
    return work_off_queue
