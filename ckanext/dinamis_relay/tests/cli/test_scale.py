"""The scale data generator writes consistent data the actions can read."""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from shapely.geometry import shape

from ckanext.dinamis_relay.cli import scale


def _count(sql: str) -> int:
    return int(model.Session.execute(sa.text(sql)).scalar_one())


def _indexes() -> dict[str, set[str]]:
    """The index definitions of the tables the generator loads in bulk."""
    rows = model.Session.execute(
        sa.text("SELECT tablename, indexdef FROM pg_indexes WHERE tablename = ANY(:t)"),
        {"t": list(scale.store.BULK_TABLES)},
    )
    result: dict[str, set[str]] = {}
    for table, definition in rows:
        result.setdefault(table, set()).add(definition)
    return result


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")
def test_small_generation():
    sizes = scale.Sizes(entities=12, accounts=60, downloads=500, requests=20, datasets=8)
    lines: list[str] = []
    indexes = _indexes()
    counts = scale.generate(sizes, seed=3, echo=lines.append)
    assert counts["account"] == 60
    # Imagery datasets with footprints, indexed: the coverage search reads them, and every
    # download is of one of their resources.
    assert counts["package"] == 8 and counts["resource"] >= 8
    # The indexes of the big tables, dropped for the load, are all back.
    assert _indexes() == indexes
    assert len(indexes["dinamis_relay_download_event"]) == 5
    # The tallies PostgreSQL keeps followed the COPY (migration 0011).
    assert _count(
        "SELECT accounts FROM dinamis_relay_account_tally WHERE organization_id = '*'"
        " AND state = 'active'"
    ) == _count("SELECT count(*) FROM dinamis_relay_account WHERE state = 'active'")
    assert _count(
        "SELECT n FROM dinamis_relay_month_total WHERE series = 'downloads'"
        " ORDER BY month DESC LIMIT 1"
    ) == _count(
        "SELECT count(*) FROM dinamis_relay_download_event"
        " WHERE created >= date_trunc('month', now() AT TIME ZONE 'utc')"
    )
    region = tk.get_action("dinamis_relay_coverage")(
        {"user": "scale-admin"}, {"bbox": "-1.8,42.8,2.6,47.2", "limit": 100}
    )
    assert region["count"] == 8 and region["skipped"] == 0
    assert {r["sensor_code"] for r in region["results"]} <= {"spot67", "pleiades", "pleiades_neo"}
    assert all(r["acquisition_date"] and r["cloud_cover"] is not None for r in region["results"])
    assert (
        _count(
            "SELECT count(*) FROM dinamis_relay_download_event d WHERE NOT EXISTS"
            " (SELECT 1 FROM resource r WHERE r.id = d.resource_id"
            " AND r.package_id = d.dataset_id)"
        )
        == 0
    )
    assert counts["download_event"] == 500
    assert counts["imagery_request"] == 20
    assert _count("SELECT count(*) FROM dinamis_relay_adhesion WHERE is_current") == 12
    # The monthly counts follow the COPY (triggers of migration 0005).
    assert _count("SELECT sum(downloads) FROM dinamis_relay_download_monthly") == 500
    # Active accounts are members of their organization; one live account per person.
    assert (
        _count(
            "SELECT count(*) FROM dinamis_relay_account a WHERE a.state = 'active' AND NOT EXISTS"
            " (SELECT 1 FROM member m WHERE m.table_id = a.user_id"
            " AND m.group_id = a.organization_id AND m.state = 'active')"
        )
        == 0
    )
    # The actions read it: a super-referent's dashboard and a list.
    context = {"user": "scale-superref-1"}
    dashboard = tk.get_action("dinamis_relay_dashboard")(dict(context), {"months": 24})
    assert dashboard["accounts"]["total"] == 60
    assert sum(dashboard["monthly"]["downloads"]) == 500
    # A super-referent lists the current adhesions of the relay-mode entities.
    relay = _count("SELECT count(*) FROM dinamis_relay_adhesion WHERE is_current AND mode='relay'")
    assert 0 < relay < 12
    assert tk.get_action("dinamis_relay_adhesion_list")(dict(context), {})["count"] == relay
    # Numbers continue the generated ones without collision.
    from ckanext.dinamis_relay.procedure import numbers

    issued = model.Session.execute(sa.text("SELECT number FROM dinamis_relay_adhesion")).scalars()
    assert numbers.next_number("adhesion") not in set(issued)
    model.Session.rollback()
    with pytest.raises(tk.ValidationError):
        scale.generate(sizes, seed=3, echo=lines.append)
    model.Session.rollback()
    again = scale.generate(sizes, seed=3, replace=True, echo=lines.append)
    # Same seed, same data; the relay and DINAMIS organizations are kept, not written again.
    assert again == {**counts, "group": counts["group"] - 2}


def test_footprints_are_scenes_of_their_sensor():
    spot = scale.datasets.scene(-0.6, 44.8, 60.0, 12.0)
    pleiades = scale.datasets.scene(-0.6, 44.8, 20.0, 12.0)
    from ckanext.dinamis_relay import geo

    assert geo.validate_area(pleiades)[1] == pytest.approx(400, rel=0.02)
    assert shape(spot).contains(shape(pleiades))


def test_entity_names_never_run_out():
    # National scale (issue 17): past the realistic names, numbered ones, each once.
    generator = scale.Generator(scale.Sizes(), seed=42, password="x", echo=lambda line: None)
    names = generator._entity_names()
    drawn = [next(names)[1] for _ in range(12000)]
    assert len(set(drawn)) == 12000
    assert any(name.endswith(" (2)") for name in drawn)
    assert not any(name.endswith(")") for name in drawn[:200])


def test_entity_names_from_a_tiny_pool(monkeypatch):
    # One name per list: every realistic name is used within a few draws, and the rest are
    # numbered ones, each once, instead of draws that miss forever.
    from ckanext.dinamis_relay.cli.scale import organizations

    for name in ("SAINTS", "PLACES", "TOWN_ROOTS", "RIVERS", "PAYS"):
        monkeypatch.setattr(organizations, name, ["Lot"])
    monkeypatch.setattr(organizations, "CITIES", dict.fromkeys(organizations.CITIES, "Agen"))
    monkeypatch.setattr(
        organizations, "NAMES_BY_TYPE", {key: [f"{key} A"] for key in organizations.NAMES_BY_TYPE}
    )
    generator = scale.Generator(scale.Sizes(), seed=5, password="x", echo=lambda line: None)
    names = generator._entity_names()
    drawn = [next(names)[1] for _ in range(500)]
    assert len(set(drawn)) == 500
    realistic = {name for name in drawn if not name.endswith(")")}
    assert "Commune de Agen" in realistic and len(realistic) < 30
    assert "Commune de Agen (2)" in drawn


def test_progress_lines_at_each_tenth():
    lines: list[str] = []
    generator = scale.Generator(scale.Sizes(), seed=1, password="x", echo=lines.append)
    for done in range(1, 5001):
        generator.progress("downloads", done, 5000)
    assert len(lines) == 10
    assert lines[0].split()[:4] == ["downloads", "[#---------]", "10", "%"]
    assert lines[-1].split()[:5] == ["downloads", "[##########]", "100", "%", "(5,000/5,000)"]
    # The time spent, and the time left on every line but the last.
    assert lines[0].endswith(" s left") and lines[-1].endswith(" s")
