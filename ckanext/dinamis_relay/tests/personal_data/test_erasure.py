"""Erasure and pseudonymisation: on demand, on user_delete, after a purge; what stays."""

from __future__ import annotations

import re

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.cli.cli import ckan
from ckan.tests import factories

from ckanext.dinamis_relay.model import (
    Account,
    AuditEvent,
    DownloadEvent,
    ImageryRequest,
    ImageryRequestComment,
    Pseudonym,
)

from .. import personal_data_helpers as h


def _token(user):
    return {"Authorization": factories.APIToken(user=user["name"])["token"]}


def _erase(population, **extra):
    return h.call(
        "personal_data_erase", population.staff.sysadmin, user=population.person["name"], **extra
    )


@pytest.fixture()
def no_stats_cache(ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.stats_cache_seconds", 0)


def _assert_erased(population, label_prefix="Deleted user no. "):
    person_id = population.person["id"]
    for mapped, column in (
        (Account, Account.user_id),
        (ImageryRequest, ImageryRequest.user_id),
        (ImageryRequestComment, ImageryRequestComment.user_id),
        (DownloadEvent, DownloadEvent.user_id),
        (AuditEvent, AuditEvent.user_id),
    ):
        assert h.rows(mapped, column == person_id) == [], mapped
    [account] = h.rows(Account, Account.id == population.account["id"])
    assert account.state == "closed"
    assert account.user_id.startswith("pseudonym:")
    assert (account.job_title, account.department, account.phone, account.intended_use) == (
        None,
        None,
        None,
        None,
    )
    number = int(account.user_id.split(":")[1])
    labelled = h.rows(AuditEvent, AuditEvent.actor_label == f"{label_prefix}{number}")
    # Their request of the account, their requests' creation and submission, at least.
    assert {e.action for e in labelled} >= {"request", "create", "submit"}
    assert all(e.user_id is None and e.data["pseudonym"] == number for e in labelled)
    return number


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestErase:
    def test_only_sysadmins_and_refusal_changes_nothing(self):
        population = h.populate(downloads=1)
        before = h.snapshot()
        for role, user in population.roles().items():
            if role == "sysadmin":
                continue
            with pytest.raises(tk.NotAuthorized):
                h.call("personal_data_erase", user, user=population.person["id"])
        assert h.snapshot() == before

    def test_what_erasure_does(self):
        population = h.populate(downloads=3)
        result = _erase(population)

        number = _assert_erased(population)
        assert result["pseudonym"] == number
        assert result["label"] == f"Deleted user no. {number}"
        # Downloads keep counting, without the person.
        downloads = h.rows(DownloadEvent, DownloadEvent.resource_id == population.resource["id"])
        assert len(downloads) == 3
        assert {d.user_id for d in downloads} == {None}
        assert {d.organization_id for d in downloads} == {population.organization["id"]}
        # Requests, drafts included, stay the entity's.
        for request in (population.draft, population.answered):
            [kept] = h.rows(ImageryRequest, ImageryRequest.id == request["id"])
            assert kept.user_id == f"pseudonym:{number}"
        # A message stays when someone replied to it, not when nobody did.
        answered = h.rows(
            ImageryRequestComment, ImageryRequestComment.request_id == population.answered["id"]
        )
        assert sorted(c.body for c in answered) == [
            "Question de Camille",
            "Réponse de la référente",
        ]
        [lonely] = h.rows(
            ImageryRequestComment, ImageryRequestComment.request_id == population.lonely["id"]
        )
        assert lonely.body == "" and lonely.user_id == f"pseudonym:{number}"
        # Pages name the pseudonym where they named the person.
        shown = h.call("imagery_request_show", population.referent, id=population.answered["id"])
        label = f"Deleted user no. {number}"
        assert shown["user_display_name"] == label
        assert shown["comments"][0]["user_display_name"] == label
        assert {e["user_display_name"] for e in shown["history"]} == {label}
        # The person may still export (nothing left) and learns their pseudonym.
        export = h.call("personal_data_export", population.person)
        assert export["pseudonym"]["number"] == number
        assert all(export[kind.key] == [] for kind in h.register_kinds())

    @pytest.mark.ckan_config("ckan.locale_default", "fr")
    def test_pseudonym_is_written_in_the_sites_language(self):
        population = h.populate(downloads=0)
        result = _erase(population)
        assert result["label"] == f"utilisateur supprimé n° {result['pseudonym']}"
        _assert_erased(population, "utilisateur supprimé n° ")

    def test_erasing_twice_is_harmless(self):
        population = h.populate(downloads=1)
        first = _erase(population)
        before = h.snapshot()
        second = _erase(population)
        after = h.snapshot()
        assert second["pseudonym"] == first["pseudonym"]
        assert all(v == 0 for k, v in second.items() if k not in ("pseudonym", "label"))
        # Only the time of the erasure moved.
        before.pop("dinamis_relay_pseudonym")
        after.pop("dinamis_relay_pseudonym")
        assert after == before
        assert model.Session.query(Pseudonym).count() == 1

    @pytest.mark.usefixtures("no_stats_cache")
    def test_statistics_and_dashboard_counts_do_not_change(self):
        population = h.populate(downloads=4)
        h.call("account_close", population.person, id=population.account["id"])
        counted = ("entities", "accounts", "imagery_requests", "monthly")

        def figures():
            stats = h.call("stats", None)
            stats.pop("generated_at")
            dashboard = h.call("dashboard", population.staff.super_referent)
            work = {key: value["count"] for key, value in dashboard["work"].items()}
            return stats, {key: dashboard[key] for key in counted}, work

        before = figures()
        _erase(population)
        assert figures() == before

    def test_unknown_or_missing_user_names_the_field(self):
        staff = h.f.staff()
        for data in ({}, {"user": ""}, {"user": "nobody-at-all"}):
            with pytest.raises(tk.ValidationError) as error:
                h.call("personal_data_erase", staff.sysadmin, **data)
            assert "user" in error.value.error_dict


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestDeletion:
    def test_user_delete_erases(self, app):
        population = h.populate(downloads=2)
        app.post(
            "/api/3/action/user_delete",
            json={"id": population.person["name"]},
            headers=_token(population.staff.sysadmin),
        )
        _assert_erased(population)
        [pseudonym] = h.rows(Pseudonym)
        assert pseudonym.reason == "user_delete"

    def test_a_purged_user_is_caught_up_by_purge_expired(self):
        population = h.populate(downloads=1)
        user = model.User.get(population.person["id"])
        user.purge()
        model.Session.commit()
        result = h.call("personal_data_purge_expired", population.staff.sysadmin)
        assert result["deleted_users"] == 1
        _assert_erased(population)
        again = h.call("personal_data_purge_expired", population.staff.sysadmin)
        assert again["deleted_users"] == 0

    def test_erasing_the_only_referent_of_an_accepted_adhesion(self, app):
        population = h.populate(downloads=0)
        url = f"/fr/dinamis/adhesion/{population.adhesion['id']}"
        assert "Référent à désigner" not in app.get(url, headers=_token(population.org_admin)).body
        h.call("personal_data_erase", population.staff.sysadmin, user=population.referent["id"])

        shown = h.call("adhesion_show", population.org_admin, id=population.adhesion["id"])
        assert shown["state"] == "accepted"
        assert (shown["referent_user_id"], shown["referent_title"], shown["referent_phone"]) == (
            None,
            None,
            None,
        )
        page = app.get(url, headers=_token(population.org_admin))
        assert "Référent à désigner" in page.body
        # The relay sees it on its relay-mode partners.
        referent = h.person()
        relay = h.f.adhesion("accepted", mode="relay", referent=referent)
        h.call("personal_data_erase", population.staff.sysadmin, user=referent["id"])
        page = app.get(
            f"/fr/dinamis/adhesion/{relay['id']}", headers=_token(population.staff.super_referent)
        )
        assert "Référent à désigner" in page.body

    def test_cli_erase(self, cli):
        population = h.populate(downloads=1)
        result = cli.invoke(
            ckan, ["dinamis-relay", "personal-data", "erase", population.person["name"]]
        )
        assert result.exit_code == 0, result.output
        assert re.search(r"Deleted user no\. \d+ \(pseudonym \d+\)", result.output)
        _assert_erased(population)
        unknown = cli.invoke(ckan, ["dinamis-relay", "personal-data", "erase", "nobody-at-all"])
        assert unknown.exit_code != 0
