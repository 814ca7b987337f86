"""Adhesion emails: queued as background jobs, rendered from templates, sent over SMTP."""

from __future__ import annotations

import datetime
import re

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories

from ckanext.dinamis_relay.model import Adhesion

from .. import factories as f


def _by_recipient(emails: list[dict]) -> dict[str, dict]:
    return {address: mail for mail in emails for address in mail["to"]}


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestAdhesionEmails:
    def test_nothing_is_sent_inside_the_request(self, mail_server, run_jobs):
        adhesion = f.adhesion("draft")
        f.call("submit", adhesion["referent_dict"], id=adhesion["id"])
        assert mail_server.get_smtp_messages() == []
        run_jobs()
        # The legal request, and the texts to the referent (documents by email, issue 15).
        assert len(mail_server.get_smtp_messages()) == 2

    def test_legal_request_carries_a_working_link(self, mail_server, run_jobs):
        adhesion = f.adhesion("draft", legal_name="Commune d'Arès")
        f.call("submit", adhesion["referent_dict"], id=adhesion["id"])
        run_jobs()

        (mail,) = [m for m in f.sent_emails(mail_server) if m["to"] == ["maire@pessac.fr"]]
        assert "your validation is requested" in mail["subject"]
        assert "Dear Jeanne Maire" in mail["body"]
        link = re.search(r"http://test.ckan.net/dinamis/legal/(\S+)", mail["body"])
        assert link, mail["body"]
        assert "168 hours" in mail["body"]
        # Plain text: apostrophes are not HTML-escaped.
        assert "&#39;" not in mail["body"]
        result = f.call("legal_validate", None, token=link.group(1), decision="accept")
        assert result["state"] == "pending_instruction"

    def test_awaiting_decision_goes_to_instructors_relay_and_extra(
        self, mail_server, run_jobs, ckan_config, monkeypatch
    ):
        monkeypatch.setitem(
            ckan_config, "ckanext.dinamis_relay.email.extra_recipients", ["dinamis@ign.fr"]
        )
        staff = f.staff()
        adhesion = f.adhesion("pending_legal_validation", mode="relay")
        run_jobs()  # the legal request
        mail_server.clear_smtp_messages()

        f.call("legal_validate", None, token=f.legal_token(adhesion["id"]), decision="accept")
        run_jobs()

        emails = _by_recipient(f.sent_emails(mail_server))
        assert set(emails) == {
            staff.instructor["email"],
            staff.super_referent["email"],
            "dinamis@ign.fr",
        }
        assert "awaits your decision" in emails["dinamis@ign.fr"]["subject"]

    def test_submission_told_to_instructors_and_relay(self, mail_server, run_jobs):
        staff = f.staff()
        adhesion = f.adhesion("draft", mode="relay")
        f.call("check_eligibility", staff.super_referent, id=adhesion["id"], eligible=True)
        f.call("submit", staff.super_referent, id=adhesion["id"])
        run_jobs()

        emails = _by_recipient(f.sent_emails(mail_server))
        assert set(emails) == {
            "maire@pessac.fr",
            staff.instructor["email"],
            staff.super_referent["email"],
            adhesion["referent_dict"]["email"],  # the texts (documents by email)
        }
        notice = emails[staff.instructor["email"]]
        assert "submitted" in notice["subject"]
        assert "legal representative has been asked" in notice["body"]
        assert "/dinamis/legal/" not in notice["body"]  # the link is the legal rep's alone

    def test_relay_not_told_when_switched_off(
        self, mail_server, run_jobs, ckan_config, monkeypatch
    ):
        monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.email.notify_relay", False)
        staff = f.staff()
        adhesion = f.adhesion("pending_legal_validation", mode="relay")
        f.call("legal_validate", None, token=f.legal_token(adhesion["id"]), decision="accept")
        run_jobs()
        recipients = set(_by_recipient(f.sent_emails(mail_server)))
        assert staff.super_referent["email"] not in recipients
        assert staff.instructor["email"] in recipients

    def test_decision_goes_to_referent_and_legal_rep(self, mail_server, run_jobs):
        staff = f.staff()
        adhesion = f.adhesion("pending_instruction")
        run_jobs()
        mail_server.clear_smtp_messages()

        f.call(
            "decide", staff.instructor, id=adhesion["id"], decision="reject", reason="Hors champ"
        )
        run_jobs()

        emails = _by_recipient(f.sent_emails(mail_server))
        assert set(emails) == {adhesion["referent_dict"]["email"], "maire@pessac.fr"}
        body = emails["maire@pessac.fr"]["body"]
        assert "Rejected" in emails["maire@pessac.fr"]["subject"]
        assert "Reason: Hors champ" in body

    def test_accept_mail_gives_number(self, mail_server, run_jobs):
        staff = f.staff()
        adhesion = f.adhesion("pending_instruction")
        run_jobs()
        mail_server.clear_smtp_messages()
        accepted = f.call("decide", staff.instructor, id=adhesion["id"], decision="accept")
        run_jobs()
        body = _by_recipient(f.sent_emails(mail_server))["maire@pessac.fr"]["body"]
        assert accepted["number"] in body

    def test_reminder_before_end_of_validity(self, mail_server, run_jobs):
        staff = f.staff()
        adhesion = f.adhesion("accepted", mode="relay")
        row = model.Session.get(Adhesion, adhesion["id"])
        assert row is not None
        row.valid_until = datetime.date.today() + datetime.timedelta(days=5)
        model.Session.commit()
        run_jobs()
        mail_server.clear_smtp_messages()

        tk.get_action("dinamis_relay_adhesion_expire")({"user": staff.sysadmin["name"]}, {})
        run_jobs()

        emails = _by_recipient(f.sent_emails(mail_server))
        assert set(emails) == {adhesion["referent_dict"]["email"], staff.super_referent["email"]}
        mail = emails[staff.super_referent["email"]]
        # Dates are written for people, not in ISO form.
        human = f"{row.valid_until:%B} {row.valid_until.day}, {row.valid_until.year}"
        assert f"ends on {human}" in mail["subject"]
        assert f"valid until {human}" in mail["body"]
        assert row.valid_until.isoformat() not in mail["body"]
        # The referent is told where to renew once the adhesion has expired.
        org = model.Group.get(adhesion["organization_id"])
        assert org is not None
        assert f"/dinamis/organization/{org.name}" in mail["body"]

    def test_french_reminder_has_a_french_date(
        self, mail_server, run_jobs, ckan_config, monkeypatch
    ):
        monkeypatch.setitem(ckan_config, "ckan.locale_default", "fr")
        staff = f.staff()
        adhesion = f.adhesion("accepted", mode="relay")
        row = model.Session.get(Adhesion, adhesion["id"])
        assert row is not None
        row.valid_until = datetime.date(2027, 3, 12)
        model.Session.commit()
        run_jobs()
        mail_server.clear_smtp_messages()

        from ckanext.dinamis_relay.notifications import adhesion as notify

        notify.send_reminder(adhesion["id"])

        mail = _by_recipient(f.sent_emails(mail_server))[staff.super_referent["email"]]
        assert "12 mars 2027" in mail["subject"]
        assert "valable jusqu'au 12 mars 2027" in mail["body"]

    def test_french_email(self, mail_server, run_jobs, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckan.locale_default", "fr")
        adhesion = f.adhesion("draft")
        f.call("submit", adhesion["referent_dict"], id=adhesion["id"])
        run_jobs()
        (mail,) = [m for m in f.sent_emails(mail_server) if m["to"] == ["maire@pessac.fr"]]
        assert "votre validation est requise" in mail["subject"]

    def test_user_without_email_is_skipped(self, mail_server, run_jobs):
        staff = f.staff()
        referent = factories.User()
        adhesion = f.adhesion("pending_legal_validation", referent=referent)
        user = model.User.get(referent["id"])
        assert user is not None
        user.email = ""
        model.Session.commit()
        f.call("legal_validate", None, token=f.legal_token(adhesion["id"]), decision="decline")
        run_jobs()
        recipients = {a for m in f.sent_emails(mail_server) for a in m["to"]}
        # The legal request and the submission notice; the referent without email gets nothing.
        assert recipients == {"maire@pessac.fr", staff.instructor["email"]}
