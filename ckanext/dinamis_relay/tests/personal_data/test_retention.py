"""Retention periods, applied by `ckan dinamis-relay personal-data purge-expired` (cron),
with the clock moved forward."""

from __future__ import annotations

import datetime

import ckan.plugins.toolkit as tk
import pytest
from ckan.cli.cli import ckan
from freezegun import freeze_time

from ckanext.dinamis_relay.model import (
    Account,
    AuditEvent,
    DownloadEvent,
    ImageryRequestComment,
    ThreadArchive,
)

from .. import personal_data_helpers as h

ZERO = {
    "downloads": 0,
    "closed_accounts": 0,
    "refused_accounts": 0,
    "thread_messages": 0,
    "deleted_users": 0,
}


def _later(days: int) -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) + (
        datetime.timedelta(days=days)
    )


def _purge(population):
    return h.call("personal_data_purge_expired", population.staff.sysadmin)


@pytest.fixture()
def world():
    """The person downloaded twice, closed their account and cancelled a request with a
    thread; someone else's account request was refused."""
    population = h.populate(downloads=2)
    h.call("account_close", population.person, id=population.account["id"])
    h.call(
        "imagery_request_transition",
        population.person,
        id=population.answered["id"],
        transition="cancel",
    )
    refused_person = h.person(fullname="Refusée")
    refused = h.f.account("refused", organization=population.organization, person=refused_person)
    return population, refused


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestPurgeExpired:
    def test_nothing_happens_before_the_periods(self, world):
        population, _refused = world
        before = h.snapshot()
        with freeze_time(_later(300)):
            assert _purge(population) == ZERO
        assert h.snapshot() == before

    def test_each_period_then_nothing_more(self, world):
        population, refused = world
        person_id = population.person["id"]

        with freeze_time(_later(366)):
            result = _purge(population)
        assert result == {**ZERO, "downloads": 2, "refused_accounts": 1}
        assert {d.user_id for d in h.rows(DownloadEvent)} == {None}
        [row] = h.rows(Account, Account.id == refused["id"])
        assert row.user_id.startswith("pseudonym:") and row.refusal_reason is None
        assert h.rows(Account, Account.user_id == person_id)  # closed, not yet due

        with freeze_time(_later(731)):
            result = _purge(population)
        assert result == {**ZERO, "thread_messages": 2}
        assert (
            h.rows(
                ImageryRequestComment,
                ImageryRequestComment.request_id == population.answered["id"],
            )
            == []
        )
        [archive] = h.rows(ThreadArchive)
        assert (archive.request_id, archive.messages) == (population.answered["id"], 2)
        # The lonely thread's request is not finished: its messages stay.
        assert h.rows(
            ImageryRequestComment, ImageryRequestComment.request_id == population.lonely["id"]
        )

        with freeze_time(_later(1096)):
            result = _purge(population)
            assert result == {**ZERO, "closed_accounts": 1}
            before = h.snapshot()
            assert _purge(population) == ZERO  # idempotent
            assert h.snapshot() == before
        [account] = h.rows(Account, Account.id == population.account["id"])
        assert account.user_id.startswith("pseudonym:") and account.job_title is None
        history = h.rows(
            AuditEvent,
            AuditEvent.object_type == "account",
            AuditEvent.object_id == population.account["id"],
        )
        # The person's own acts on the account carry the pseudonym; the validator's stay.
        assert {e.action: e.actor_label is not None for e in history} == {
            "request": True,
            "validate": False,
            "close": True,
        }

    @pytest.mark.ckan_config("ckanext.dinamis_relay.retention.download_user_days", "0")
    def test_a_period_of_zero_turns_its_rule_off(self, world):
        population, _refused = world
        with freeze_time(_later(5000)):
            result = _purge(population)
        assert result["downloads"] == 0
        assert {d.user_id for d in h.rows(DownloadEvent)} == {population.person["id"]}

    def test_only_sysadmins(self, world):
        population, _refused = world
        before = h.snapshot()
        for role, user in population.roles().items():
            if role == "sysadmin":
                continue
            with pytest.raises(tk.NotAuthorized):
                h.call("personal_data_purge_expired", user)
        assert h.snapshot() == before

    def test_cli_for_cron(self, world, cli):
        with freeze_time(_later(366)):
            result = cli.invoke(ckan, ["dinamis-relay", "personal-data", "purge-expired"])
        assert result.exit_code == 0, result.output
        assert "2 downloads" in result.output
        assert "1 refused_accounts" in result.output
