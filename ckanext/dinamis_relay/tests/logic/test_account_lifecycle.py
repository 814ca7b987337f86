"""Account lifecycle: request, validate, refuse, suspend, reactivate, close, create on behalf."""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories

from ckanext.dinamis_relay import access

from .. import account_helpers as h


@pytest.fixture()
def classic():
    """A classic-mode entity, its referent and a person asking for an account."""
    referent = factories.User()
    org = h.entity("classic", referent=referent, email_domains=["example.fr"])
    person = factories.User(email=h.user_email("example.fr"))
    return org, referent, person


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestRequest:
    def test_request_is_recorded_with_terms_and_audit(self, classic, account_factory):
        org, _referent, person = classic
        account = account_factory(user=person, organization_id=org["id"])

        assert account["state"] == "requested"
        assert account["user_name"] == person["name"]
        assert account["organization_name"] == org["name"]
        assert account["terms_version"] == tk.config["ckanext.dinamis_relay.account_terms_version"]
        assert account["terms_accepted_at"]
        assert account["email_domain_mismatch"] is False
        [event] = h.events(account["id"])
        assert (event.action, event.from_state, event.to_state) == ("request", None, "requested")
        assert event.organization_id == org["id"]
        assert event.user_id == person["id"]
        # Nothing granted yet.
        assert h.capacity(org, person) is None
        assert access.active_account_org_ids(person["id"]) == set()

    def test_requesting_twice_is_refused(self, classic, account_factory):
        org, _referent, person = classic
        account_factory(user=person, organization_id=org["id"])
        with pytest.raises(tk.ValidationError) as error:
            account_factory(user=person, organization_id=org["id"])
        assert "organization_id" in error.value.error_dict
        assert h.account_count() == 1

    def test_terms_must_be_accepted(self, classic, account_factory):
        org, _referent, person = classic
        with pytest.raises(tk.ValidationError) as error:
            account_factory(user=person, organization_id=org["id"], accept_terms=False)
        assert "accept_terms" in error.value.error_dict
        assert h.account_count() == 0

    def test_missing_fields_are_reported_per_field(self, classic, account_factory):
        org, _referent, person = classic
        with pytest.raises(tk.ValidationError) as error:
            account_factory(
                user=person,
                organization_id=org["id"],
                job_title="  ",
                intended_use="",
                phone="call me",
            )
        assert set(error.value.error_dict) == {"job_title", "intended_use", "phone"}
        assert h.account_count() == 0

    @pytest.mark.parametrize("state", ["draft", "pending_instruction", "suspended", "rejected"])
    def test_entity_without_accepted_adhesion(self, state, account_factory):
        org = h.entity("classic", state=state)
        with pytest.raises(tk.ValidationError) as error:
            account_factory(user=factories.User(), organization_id=org["id"])
        assert "accepted" in str(error.value.error_dict["organization_id"])
        assert h.account_count() == 0

    def test_entity_without_adhesion_and_unknown_entity(self, account_factory):
        person = factories.User()
        for org_id in (factories.Organization()["id"], "no-such-org"):
            with pytest.raises(tk.ValidationError):
                account_factory(user=person, organization_id=org_id)
        assert h.account_count() == 0

    def test_anonymous_may_not_request(self, classic, account_factory):
        org, _referent, _person = classic
        with pytest.raises(tk.NotAuthorized):
            account_factory(user=None, organization_id=org["id"])

    def test_domain_mismatch_is_flagged(self, classic, account_factory):
        org, _referent, _person = classic
        outsider = factories.User(email=h.user_email("gmail.com"))
        account = account_factory(user=outsider, organization_id=org["id"])
        assert account["email_domain_mismatch"] is True

    def test_subdomain_matches(self, classic, account_factory):
        org, _referent, _person = classic
        agent = factories.User(email=h.user_email("ddt.example.fr"))
        assert (
            account_factory(user=agent, organization_id=org["id"])["email_domain_mismatch"] is False
        )

    def test_domain_mismatch_blocking(self, classic, ckan_config, monkeypatch, account_factory):
        monkeypatch.setitem(
            ckan_config, "ckanext.dinamis_relay.account_email_domain_blocking", True
        )
        org, _referent, _person = classic
        outsider = factories.User(email=h.user_email("gmail.com"))
        with pytest.raises(tk.ValidationError) as error:
            account_factory(user=outsider, organization_id=org["id"])
        assert "example.fr" in str(error.value.error_dict["email"])
        assert h.account_count() == 0

    def test_request_again_after_refusal(self, classic, account_factory):
        org, referent, person = classic
        first = account_factory(user=person, organization_id=org["id"])
        h.call("dinamis_relay_account_refuse", referent, id=first["id"], reason="Unknown person")
        second = account_factory(user=person, organization_id=org["id"])
        assert second["id"] != first["id"]


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestValidation:
    def test_validate_grants_membership_and_access(self, classic, account_factory):
        org, referent, person = classic
        account = account_factory(user=person, organization_id=org["id"])

        result = h.call("dinamis_relay_account_validate", referent, id=account["id"])

        assert result["state"] == "active"
        assert result["validated_by"] == referent["id"]
        assert result["valid_until"]
        assert result["membership_created"] is True
        assert h.capacity(org, person) == "member"
        assert access.active_account_org_ids(person["id"]) == {org["id"]}
        assert [e.action for e in h.events(account["id"])] == ["request", "validate"]

    def test_validate_keeps_existing_capacity(self, classic, account_factory):
        org, referent, person = classic
        h.add_member(org, person, "editor")
        account = account_factory(user=person, organization_id=org["id"])
        result = h.call("dinamis_relay_account_validate", referent, id=account["id"])
        assert result["membership_created"] is False
        assert h.capacity(org, person) == "editor"
        # Closing leaves a membership the plugin did not create.
        h.call("dinamis_relay_account_close", referent, id=account["id"])
        assert h.capacity(org, person) == "editor"

    def test_refuse_needs_a_reason(self, classic, account_factory):
        org, referent, person = classic
        account = account_factory(user=person, organization_id=org["id"])
        with pytest.raises(tk.ValidationError) as error:
            h.call("dinamis_relay_account_refuse", referent, id=account["id"], reason=" ")
        assert "reason" in error.value.error_dict
        assert h.account_row(account["id"]).state == "requested"

        result = h.call(
            "dinamis_relay_account_refuse", referent, id=account["id"], reason="Not an agent"
        )
        assert result["state"] == "refused"
        assert result["refusal_reason"] == "Not an agent"
        assert h.events(account["id"])[-1].comment == "Not an agent"
        assert h.capacity(org, person) is None

    def test_validating_a_closed_account_is_refused(self, classic, account_factory):
        org, referent, person = classic
        account = account_factory(user=person, organization_id=org["id"])
        h.call("dinamis_relay_account_validate", referent, id=account["id"])
        h.call("dinamis_relay_account_close", referent, id=account["id"])
        before = len(h.events(account["id"]))
        with pytest.raises(tk.ValidationError) as error:
            h.call("dinamis_relay_account_validate", referent, id=account["id"])
        assert error.value.error_dict["state"] == [
            "“Validate” is not possible while the status is “Closed”."
        ]
        assert h.account_row(account["id"]).state == "closed"
        assert len(h.events(account["id"])) == before

    def test_adhesion_no_longer_accepted_blocks_validation(self, classic, account_factory):
        org, referent, person = classic
        account = account_factory(user=person, organization_id=org["id"])
        h.make_adhesion(org["id"], state="suspended", referent=referent)
        with pytest.raises(tk.ValidationError):
            h.call("dinamis_relay_account_validate", referent, id=account["id"])
        assert h.account_row(account["id"]).state == "requested"
        assert h.capacity(org, person) is None

    def test_blocking_domain_refuses_validation(
        self, classic, ckan_config, monkeypatch, account_factory
    ):
        org, referent, _person = classic
        outsider = factories.User(email=h.user_email("gmail.com"))
        account = account_factory(user=outsider, organization_id=org["id"])
        monkeypatch.setitem(
            ckan_config, "ckanext.dinamis_relay.account_email_domain_blocking", True
        )
        with pytest.raises(tk.ValidationError) as error:
            h.call("dinamis_relay_account_validate", referent, id=account["id"])
        assert "email" in error.value.error_dict
        assert h.account_row(account["id"]).state == "requested"
        assert h.capacity(org, outsider) is None

    def test_unknown_account(self, classic):
        _org, referent, _person = classic
        with pytest.raises(tk.ObjectNotFound):
            h.call("dinamis_relay_account_validate", referent, id="nope")


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestLifecycle:
    @pytest.fixture()
    def active(self, classic, account_factory):
        org, referent, person = classic
        account = account_factory(user=person, organization_id=org["id"])
        h.call("dinamis_relay_account_validate", referent, id=account["id"])
        return org, referent, person, account

    def test_suspend_removes_access_and_the_membership_activation_gave(self, active):
        org, referent, person, account = active
        result = h.call("dinamis_relay_account_suspend", referent, id=account["id"], reason="Abuse")
        assert result["state"] == "suspended"
        assert access.active_account_org_ids(person["id"]) == set()
        # The membership would still open the organization's private datasets.
        assert h.capacity(org, person) is None

        result = h.call("dinamis_relay_account_reactivate", referent, id=account["id"])
        assert result["state"] == "active"
        assert access.active_account_org_ids(person["id"]) == {org["id"]}
        assert h.capacity(org, person) == "member"
        actions = [e.action for e in h.events(account["id"])]
        assert actions == ["request", "validate", "suspend", "reactivate"]

    def test_wrong_transitions(self, active):
        _org, referent, _person, account = active
        for action in ("validate", "reactivate"):
            with pytest.raises(tk.ValidationError):
                h.call(f"dinamis_relay_account_{action}", referent, id=account["id"])
        with pytest.raises(tk.ValidationError):
            h.call("dinamis_relay_account_refuse", referent, id=account["id"], reason="x")
        assert h.account_row(account["id"]).state == "active"

    def test_close_removes_membership_created_by_the_plugin(self, active):
        org, referent, person, account = active
        result = h.call("dinamis_relay_account_close", referent, id=account["id"], reason="Left")
        assert result["state"] == "closed"
        assert h.capacity(org, person) is None
        assert access.active_account_org_ids(person["id"]) == set()
        # A closed account stays closed.
        for action in ("suspend", "close", "reactivate"):
            with pytest.raises(tk.ValidationError):
                h.call(f"dinamis_relay_account_{action}", referent, id=account["id"])

    def test_person_may_close_own_account(self, active):
        _org, _referent, person, account = active
        result = h.call("dinamis_relay_account_close", person, id=account["id"])
        assert result["state"] == "closed"
        assert h.events(account["id"])[-1].user_id == person["id"]

    def test_adhesion_suspended_removes_access(self, active):
        org, referent, person, _account = active
        h.make_adhesion(org["id"], state="suspended", referent=referent)
        assert access.active_account_org_ids(person["id"]) == set()

    def test_show_includes_history(self, active):
        _org, _referent, person, account = active
        result = h.call("dinamis_relay_account_show", person, id=account["id"])
        assert [e["action"] for e in result["history"]] == ["request", "validate"]
        assert result["can_manage"] is False
        assert result["entity_email_domains"] == ["example.fr"]


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestCreateOnBehalf:
    def test_new_person_is_pending_until_password_set(self):
        staff = h.super_referent()
        org = h.entity("relay", email_domains=["example.fr"])
        email = h.user_email("example.fr")

        account = h.call(
            "dinamis_relay_account_create",
            staff,
            organization_id=org["name"],
            email=email,
            fullname="Jeanne Martin",
            job_title="Technicienne",
            intended_use="Cartographie",
        )

        assert account["state"] == "active"
        assert account["awaiting_password"] is True
        user = model.User.by_email(email)
        assert user is not None and user.state == "pending"
        assert h.capacity(org, {"id": user.id}) == "member"
        # No access before the person sets a password ...
        assert access.active_account_org_ids(user.id) == set()
        # ... which CKAN's reset form turns into an active user.
        user.state = "active"
        model.Session.commit()
        assert access.active_account_org_ids(user.id) == {org["id"]}
        [event] = h.events(account["id"])
        assert (event.action, event.to_state, event.user_id) == ("create", "active", staff["id"])

    def test_existing_user_by_name(self):
        staff = h.super_referent()
        org = h.entity("relay")
        person = factories.User()
        account = h.call(
            "dinamis_relay_account_create",
            staff,
            organization_id=org["id"],
            user=person["name"],
            job_title="Technicien",
            intended_use="Cartographie",
        )
        assert account["user_name"] == person["name"]
        assert account["awaiting_password"] is False

    def test_email_already_used_by_another_user(self):
        staff = h.super_referent()
        org = h.entity("relay")
        person = factories.User(email=h.user_email())
        users_before = model.Session.query(model.User).count()
        with pytest.raises(tk.ValidationError) as error:
            h.call(
                "dinamis_relay_account_create",
                staff,
                organization_id=org["id"],
                email=person["email"].upper(),
                fullname="Someone",
                job_title="Technicien",
                intended_use="Cartographie",
            )
        assert person["name"] in str(error.value.error_dict["email"])
        assert model.Session.query(model.User).count() == users_before
        assert h.account_count() == 0

    def test_neither_user_nor_email(self):
        staff = h.super_referent()
        org = h.entity("relay")
        with pytest.raises(tk.ValidationError) as error:
            h.call(
                "dinamis_relay_account_create",
                staff,
                organization_id=org["id"],
                job_title="Technicien",
                intended_use="Cartographie",
            )
        assert "email" in error.value.error_dict

    def test_referent_of_classic_entity_creates(self, classic):
        org, referent, person = classic
        account = h.call(
            "dinamis_relay_account_create",
            referent,
            organization_id=org["id"],
            user=person["id"],
            job_title="Technicien",
            intended_use="Cartographie",
        )
        assert account["state"] == "active"
        with pytest.raises(tk.ValidationError):
            h.call(
                "dinamis_relay_account_create",
                referent,
                organization_id=org["id"],
                user=person["id"],
                job_title="Technicien",
                intended_use="Cartographie",
            )


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize(
    "state", ["requested", "active", "suspended", "refused", "closed", "expired"]
)
def test_account_factory_reaches_every_state(state):
    from .. import factories as dr_factories

    account = dr_factories.account(state)
    assert account["state"] == state
    granted = access.active_account_org_ids(account["user_id"])
    assert granted == ({account["organization_id"]} if state == "active" else set())
