"""Professional addresses only: generic webmail domains are flagged like a domain mismatch."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories

from ckanext.dinamis_relay.procedure import professional_email

from .. import account_helpers as h

BLOCKING = "ckanext.dinamis_relay.account_email_domain_blocking"


@pytest.mark.parametrize(
    ("email", "generic"),
    [
        ("agent@gmail.com", True),
        ("agent@hotmail.fr", True),
        ("agent@hotmail.co.uk", True),
        ("agent@outlook.com", True),
        ("agent@ORANGE.fr", True),
        ("agent@wanadoo.fr", True),
        ("agent@laposte.net", True),
        ("agent@yahoo.fr", True),
        ("agent@pessac.fr", False),
        ("agent@laposte.fr", False),
        ("agent@free-mobile.fr", False),
        ("agent@gmail.com.example.fr", False),
        ("", False),
    ],
)
def test_generic_domains(email, generic):
    assert professional_email.is_generic(email) is generic


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestAccounts:
    def test_flagged_even_without_declared_domains(self, account_factory):
        org = h.entity("classic")
        account = account_factory(
            user=factories.User(email="jean.dupont@orange.fr"), organization_id=org["id"]
        )
        assert account["email_domain_mismatch"] is True
        shown = h.call("dinamis_relay_account_show", factories.Sysadmin(), id=account["id"])
        assert shown["email_generic"] is True

    def test_professional_address_not_flagged(self, account_factory):
        org = h.entity("classic")
        account = account_factory(
            user=factories.User(email="sig@pessac.fr"), organization_id=org["id"]
        )
        assert account["email_domain_mismatch"] is False

    def test_blocking_refuses_with_a_clear_message_and_writes_nothing(
        self, ckan_config, monkeypatch, account_factory
    ):
        monkeypatch.setitem(ckan_config, BLOCKING, True)
        org = h.entity("classic")
        with pytest.raises(tk.ValidationError) as error:
            account_factory(
                user=factories.User(email="jean.dupont@free.fr"), organization_id=org["id"]
            )
        assert "webmail" in error.value.error_dict["email"][0]
        assert h.account_count() == 0

    def test_blocking_on_creation_on_behalf(self, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, BLOCKING, True)
        staff = h.super_referent()
        org = h.entity("relay")
        with pytest.raises(tk.ValidationError) as error:
            h.call(
                "dinamis_relay_account_create",
                staff,
                organization_id=org["id"],
                email="someone@gmail.com",
                fullname="Some One",
                job_title="Technicien",
                intended_use="Forêts",
            )
        assert "email" in error.value.error_dict
        assert h.account_count() == 0

    def test_the_list_is_configurable(self, ckan_config, monkeypatch, account_factory):
        monkeypatch.setitem(ckan_config, professional_email.OPTION, "")
        org = h.entity("classic")
        account = account_factory(
            user=factories.User(email="jean@gmail.com"), organization_id=org["id"]
        )
        assert account["email_domain_mismatch"] is False
