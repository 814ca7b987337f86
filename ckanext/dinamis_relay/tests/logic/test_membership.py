"""CKAN membership and DINAMIS accounts stay in step, whatever path changes membership."""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories

from ckanext.dinamis_relay import access

from .. import account_helpers as h


@pytest.fixture()
def active(account_factory):
    """An active account in a classic-mode entity, with the membership the plugin created."""
    referent = factories.User()
    org = h.entity("classic", referent=referent)
    admin = factories.User()
    h.add_member(org, admin, "admin")
    person = factories.User()
    account = account_factory(user=person, organization_id=org["id"])
    h.call("dinamis_relay_account_validate", referent, id=account["id"])
    assert h.capacity(org, person) == "member"
    return org, admin, person, account


def _assert_closed_by_membership_removal(account, actor):
    row = h.account_row(account["id"])
    assert row.state == "closed"
    event = h.events(account["id"])[-1]
    assert (event.action, event.from_state, event.to_state) == (
        "membership_removed",
        "active",
        "closed",
    )
    assert event.user_id == (actor["id"] if actor else None)
    assert access.active_account_org_ids(row.user_id) == set()


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestRemovalClosesAccount:
    def test_member_delete(self, active):
        org, admin, person, account = active
        h.call("member_delete", admin, id=org["id"], object=person["id"], object_type="user")
        assert h.capacity(org, person) is None
        _assert_closed_by_membership_removal(account, admin)

    def test_organization_member_delete(self, active):
        org, admin, person, account = active
        h.call("organization_member_delete", admin, id=org["name"], username=person["name"])
        assert h.capacity(org, person) is None
        _assert_closed_by_membership_removal(account, admin)

    def test_organization_update_with_users_list(self, active):
        org, admin, person, account = active
        org_dict = h.call("organization_show", admin, id=org["id"])
        org_dict["users"] = [{"name": admin["name"], "capacity": "admin"}]
        h.call("organization_update", admin, **org_dict)
        assert h.capacity(org, person) is None
        _assert_closed_by_membership_removal(account, admin)

    def test_organization_patch_with_users_list(self, active):
        org, admin, person, account = active
        h.call(
            "organization_patch",
            admin,
            id=org["id"],
            users=[{"name": admin["name"], "capacity": "admin"}],
        )
        assert h.capacity(org, person) is None
        _assert_closed_by_membership_removal(account, admin)

    def test_organization_update_without_users_leaves_accounts(self, active):
        org, admin, person, account = active
        h.call("organization_patch", admin, id=org["id"], title="Nouvelle commune")
        assert h.account_row(account["id"]).state == "active"
        assert h.capacity(org, person) == "member"

    def test_user_delete(self, active, account_factory):
        _org, _admin, person, account = active
        sysadmin = factories.Sysadmin()
        # A pending request elsewhere goes too.
        other = h.entity("classic", referent=factories.User())
        pending = account_factory(user=person, organization_id=other["id"])
        h.call("user_delete", sysadmin, id=person["id"])
        _assert_closed_by_membership_removal(account, sysadmin)
        assert h.account_row(pending["id"]).state == "closed"
        assert h.events(pending["id"])[-1].from_state == "requested"

    def test_suspended_account_is_closed_with_a_membership_someone_else_gave(self, active):
        org, admin, person, account = active
        referent = {"id": model.User.get(h.account_row(account["id"]).validated_by).id}
        referent["name"] = model.User.get(referent["id"]).name
        h.call("dinamis_relay_account_suspend", referent, id=account["id"])
        # Suspending removed the membership activation gave; an admin makes them a member.
        assert h.capacity(org, person) is None
        h.add_member(org, person)
        h.call("organization_member_delete", admin, id=org["id"], username=person["id"])
        assert h.account_row(account["id"]).state == "closed"

    def test_refused_removal_changes_nothing(self, active):
        org, _admin, person, account = active
        stranger = factories.User()
        with pytest.raises(tk.NotAuthorized):
            h.call("organization_member_delete", stranger, id=org["id"], username=person["id"])
        assert h.account_row(account["id"]).state == "active"
        assert h.capacity(org, person) == "member"

    def test_other_organizations_are_untouched(self, active):
        org, _admin, person, account = active
        elsewhere = factories.Organization()
        h.add_member(elsewhere, person)
        sysadmin = factories.Sysadmin()
        h.call("organization_member_delete", sysadmin, id=elsewhere["id"], username=person["id"])
        assert h.account_row(account["id"]).state == "active"
        assert h.capacity(org, person) == "member"


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestSuperReferentMembership:
    @pytest.fixture()
    def relay_org(self):
        return h.entity("relay")

    def test_adds_and_removes_member_through_the_api(self, relay_org):
        staff = h.super_referent()
        person = factories.User()
        h.call(
            "organization_member_create",
            staff,
            id=relay_org["id"],
            username=person["name"],
            role="member",
        )
        assert h.capacity(relay_org, person) == "member"
        h.call("organization_member_delete", staff, id=relay_org["id"], username=person["name"])
        assert h.capacity(relay_org, person) is None

    @pytest.mark.parametrize("role", ["admin", "editor"])
    def test_never_grants_admin_or_editor(self, relay_org, role):
        staff = h.super_referent()
        person = factories.User()
        with pytest.raises(tk.NotAuthorized):
            h.call(
                "organization_member_create",
                staff,
                id=relay_org["id"],
                username=person["name"],
                role=role,
            )
        with pytest.raises(tk.NotAuthorized):
            h.call(
                "member_create",
                staff,
                id=relay_org["id"],
                object=person["id"],
                object_type="user",
                capacity=role,
            )
        assert h.capacity(relay_org, person) is None

    @pytest.mark.parametrize("role", ["admin", "editor"])
    def test_does_not_touch_admins_or_editors(self, relay_org, role):
        staff = h.super_referent()
        person = factories.User()
        h.add_member(relay_org, person, role)
        with pytest.raises(tk.NotAuthorized):
            h.call(
                "organization_member_create",
                staff,
                id=relay_org["id"],
                username=person["name"],
                role="member",
            )
        with pytest.raises(tk.NotAuthorized):
            h.call(
                "organization_member_delete",
                staff,
                id=relay_org["id"],
                username=person["name"],
            )
        assert h.capacity(relay_org, person) == role

    def test_no_power_on_classic_mode_entity(self):
        staff = h.super_referent()
        org = h.entity("classic")
        person = factories.User()
        with pytest.raises(tk.NotAuthorized):
            h.call(
                "organization_member_create",
                staff,
                id=org["id"],
                username=person["name"],
                role="member",
            )
        h.add_member(org, person)
        with pytest.raises(tk.NotAuthorized):
            h.call("organization_member_delete", staff, id=org["id"], username=person["name"])
        assert h.capacity(org, person) == "member"

    def test_no_power_on_organization_without_adhesion(self):
        staff = h.super_referent()
        org = factories.Organization()
        with pytest.raises(tk.NotAuthorized):
            h.call(
                "organization_member_create",
                staff,
                id=org["id"],
                username=factories.User()["name"],
                role="member",
            )

    def test_plain_user_has_no_such_power(self, relay_org):
        user = factories.User()
        with pytest.raises(tk.NotAuthorized):
            h.call(
                "organization_member_create",
                user,
                id=relay_org["id"],
                username=factories.User()["name"],
                role="member",
            )

    def test_removal_by_super_referent_closes_account(self, relay_org, account_factory):
        staff = h.super_referent()
        person = factories.User()
        account = account_factory(user=person, organization_id=relay_org["id"])
        h.call("dinamis_relay_account_validate", staff, id=account["id"])
        h.call("organization_member_delete", staff, id=relay_org["id"], username=person["name"])
        _assert_closed_by_membership_removal(account, staff)

    def test_member_pages(self, app, relay_org):
        staff = h.super_referent()
        person = factories.User()
        token = factories.APIToken(user=staff["name"])["token"]
        headers = {"Authorization": token}

        page = app.get(f"/organization/manage_members/{relay_org['name']}", headers=headers)
        assert page.status_code == 200
        assert (
            app.get(f"/organization/member_new/{relay_org['name']}", headers=headers).status_code
            == 200
        )

        # Forms carry a CSRF token; API tokens are exempt from it in CKAN.
        response = app.post(
            f"/organization/member_new/{relay_org['name']}",
            data={"username": person["name"], "role": "member"},
            headers=headers,
            follow_redirects=False,
        )
        assert response.status_code == 302
        assert h.capacity(relay_org, person) == "member"

        response = app.post(
            f"/organization/member_new/{relay_org['name']}",
            data={"username": person["name"], "role": "admin"},
            headers=headers,
            follow_redirects=False,
        )
        assert response.status_code == 403
        assert h.capacity(relay_org, person) == "member"

        response = app.post(
            f"/organization/member_delete/{relay_org['name']}?user={person['id']}",
            headers=headers,
            follow_redirects=False,
        )
        assert response.status_code == 302
        assert h.capacity(relay_org, person) is None

    def test_member_pages_closed_on_classic_entity(self, app):
        staff = h.super_referent()
        org = h.entity("classic")
        token = factories.APIToken(user=staff["name"])["token"]
        response = app.get(
            f"/organization/manage_members/{org['name']}", headers={"Authorization": token}
        )
        assert response.status_code == 403
