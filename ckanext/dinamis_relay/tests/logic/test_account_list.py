"""Account lists: filters, paging, who sees what, and a query count independent of page size."""

from __future__ import annotations

import contextlib

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan.tests import factories

from ckanext.dinamis_relay.model import Account

from .. import account_helpers as h


def make_accounts(org, n, state="requested", **fields):
    """n accounts written through the model, each with its own user: the lists' filters,
    paging and query counts are under test, not the request action (tested in
    test_account_lifecycle.py), which would cost a request and its emails per account (50 in
    the paging tests)."""
    ids = []
    for i in range(n):
        user = factories.User(fullname=f"Agent {i:03d}")
        account = Account(
            user_id=user["id"],
            organization_id=org["id"],
            state=state,
            job_title="Technicien",
            intended_use="Usage",
            **fields,
        )
        model.Session.add(account)
        model.Session.flush()
        ids.append(account.id)
    model.Session.commit()
    return ids


@contextlib.contextmanager
def count_queries():
    """Count the SQL statements sent to PostgreSQL inside the block."""
    counter = {"n": 0}

    def listener(*_args, **_kwargs):
        counter["n"] += 1

    engine = model.meta.engine
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        yield counter
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestListFiltersAndScope:
    def test_filters_and_paging(self):
        staff = h.super_referent()
        org = h.entity("relay")
        other = h.entity("relay")
        make_accounts(org, 7)
        make_accounts(other, 2, state="active")

        page1 = h.call("dinamis_relay_account_list", staff, organization_id=org["name"], limit=5)
        page2 = h.call(
            "dinamis_relay_account_list", staff, organization_id=org["id"], limit=5, offset=5
        )
        assert (page1["count"], len(page1["results"]), len(page2["results"])) == (7, 5, 2)
        assert not {a["id"] for a in page1["results"]} & {a["id"] for a in page2["results"]}

        assert h.call("dinamis_relay_account_list", staff, state="active")["count"] == 2
        found = h.call("dinamis_relay_account_list", staff, q="Agent 003")
        assert [a["user_fullname"] for a in found["results"]] == ["Agent 003"]
        assert h.call("dinamis_relay_account_list", staff)["count"] == 9

    def test_bad_filters(self):
        staff = h.super_referent()
        for bad in ({"state": "bogus"}, {"limit": 1001}, {"limit": 0}, {"offset": -1}):
            with pytest.raises(tk.ValidationError):
                h.call("dinamis_relay_account_list", staff, **bad)

    def test_super_referent_sees_relay_partners_only(self):
        staff = h.super_referent()
        relay_org = h.entity("relay")
        classic_org = h.entity("classic")
        make_accounts(relay_org, 2)
        make_accounts(classic_org, 3)
        assert h.call("dinamis_relay_account_list", staff)["count"] == 2
        with pytest.raises(tk.NotAuthorized):
            h.call("dinamis_relay_account_list", staff, organization_id=classic_org["id"])

    def test_referent_and_queue(self):
        referent = factories.User()
        org = h.entity("classic", referent=referent)
        elsewhere = h.entity("classic")
        make_accounts(org, 2)
        make_accounts(org, 1, state="active")
        make_accounts(elsewhere, 4)
        assert h.call("dinamis_relay_account_list", referent)["count"] == 3
        queue = h.call("dinamis_relay_account_list", referent, state="requested", manageable=True)
        assert queue["count"] == 2
        # Instructors read everything but validate nothing.
        inspector = h.instructor()
        assert h.call("dinamis_relay_account_list", inspector)["count"] == 7
        assert h.call("dinamis_relay_account_list", inspector, manageable=True)["count"] == 0

    def test_relay_referent_reads_but_does_not_validate(self):
        referent = factories.User()
        org = h.entity("relay", referent=referent)
        make_accounts(org, 2)
        assert h.call("dinamis_relay_account_list", referent)["count"] == 2
        assert h.call("dinamis_relay_account_list", referent, manageable=True)["count"] == 0

    def test_plain_user_sees_own_accounts_only(self, account_factory):
        org = h.entity("classic")
        make_accounts(org, 3)
        person = factories.User()
        mine = account_factory(user=person, organization_id=org["id"])
        result = h.call("dinamis_relay_account_list", person)
        assert [a["id"] for a in result["results"]] == [mine["id"]]
        assert h.call("dinamis_relay_account_list", person, mine=True)["count"] == 1
        with pytest.raises(tk.NotAuthorized):
            h.call("dinamis_relay_account_list", person, organization_id=org["id"])
        with pytest.raises(tk.NotAuthorized):
            h.call("dinamis_relay_account_list", None)

    def test_mismatch_filter(self):
        staff = h.super_referent()
        org = h.entity("relay")
        make_accounts(org, 2, email_domain_mismatch=True)
        make_accounts(org, 1)
        result = h.call("dinamis_relay_account_list", staff, email_domain_mismatch=True)
        assert result["count"] == 2


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestQueryCount:
    def _counts(self, run):
        """Queries for a 5-row page and for a 50-row page of the same list."""
        run(5)  # warm caches (roles, plugin lookups) so both runs start alike
        with count_queries() as small:
            run(5)
        with count_queries() as large:
            run(50)
        return small["n"], large["n"]

    def test_account_list_action(self):
        staff = h.super_referent()
        org = h.entity("relay")
        make_accounts(org, 50)

        def run(limit):
            result = h.call("dinamis_relay_account_list", staff, limit=limit)
            assert len(result["results"]) == limit

        small, large = self._counts(run)
        assert small == large
        # The caller's roles (user, staff organizations, referent of, admin of), the count,
        # the page's ids, the page's rows, and CKAN's own lookups.
        assert large <= 9

    def test_queue_and_list_pages(self, app, monkeypatch):
        from ckanext.dinamis_relay.views import account as views

        staff = h.super_referent()
        org = h.entity("relay")
        make_accounts(org, 50)
        token = factories.APIToken(user=staff["name"])["token"]

        for path in ("/dinamis/account/queue", "/dinamis/account/list"):

            def run(limit, path=path):
                monkeypatch.setattr(views, "PAGE_SIZE", limit)
                response = app.get(path, headers={"Authorization": token})
                assert response.status_code == 200
                assert response.body.count("Agent 0") == limit

            small, large = self._counts(run)
            assert small == large, path
