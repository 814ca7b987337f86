"""The dashboard page, its CSV exports and the public statistics page."""

from __future__ import annotations

import csv
import io

import pytest
from ckan.tests import factories

from .. import dashboard_helpers as dh
from .. import factories as f


def _get(app, url, user=None, status=200, **params):
    headers = {}
    if user:
        token = factories.APIToken(user=user["name"])
        headers["Authorization"] = token["token"]
    response = app.get(
        url, headers=headers, query_string=params, status=status, follow_redirects=False
    )
    return response


def _csv(response) -> list[list[str]]:
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff"), "Excel needs the byte order mark"
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


@pytest.fixture()
def no_cache(ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.stats_cache_seconds", 0)


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestDashboardPage:
    def test_super_referent(self, app):
        world = dh.world()
        body = _get(app, "/dinamis/dashboard", world.super_referent).get_data(as_text=True)
        assert "Waiting for you" in body
        assert "Commune brouillon" in body  # adhesion without eligibility check
        assert "dinamis-chart-plot" in body and 'role="img"' in body
        assert world.relay_entity["title"] in body
        assert "/dinamis/dashboard/export/accounts.csv" in body

    def test_referent(self, app):
        world = dh.world()
        body = _get(app, "/dinamis/dashboard", world.referent).get_data(as_text=True)
        assert world.classic_entity["title"] in body
        assert world.other_classic_entity["title"] not in body

    @pytest.mark.parametrize("who", ["anonymous", "outsider", "requester"])
    def test_refused(self, app, who):
        world = dh.world()
        # A visitor is sent to the login page (and back); others are refused.
        status = 302 if who == "anonymous" else 403
        _get(app, "/dinamis/dashboard", world.roles()[who], status=status)

    def test_referent_of_another_entity(self, app):
        world = dh.world()
        _get(
            app,
            "/dinamis/dashboard",
            world.referent,
            status=403,
            organization_id=world.other_classic_entity["name"],
        )

    @pytest.mark.parametrize(
        "params", [{"months": "999"}, {"months": "abc"}, {"organization_id": "nope"}]
    )
    def test_nonsense_filters(self, app, params):
        sysadmin = factories.Sysadmin()
        body = _get(app, "/dinamis/dashboard", sysadmin, **params).get_data(as_text=True)
        assert "Some filters are not valid" in body

    def test_filtered(self, app):
        world = dh.world()
        body = _get(
            app,
            "/dinamis/dashboard",
            world.sysadmin,
            organization_id=world.classic_entity["name"],
            months="3",
            validated="1",
        ).get_data(as_text=True)
        assert "One entity." in body
        assert "Some filters are not valid" not in body


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestExports:
    @pytest.mark.parametrize("kind", ["entities", "accounts", "activity"])
    def test_export(self, app, kind):
        world = dh.world()
        response = _get(app, f"/dinamis/dashboard/export/{kind}.csv", world.super_referent)
        assert response.headers["Content-Type"].startswith("text/csv")
        assert "attachment" in response.headers["Content-Disposition"]
        rows = _csv(response)
        assert len(rows) > 1
        assert len({len(row) for row in rows}) == 1

    def test_accounts_content(self, app):
        world = dh.world()
        rows = _csv(_get(app, "/dinamis/dashboard/export/accounts.csv", world.referent))
        header, data = rows[0], rows[1:]
        # Headers as people read them (the English site here).
        assert header[:3] == ["Account id", "User name", "Full name"]
        organizations = {row[header.index("Organization (name)")] for row in data}
        assert organizations == {world.classic_entity["name"]}
        assert len(data) == 2

    @pytest.mark.parametrize("kind", ["entities", "accounts", "activity"])
    def test_empty_sets_give_the_header_only(self, app, kind):
        sysadmin = factories.Sysadmin()
        rows = _csv(_get(app, f"/dinamis/dashboard/export/{kind}.csv", sysadmin))
        assert len(rows) == 1 and rows[0]

    def test_formulas_are_neutralised(self, app):
        sysadmin = factories.Sysadmin()
        f.entity("relay", title='=HYPERLINK("http://evil")')
        rows = _csv(_get(app, "/dinamis/dashboard/export/entities.csv", sysadmin))
        titles = [row[2] for row in rows[1:]]
        assert titles == ['\'=HYPERLINK("http://evil")']

    def test_unknown_export(self, app):
        sysadmin = factories.Sysadmin()
        _get(app, "/dinamis/dashboard/export/passwords.csv", sysadmin, status=404)

    def test_bad_filter(self, app):
        sysadmin = factories.Sysadmin()
        _get(app, "/dinamis/dashboard/export/activity.csv", sysadmin, status=400, months="0")

    @pytest.mark.parametrize("who", ["anonymous", "outsider"])
    def test_refused(self, app, who):
        world = dh.world()
        status = 302 if who == "anonymous" else 403
        _get(app, "/dinamis/dashboard/export/accounts.csv", world.roles()[who], status=status)


@pytest.mark.usefixtures("with_plugins", "clean_db", "no_cache")
class TestStatsPage:
    def test_public(self, app):
        dh.world()
        body = _get(app, "/dinamis/stats").get_data(as_text=True)
        assert "Statistics of the DINAMIS relay service" in body
        assert "dinamis-chart-plot" in body and "<table" in body

    def test_no_data(self, app):
        body = _get(app, "/dinamis/stats", months="1").get_data(as_text=True)
        assert "No adherent entity yet." in body

    @pytest.mark.parametrize("months", ["0", "abc", "1000"])
    def test_nonsense_period(self, app, months):
        body = _get(app, "/dinamis/stats", months=months).get_data(as_text=True)
        assert "alert-danger" in body
