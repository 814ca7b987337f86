from __future__ import annotations

import pytest


@pytest.fixture()
def clean_db(reset_db, migrate_db_for):
    """CKAN's clean_db, plus the plugin's own migrations."""
    reset_db()
    migrate_db_for("dinamis_relay")
