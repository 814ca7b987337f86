"""Staff choose immediate emails or a daily digest; people acting on their own request keep
their immediate emails; sysadmins are copied only when they ask."""

from __future__ import annotations

import datetime
from pathlib import Path

import ckan.plugins.toolkit as tk
import pytest
import yaml
from ckan.tests import factories

from ckanext.dinamis_relay.cli import dinamis_relay
from ckanext.dinamis_relay.model.base import utcnow
from ckanext.dinamis_relay.notifications import digest, mailing

from .. import factories as f

DECLARATION = Path(digest.__file__).resolve().parents[1] / "config_declaration.yaml"


def _preference(caller: dict, /, **data: object) -> dict:
    return tk.get_action("dinamis_relay_mail_preference_update")(
        {"user": caller["name"], "ignore_auth": False}, dict(data)
    )


def _recipients(mail_server) -> list[str]:
    return sorted(address for mail in f.sent_emails(mail_server) for address in mail["to"])


@pytest.fixture()
def digest_default(ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.email.staff_default", "digest")


@pytest.mark.usefixtures("with_plugins", "clean_db", "digest_default")
class TestDigest:
    def test_staff_on_digest_get_no_notice_but_the_legal_representative_does(
        self, mail_server, run_jobs
    ):
        staff = f.staff()
        adhesion = f.adhesion("draft", mode="relay")
        f.call("check_eligibility", staff.super_referent, id=adhesion["id"], eligible=True)
        f.call("submit", staff.super_referent, id=adhesion["id"])
        run_jobs()
        # The legal representative's link and the referent's copy of the texts: not staff.
        assert _recipients(mail_server) == sorted(
            ["maire@pessac.fr", adhesion["referent_dict"]["email"]]
        )

    def test_one_digest_a_day_listing_what_waits(self, mail_server, run_jobs, cli):
        staff = f.staff()
        f.adhesion("pending_instruction", mode="relay", legal_name="Commune de Talence")
        run_jobs()
        mail_server.clear_smtp_messages()

        result = cli.invoke(dinamis_relay, ["digest"])
        assert result.exit_code == 0, result.output
        assert "1 digests queued" in result.output
        run_jobs()
        (mail,) = f.sent_emails(mail_server)
        assert mail["to"] == [staff.instructor["email"]]
        assert mail["subject"] == "DINAMIS: 1 item awaits you"
        assert "Applications awaiting a DINAMIS decision: 1" in mail["body"]
        assert "Commune de Talence" in mail["body"]
        assert "http://test.ckan.net/dinamis/dashboard" in mail["body"]

        # The same day: nothing more.
        assert digest.write_digests()["already_sent"] == 1
        run_jobs()
        assert len(mail_server.get_smtp_messages()) == 1
        # The next day, if work still waits.
        tomorrow = utcnow() + datetime.timedelta(days=1)
        assert digest.write_digests(now=tomorrow)["written"] == 1

    def test_immediate_preference_gets_each_notice(self, mail_server, run_jobs):
        staff = f.staff()
        assert _preference(staff.instructor, staff_emails="immediate")["staff_emails"] == (
            "immediate"
        )
        f.adhesion("pending_instruction", mode="relay")
        run_jobs()
        assert staff.instructor["email"] in _recipients(mail_server)
        assert staff.super_referent["email"] not in _recipients(mail_server)
        assert digest.write_digests()["written"] == 0

    def test_sysadmins_are_copied_only_when_they_ask(self, mail_server, run_jobs):
        f.staff()
        sysadmin = factories.Sysadmin()
        f.adhesion("pending_instruction", mode="relay")
        run_jobs()
        assert sysadmin["email"] not in _recipients(mail_server)
        shown = _preference(sysadmin, staff_emails="immediate", sysadmin_copies=True)
        assert shown["sysadmin_copies"] is True
        mail_server.clear_smtp_messages()
        f.adhesion("pending_instruction", mode="relay")
        run_jobs()
        assert sysadmin["email"] in _recipients(mail_server)


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestPreferenceActions:
    def test_default_shown_and_bad_choice_named(self):
        user = factories.User()
        shown = tk.get_action("dinamis_relay_mail_preference_show")({"user": user["name"]}, {})
        assert (shown["staff_emails"], shown["default"]) == ("immediate", True)
        with pytest.raises(tk.ValidationError) as error:
            _preference(user, staff_emails="weekly")
        assert error.value.error_dict == {
            "staff_emails": ["Unknown value; use one of: immediate, digest"]
        }

    def test_only_sysadmins_change_another_person(self):
        user, other = factories.User(), factories.User()
        with pytest.raises(tk.NotAuthorized):
            _preference(user, user=other["name"], staff_emails="digest")
        with pytest.raises(tk.NotAuthorized):
            tk.get_action("dinamis_relay_mail_preference_show")({"user": ""}, {})
        shown = _preference(factories.Sysadmin(), user=other["name"], staff_emails="digest")
        assert shown == {**shown, "user": other["name"], "staff_emails": "digest"}

    def test_sending_digests_is_for_sysadmins(self):
        user = factories.User()
        with pytest.raises(tk.NotAuthorized):
            tk.get_action("dinamis_relay_digest_send")({"user": user["name"]}, {})


@pytest.fixture()
def by_entity_count(ckan_config, monkeypatch):
    """The shipped default (`auto`), with a threshold of 2 entities instead of 5."""
    monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.email.staff_default", "auto")
    monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.email.digest_above_entities", 2)


def _shown(user: dict) -> tuple[str, bool]:
    shown = tk.get_action("dinamis_relay_mail_preference_show")({"user": user["name"]}, {})
    return shown["staff_emails"], shown["default"]


@pytest.mark.usefixtures("with_plugins", "clean_db", "by_entity_count")
class TestDefaultByEntityCount:
    """Without a choice, staff of more than `digest_above_entities` entities get the digest:
    super-referents count the relay-mode entities, instructors and sysadmins all entities."""

    def test_shipped_default_is_digest_above_five_entities(self):
        declared = {
            option["key"]: option.get("default")
            for group in yaml.safe_load(DECLARATION.read_text())["groups"]
            for option in group["options"]
        }
        assert declared["ckanext.dinamis_relay.email.staff_default"] == "auto"
        assert declared["ckanext.dinamis_relay.email.digest_above_entities"] == 5

    def test_immediate_for_few_entities_digest_beyond(self, mail_server, run_jobs):
        staff = f.staff()
        f.adhesion("pending_instruction", mode="relay")
        f.adhesion("pending_instruction", mode="relay")
        run_jobs()
        # Two entities each: every notice by email, no digest.
        assert {staff.super_referent["email"], staff.instructor["email"]} <= set(
            _recipients(mail_server)
        )
        assert _shown(staff.instructor) == ("immediate", True)
        assert digest.write_digests()["written"] == 0

        mail_server.clear_smtp_messages()
        f.adhesion("pending_instruction", mode="classic", legal_name="Commune de Talence")
        run_jobs()
        # A third entity, in classic mode: the instructor (all entities) is now on the digest,
        # the super-referent (relay-mode entities: still two) still gets each notice.
        assert staff.instructor["email"] not in _recipients(mail_server)
        assert _shown(staff.instructor) == ("digest", True)
        assert _shown(staff.super_referent) == ("immediate", True)
        assert mailing.staff_recipients(staff.relay["name"]) == [
            (staff.super_referent["fullname"], staff.super_referent["email"])
        ]
        assert mailing.staff_recipients(staff.dinamis["name"]) == []
        assert digest.write_digests()["written"] == 1
        mail_server.clear_smtp_messages()
        run_jobs()
        (mail,) = f.sent_emails(mail_server)
        assert mail["to"] == [staff.instructor["email"]]
        assert "Applications awaiting a DINAMIS decision: 3" in mail["body"]

    def test_a_choice_wins_over_the_count(self, mail_server, run_jobs):
        staff = f.staff()
        for _ in range(3):
            f.adhesion("pending_instruction", mode="relay")
        assert _preference(staff.instructor, staff_emails="immediate")["default"] is False
        mail_server.clear_smtp_messages()
        f.adhesion("pending_instruction", mode="relay")
        run_jobs()
        recipients = _recipients(mail_server)
        assert staff.instructor["email"] in recipients
        assert staff.super_referent["email"] not in recipients
