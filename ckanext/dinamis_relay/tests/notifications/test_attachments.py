"""Documents travel by email: the acceptance carries the issued PDFs, whose fingerprints
document_verify confirms; the referent receives the texts at submission."""

from __future__ import annotations

import hashlib

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories

from ckanext.dinamis_relay.documents import issue

from .. import factories as f


def accept(adhesion: dict, mail_server, run_jobs) -> list[dict]:
    run_jobs()
    mail_server.clear_smtp_messages()
    f.call("decide", factories.Sysadmin(), id=adhesion["id"], decision="accept")
    run_jobs()
    return [m for m in f.sent_emails(mail_server) if m["subject"].endswith(": Accepted")]


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestDecisionEmail:
    def test_acceptance_carries_the_acte_whose_fingerprint_verifies(self, mail_server, run_jobs):
        adhesion = f.adhesion("pending_instruction")
        sent = accept(adhesion, mail_server, run_jobs)
        recipients = {address for m in sent for address in m["to"]}
        assert {adhesion["referent_dict"]["email"], adhesion["legal_rep_email"]} <= recipients
        for message in sent:
            (name,) = message["attachments"]
            assert name.startswith("Acte-adhesion-DINAMIS-") and name.endswith(".pdf")
            data = message["attachments"][name]
            assert data.startswith(b"%PDF")
            assert len(data) < 2 * 1024 * 1024
            verified = tk.get_action("dinamis_relay_document_verify")(
                {"user": ""}, {"sha256": hashlib.sha256(data).hexdigest()}
            )
            assert verified["valid"] is True
            assert verified["document"]["kind"] == "acte_adhesion"
            assert name in message["body"]

    def test_relay_mode_adds_the_avenant(self, mail_server, run_jobs):
        staff = f.staff()
        adhesion = f.adhesion("pending_instruction", mode="relay")
        sent = accept(adhesion, mail_server, run_jobs)
        (to_relay,) = [m for m in sent if staff.super_referent["email"] in m["to"]]
        names = sorted(to_relay["attachments"])
        assert [n.split("-")[0] for n in names] == ["Acte", "Avenant"]

    def test_the_email_issues_what_it_attaches_the_documents_queue_the_rest(
        self, mail_server, run_jobs
    ):
        """The queues served one at a time: the acceptance email (default queue) goes out
        with its two PDFs before the documents queue has run; that queue then issues the
        convention alone, and no document is issued twice."""
        from ckanext.dinamis_relay.model.document import ACTE_ADHESION, AVENANT, CONVENTION
        from ckanext.dinamis_relay.notifications import outbox

        def serve(*roles: str) -> None:
            run_jobs([outbox.queue_name(role) for role in roles])

        f.staff()
        adhesion = f.adhesion("accepted", mode="relay")  # its jobs queued, none run
        serve(outbox.PRIORITY, outbox.DEFAULT)
        sent = [m for m in f.sent_emails(mail_server) if m["subject"].endswith(": Accepted")]
        assert sent
        for message in sent:
            assert [n.split("-")[0] for n in sorted(message["attachments"])] == ["Acte", "Avenant"]
        lang = issue.default_lang()
        assert issue.current(adhesion["id"], CONVENTION, lang) is None
        serve(outbox.DOCUMENTS)
        for kind in (ACTE_ADHESION, AVENANT, CONVENTION):
            document = issue.current(adhesion["id"], kind, lang)
            assert document is not None and document.version == 1

    def test_a_missing_document_never_blocks_the_decision(self, mail_server, run_jobs, monkeypatch):
        def broken(*args, **kwargs):
            raise RuntimeError("WeasyPrint is gone")

        monkeypatch.setattr(issue, "issue_due", broken)
        monkeypatch.setattr(issue, "issue", broken)
        adhesion = f.adhesion("pending_instruction")
        sent = accept(adhesion, mail_server, run_jobs)
        assert sent, "the decision is still emailed"
        for message in sent:
            assert message["attachments"] == {}
            assert "could not be attached" in message["body"]
            assert adhesion["organization_dict"]["name"] in message["body"]


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestSubmissionTexts:
    @pytest.mark.parametrize(("mode", "count"), [("classic", 3), ("relay", 4)])
    def test_the_referent_receives_the_texts(self, mail_server, run_jobs, mode, count):
        adhesion = f.adhesion("draft", mode=mode)
        if mode == "relay":
            f.call("check_eligibility", factories.Sysadmin(), id=adhesion["id"], eligible=True)
        f.call("submit", factories.Sysadmin(), id=adhesion["id"])
        run_jobs()
        referent = adhesion["referent_dict"]["email"]
        (texts,) = [m for m in f.sent_emails(mail_server) if referent in m["to"]]
        assert len(texts["attachments"]) == count
        charter = next(v for k, v in texts["attachments"].items() if k.startswith("charte-dinamis"))
        assert b"<html" in charter and len(charter) < 200_000
        legal = [m for m in f.sent_emails(mail_server) if adhesion["legal_rep_email"] in m["to"]]
        assert legal and all(m["attachments"] == {} for m in legal)
