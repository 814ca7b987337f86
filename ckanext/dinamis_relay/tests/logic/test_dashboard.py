"""The dashboard action: who may see it, what it counts, its fixed query count, its exports
and its answers to nonsense filters."""

from __future__ import annotations

import datetime
import random

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan.tests import factories

from ckanext.dinamis_relay.model import DownloadEvent
from ckanext.dinamis_relay.model.dashboard import download_monthly_table

from .. import dashboard_helpers as dh
from .. import factories as f

ACTIONS = {
    "dinamis_relay_dashboard": {},
    "dinamis_relay_dashboard_export": {"kind": "accounts"},
}
# What an allowed caller gets: the parts of each answer (their content is tested below).
ANSWER_KEYS = {
    "dinamis_relay_dashboard": {"scope", "work", "entities", "accounts", "monthly"},
    "dinamis_relay_dashboard_export": {"columns", "rows", "next"},
}
# role → may call the dashboard (and its exports) without naming an entity
ALLOWED = {
    "anonymous": False,
    "outsider": False,
    "requester": False,
    "referent": True,
    "super_referent": True,
    "instructor": True,
    "sysadmin": True,
}


@pytest.fixture()
def world():
    return dh.world()


@pytest.mark.usefixtures("with_plugins", "clean_db", "with_request_context")
class TestAuth:
    @pytest.mark.parametrize("action", sorted(ACTIONS))
    @pytest.mark.parametrize("role", sorted(ALLOWED))
    def test_matrix(self, world, role, action):
        user = world.roles()[role]
        if ALLOWED[role]:
            assert ANSWER_KEYS[action] <= set(dh.call(action, user, **ACTIONS[action]))
        else:
            with pytest.raises(tk.NotAuthorized):
                dh.call(action, user, **ACTIONS[action])

    @pytest.mark.parametrize("action", sorted(ACTIONS))
    def test_referent_only_for_their_entities(self, world, action):
        own = dh.call(
            action, world.referent, organization_id=world.classic_entity["name"], **ACTIONS[action]
        )
        assert ANSWER_KEYS[action] <= set(own)
        for other in (world.other_classic_entity, world.relay_entity):
            with pytest.raises(tk.NotAuthorized):
                dh.call(action, world.referent, organization_id=other["id"], **ACTIONS[action])


@pytest.mark.usefixtures("with_plugins", "clean_db", "with_request_context")
class TestAggregates:
    def test_global_counts(self, world):
        data = dh.call("dinamis_relay_dashboard", world.super_referent)
        assert data["scope"] == "all"
        entities = data["entities"]
        assert entities["by_state"]["accepted"] == 3
        assert entities["by_state"]["draft"] == 1
        assert entities["by_state"]["pending_instruction"] == 1
        assert entities["by_mode"] == {"classic": 2, "relay": 3}
        # The relay and DINAMIS organizations are not entities.
        assert entities["without_application"] == 0
        assert data["accounts"]["by_state"]["active"] == 3
        assert data["accounts"]["by_state"]["requested"] == 2
        assert data["accounts"]["total"] == 6
        top = data["accounts"]["by_entity"][0]
        assert top["organization_id"] == world.relay_entity["id"]
        assert top["total"] == 3 and top["by_state"]["suspended"] == 1
        assert data["imagery_requests"]["by_state"]["forwarded"] == 1
        monthly = data["monthly"]
        assert len(monthly["months"]) == 12
        assert monthly["months"][-1] == datetime.date.today().strftime("%Y-%m")
        assert monthly["downloads"][-1] == 5
        assert sum(monthly["downloads"]) == 5
        assert monthly["imagery_requests"][-1] == 3  # drafts are not submitted
        assert monthly["accounts_validated"][-1] == 4
        assert data["recent_activity"]

    def test_work_of_a_super_referent(self, world):
        work = dh.call("dinamis_relay_dashboard", world.super_referent)["work"]
        assert set(work) == {"adhesions_to_check", "accounts_to_validate", "requests_to_triage"}
        assert work["adhesions_to_check"]["count"] == 1
        assert work["adhesions_to_check"]["items"][0]["label"] == "Commune brouillon"
        # Relay-mode entities only: the classic entity's request is its referent's work.
        assert work["accounts_to_validate"]["count"] == 1
        assert work["requests_to_triage"]["count"] == 1

    def test_work_of_an_instructor(self, world):
        work = dh.call("dinamis_relay_dashboard", world.instructor)["work"]
        assert set(work) == {"adhesions_to_decide", "requests_at_dinamis"}
        assert work["adhesions_to_decide"]["count"] == 1
        assert work["requests_at_dinamis"]["count"] == 1

    def test_referent_sees_only_their_entities(self, world):
        data = dh.call("dinamis_relay_dashboard", world.referent)
        assert data["scope"] == "entities"
        assert [o["id"] for o in data["organizations"]] == [world.classic_entity["id"]]
        assert data["accounts"]["total"] == 2
        assert sum(data["entities"]["by_state"].values()) == 1
        assert data["monthly"]["downloads"][-1] == 2
        assert data["work"]["accounts_to_validate"]["count"] == 1
        assert data["work"]["requests_to_triage"]["count"] == 1
        assert {e["organization_id"] for e in data["recent_activity"]} == {
            world.classic_entity["id"]
        }

    def test_filters(self, world):
        one = dh.call(
            "dinamis_relay_dashboard",
            world.sysadmin,
            organization_id=world.relay_entity["name"],
            months="3",
        )
        assert one["filters"] == {
            "organization_id": world.relay_entity["id"],
            "months": 3,
            "validated": False,
        }
        assert one["accounts"]["total"] == 3
        assert len(one["monthly"]["months"]) == 3
        validated = dh.call("dinamis_relay_dashboard", world.sysadmin, validated="true")
        assert sum(validated["entities"]["by_state"].values()) == 3
        assert validated["entities"]["by_state"]["draft"] == 0

    def test_empty_site(self):
        sysadmin = factories.Sysadmin()
        data = dh.call("dinamis_relay_dashboard", sysadmin, months=36)
        assert data["accounts"]["total"] == 0
        assert data["entities"]["total"] == 0
        assert data["monthly"]["downloads"] == [0] * 36
        assert data["recent_activity"] == []
        assert all(block["count"] == 0 for block in data["work"].values())


@pytest.mark.usefixtures("with_plugins", "clean_db", "with_request_context")
class TestBadFilters:
    @pytest.mark.parametrize(
        "filters, field",
        [
            ({"months": 0}, "months"),
            ({"months": 37}, "months"),
            ({"months": "douze"}, "months"),
            ({"months": "-3"}, "months"),
            ({"validated": "maybe"}, "validated"),
            ({"organization_id": "no-such-entity"}, "organization_id"),
            ({"organization_id": ["a", "b"]}, "organization_id"),
        ],
    )
    def test_dashboard(self, filters, field):
        sysadmin = factories.Sysadmin()
        with pytest.raises(tk.ValidationError) as error:
            dh.call("dinamis_relay_dashboard", sysadmin, **filters)
        assert field in error.value.error_dict

    @pytest.mark.parametrize(
        "filters, field",
        [
            ({"kind": "passwords"}, "kind"),
            ({}, "kind"),
            ({"kind": "accounts", "limit": 0}, "limit"),
            ({"kind": "accounts", "limit": 100000}, "limit"),
            ({"kind": "activity", "after": "zzz"}, "after"),
            ({"kind": "activity", "months": 40}, "months"),
        ],
    )
    def test_export(self, filters, field):
        sysadmin = factories.Sysadmin()
        with pytest.raises(tk.ValidationError) as error:
            dh.call("dinamis_relay_dashboard_export", sysadmin, **filters)
        assert field in error.value.error_dict


@pytest.mark.usefixtures("with_plugins", "clean_db", "with_request_context")
class TestScale:
    def _site(self, entities: int) -> dict:
        super_referent = dh.staff_member(tk.config["ckanext.dinamis_relay.relay_organization"])
        for index in range(entities):
            org, _ = f.entity("relay", "accepted" if index % 3 else "draft")
            if index % 3:
                user, _ = dh.account(org, "active")
                dh.account(org, "requested")
                dh.imagery_request(user, org, "submitted")
                dh.downloads(user, org, 2)
        return super_referent

    def _queries(self, user: dict, action: str, **data) -> int:
        model.Session.remove()
        with dh.count_queries() as statements:
            dh.call(action, user, **data)
        return len(statements)

    def test_constant_number_of_queries(self):
        user = self._site(2)
        small = {
            "dashboard": self._queries(user, "dinamis_relay_dashboard"),
            "export": self._queries(user, "dinamis_relay_dashboard_export", kind="entities"),
        }
        self._site(18)
        large = {
            "dashboard": self._queries(user, "dinamis_relay_dashboard"),
            "export": self._queries(user, "dinamis_relay_dashboard_export", kind="entities"),
        }
        assert small == large
        assert large["dashboard"] <= 16

    def test_export_pages_cover_every_row_once(self):
        user = self._site(7)
        seen: list[str] = []
        after = None
        while True:
            data = {"kind": "accounts", "limit": 3}
            if after:
                data["after"] = after
            page = dh.call("dinamis_relay_dashboard_export", user, **data)
            seen += [row[0] for row in page["rows"]]
            after = page["next"]
            if not after:
                break
        assert len(seen) == len(set(seen)) == 8


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestMonthlyDownloads:
    """PostgreSQL keeps the monthly counts exact on insert, delete and truncate."""

    def _counts(self) -> dict:
        model.Session.expire_all()
        rows = model.Session.execute(sa.select(download_monthly_table)).all()
        return {(r.month.strftime("%Y-%m"), r.organization_id): r.downloads for r in rows}

    def test_triggers(self):
        user = factories.User()
        org = factories.Organization()
        dh.downloads(user, org, 3)
        dh.downloads(user, None, 1, created=datetime.datetime(2025, 1, 15))
        this_month = datetime.date.today().strftime("%Y-%m")
        assert self._counts() == {(this_month, org["id"]): 3, ("2025-01", ""): 1}
        model.Session.execute(
            sa.delete(DownloadEvent).where(DownloadEvent.organization_id == org["id"])
        )
        model.Session.commit()
        assert self._counts()[(this_month, org["id"])] == 0
        model.Session.execute(sa.text("TRUNCATE dinamis_relay_download_event"))
        model.Session.commit()
        assert self._counts() == {}


def _tallies() -> dict:
    """The account and imagery tallies and the month totals as PostgreSQL keeps them (rows
    at zero left out: a count that went back to zero keeps its row)."""
    model.Session.expire_all()
    queries = {
        "accounts": "SELECT organization_id, state, accounts FROM dinamis_relay_account_tally",
        "requests": "SELECT organization_id, state, reviewer, requests "
        "FROM dinamis_relay_imagery_tally",
        "months": "SELECT series, month, n FROM dinamis_relay_month_total",
    }
    return {
        name: {tuple(row[:-1]): row[-1] for row in model.Session.execute(sa.text(sql)) if row[-1]}
        for name, sql in queries.items()
    }


def _recounted() -> dict:
    """The same counts from the rows themselves, rollups included."""

    def rows(sql: str) -> list:
        return list(model.Session.execute(sa.text(sql)))

    accounts: dict = {}
    for org, state, n in rows(
        "SELECT organization_id, state, count(*) FROM dinamis_relay_account GROUP BY 1, 2"
    ):
        for key in ((org, state), ("*", state), (org, "*")):
            accounts[key] = accounts.get(key, 0) + n
    requests: dict = {}
    for org, state, reviewer, n in rows(
        "SELECT organization_id, state, reviewer, count(*) FROM dinamis_relay_imagery_request "
        "GROUP BY 1, 2, 3"
    ):
        for where in (org, "*"):
            requests[where, state, reviewer] = requests.get((where, state, reviewer), 0) + n
    months = {
        (series, month): n
        for series, month, n in rows(
            "SELECT 'accounts_validated', date_trunc('month', validated_at)::date, count(*) "
            "FROM dinamis_relay_account WHERE validated_at IS NOT NULL GROUP BY 2 "
            "UNION ALL SELECT 'imagery_requests', date_trunc('month', submitted_at)::date, "
            "count(*) FROM dinamis_relay_imagery_request WHERE submitted_at IS NOT NULL "
            "GROUP BY 2 UNION ALL SELECT 'downloads', date_trunc('month', created)::date, "
            "count(*) FROM dinamis_relay_download_event GROUP BY 2"
        )
    }
    return {"accounts": accounts, "requests": requests, "months": months}


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestTallies:
    """PostgreSQL keeps the tallies and the month totals equal to a count of the rows, on
    insert, update, delete and truncate (migration 0011)."""

    def test_a_random_sequence_of_writes(self):
        rng = random.Random(11)
        user = factories.User()
        orgs = [factories.Organization() for _ in range(3)]
        states = ["requested", "active", "suspended", "closed"]
        last_month = datetime.datetime.now() - datetime.timedelta(days=35)
        for _ in range(6):
            dh.account(rng.choice(orgs), rng.choice(states))
            dh.imagery_request(user, rng.choice(orgs), rng.choice(["draft", "submitted"]))
        dh.downloads(user, orgs[0], 3)
        dh.downloads(user, None, 2, created=last_month)
        assert _tallies() == _recounted()
        statements = [
            # A state change, a move to another entity, a validation a month ago, a change
            # of no counted column, a deletion, several rows in one statement.
            "UPDATE dinamis_relay_account SET state = :state WHERE id = "
            "(SELECT id FROM dinamis_relay_account ORDER BY id LIMIT 1 OFFSET :n)",
            "UPDATE dinamis_relay_account SET organization_id = :org WHERE id = "
            "(SELECT id FROM dinamis_relay_account ORDER BY id LIMIT 1 OFFSET :n)",
            "UPDATE dinamis_relay_account SET validated_at = :when WHERE id = "
            "(SELECT id FROM dinamis_relay_account ORDER BY id LIMIT 1 OFFSET :n)",
            "UPDATE dinamis_relay_account SET job_title = 'Cartographe'",
            "UPDATE dinamis_relay_imagery_request SET state = 'in_review', reviewer = 'referent' "
            "WHERE id = (SELECT id FROM dinamis_relay_imagery_request ORDER BY id LIMIT 1 "
            "OFFSET :n)",
            "UPDATE dinamis_relay_imagery_request SET submitted_at = :when WHERE state = 'draft'",
            "DELETE FROM dinamis_relay_account WHERE id = "
            "(SELECT id FROM dinamis_relay_account ORDER BY id LIMIT 1 OFFSET :n)",
            "DELETE FROM dinamis_relay_download_event WHERE organization_id IS NULL",
        ]
        for _ in range(25):
            statement = rng.choice(statements)
            model.Session.execute(
                sa.text(statement),
                {
                    "state": rng.choice(states),
                    "org": rng.choice(orgs)["id"],
                    "when": last_month,
                    "n": rng.randrange(3),
                },
            )
            model.Session.commit()
            assert _tallies() == _recounted(), statement
        model.Session.execute(
            sa.text("TRUNCATE dinamis_relay_account, dinamis_relay_download_event CASCADE")
        )
        model.Session.commit()
        assert _tallies() == _recounted()
        assert not _tallies()["accounts"]

    def test_emptying_the_tally_first_leaves_it_empty(self):
        # The test database is emptied table by table in any order: the deletion of the
        # counted rows must not write negative counts into an already emptied tally.
        user, _account = dh.account(factories.Organization(), "active")
        dh.downloads(user, None, 1)
        model.Session.execute(
            sa.text(
                "DELETE FROM dinamis_relay_account_tally; DELETE FROM dinamis_relay_month_total;"
                " DELETE FROM dinamis_relay_account; DELETE FROM dinamis_relay_download_event"
            )
        )
        model.Session.commit()
        assert _tallies() == {"accounts": {}, "requests": {}, "months": {}}
