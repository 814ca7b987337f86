"""Validity period, reminders and expiry; the emails that go with account transitions."""

from __future__ import annotations

import datetime
import email

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories

from ckanext.dinamis_relay import access

from .. import account_helpers as h
from .. import factories as f


def _body(message) -> str:
    """Decoded text of a message captured by the mail_server fixture."""
    payload = email.message_from_string(message[3]).get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode("utf-8")


def _active(referent=None, org=None, person=None):
    referent = referent or factories.User()
    org = org or h.entity("classic", referent=referent)
    person = person or factories.User()
    account = f.AccountFactory(user=person, organization_id=org["id"])
    h.call("dinamis_relay_account_validate", referent, id=account["id"])
    return org, referent, person, account


def _set_valid_until(account_id, days_from_today):
    row = h.account_row(account_id)
    row.valid_until = datetime.date.today() + datetime.timedelta(days=days_from_today)
    model.Session.commit()


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestValidity:
    def test_validity_period_from_config(self, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.account_validity_years", 2)
        _org, _referent, _person, account = _active()
        until = h.account_row(account["id"]).valid_until
        assert until is not None
        assert until.year == datetime.date.today().year + 2

    def test_access_ends_at_validity_end_without_batch(self):
        _org, _referent, person, account = _active()
        _set_valid_until(account["id"], -1)
        assert h.account_row(account["id"]).state == "active"
        assert access.active_account_org_ids(person["id"]) == set()

    def test_expire_and_remind(self, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.reminder_days", 30)
        referent = factories.User()
        org = h.entity("classic", referent=referent)
        _o, _r, _p, past = _active(referent, org)
        _o, _r, _p, soon = _active(referent, org)
        _o, _r, _p, later = _active(referent, org)
        _set_valid_until(past["id"], -1)
        _set_valid_until(soon["id"], 10)
        _set_valid_until(later["id"], 100)

        result = h.call("dinamis_relay_account_expire", factories.Sysadmin())

        assert result == {"expired": [past["id"]], "reminded": [soon["id"]]}
        assert h.account_row(past["id"]).state == "expired"
        event = h.events(past["id"])[-1]
        assert (event.action, event.from_state, event.to_state) == ("expire", "active", "expired")
        assert h.account_row(soon["id"]).reminder_sent_at is not None
        # Reminders go once.
        again = h.call("dinamis_relay_account_expire", factories.Sysadmin())
        assert again == {"expired": [], "reminded": []}

    def test_renew_expired_account(self):
        org, referent, person, account = _active()
        _set_valid_until(account["id"], -1)
        h.call("dinamis_relay_account_expire", factories.Sysadmin())
        result = h.call("dinamis_relay_account_reactivate", referent, id=account["id"])
        assert result["state"] == "active"
        assert result["valid_until"] > datetime.date.today().isoformat()
        assert h.events(account["id"])[-1].action == "renew"
        assert access.active_account_org_ids(person["id"]) == {org["id"]}

    def test_expire_is_for_sysadmins(self):
        _org, referent, _person, _account = _active()
        with pytest.raises(tk.NotAuthorized):
            h.call("dinamis_relay_account_expire", referent)
        with pytest.raises(tk.NotAuthorized):
            h.call("dinamis_relay_account_expire", h.super_referent())


@pytest.mark.usefixtures("with_plugins", "clean_db", "with_request_context")
class TestEmails:
    def test_request_notifies_referent_then_person(self, mail_server, run_jobs, account_factory):
        referent = factories.User(email="referent@example.fr")
        org = h.entity("classic", referent=referent, title="Commune de Pessac")
        person = factories.User(email="agent@example.fr")
        account = account_factory(user=person, organization_id=org["id"])
        run_jobs()
        [message] = mail_server.get_smtp_messages()
        assert message[2] == ["referent@example.fr"]
        assert "Commune de Pessac" in _body(message)
        assert "/dinamis/account/queue" in _body(message)

        h.call("dinamis_relay_account_refuse", referent, id=account["id"], reason="Inconnu")
        run_jobs()
        messages = mail_server.get_smtp_messages()
        assert messages[-1][2] == ["agent@example.fr"]
        assert "Inconnu" in _body(messages[-1])

    def test_relay_request_notifies_super_referents(self, mail_server, run_jobs, account_factory):
        staff = h.super_referent()
        org = h.entity("relay")
        account_factory(user=factories.User(), organization_id=org["id"])
        run_jobs()
        assert [m[2] for m in mail_server.get_smtp_messages()] == [[staff["email"]]]

    def test_created_person_gets_a_password_link(self, mail_server, run_jobs):
        staff = h.super_referent()
        org = h.entity("relay")
        h.call(
            "dinamis_relay_account_create",
            staff,
            organization_id=org["id"],
            email="nouvelle@example.fr",
            fullname="Nouvelle Personne",
            job_title="Technicienne",
            intended_use="Cartographie",
        )
        run_jobs()
        [message] = mail_server.get_smtp_messages()
        assert message[2] == ["nouvelle@example.fr"]
        user = model.User.by_email("nouvelle@example.fr")
        assert user.reset_key
        assert f"/user/reset/{user.id}?key={user.reset_key}" in _body(message)

    def test_expiry_and_reminder_emails(self, mail_server, run_jobs):
        _org, _referent, person, account = _active()
        _set_valid_until(account["id"], 5)
        run_jobs()  # the validation email
        h.call("dinamis_relay_account_expire", factories.Sysadmin())
        run_jobs()
        assert mail_server.get_smtp_messages()[-1][2] == [person["email"]]


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestExpireCommand:
    def test_cli_expire_handles_accounts(self, cli):
        from ckan.cli.cli import ckan

        _org, _referent, _person, account = _active()
        _set_valid_until(account["id"], -1)

        dry = cli.invoke(ckan, ["dinamis-relay", "expire", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "[dry run] 1 accounts expired" in dry.output
        assert h.account_row(account["id"]).state == "active"

        result = cli.invoke(ckan, ["dinamis-relay", "expire"])
        assert result.exit_code == 0, result.output
        assert "1 accounts expired" in result.output
        assert h.account_row(account["id"]).state == "expired"
