"""The stack is real: PostgreSQL with the plugin's migrations, Solr search, Redis jobs."""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan.tests import factories

from ckanext.dinamis_relay import model as dr_model

from .compat import work_off_queue


def _record_job_ran(marker: str) -> None:
    """Runs inside the RQ worker: leaves a trace in the database."""
    model.Session.execute(
        sa.insert(dr_model.NumberSequence.__table__).values(kind=marker, year=1, last_value=1)
    )
    model.Session.commit()


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_dataset_is_found_through_solr():
    org = factories.Organization(name="commune-de-pessac")
    factories.Dataset(
        owner_org=org["id"], title="Orthophotographie Pléiades 2025", notes="Image Pléiades"
    )
    factories.Dataset(owner_org=org["id"], title="Cadastre")

    result = tk.get_action("package_search")({}, {"q": "Pléiades"})

    assert result["count"] == 1
    assert result["results"][0]["organization"]["name"] == "commune-de-pessac"
    # The search engine is Solr itself, not a stand-in.
    assert tk.config["solr_url"].startswith("http://127.0.0.1")


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_queues", "with_test_worker")
def test_background_job_runs_through_redis():
    job = tk.enqueue_job(_record_job_ran, ["job-ran"])
    assert job.connection.ping()

    work_off_queue()

    found = model.Session.execute(
        sa.select(dr_model.NumberSequence.kind).where(dr_model.NumberSequence.kind == "job-ran")
    ).scalar()
    assert found == "job-ran"


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_plugin_tables_exist_after_migration():
    inspector = sa.inspect(model.Session.get_bind())
    tables = set(inspector.get_table_names())
    assert {
        "dinamis_relay_adhesion",
        "dinamis_relay_audit_event",
        "dinamis_relay_number_sequence",
    } <= tables
