"""DINAMIS imagery datasets are seen (Solr search, package_show) only by who may use them."""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories

from .. import factories as f
from .. import imagery_helpers as h


def _search(user: dict[str, Any] | None, q: str = "*:*") -> set[str]:
    context = {"user": user["name"] if user else "", "ignore_auth": False}
    result = tk.get_action("package_search")(context, {"q": q, "rows": 100})
    return {d["name"] for d in result["results"]}


def _can_show(user: dict[str, Any] | None, name: str) -> bool:
    try:
        h.call("package_show", user, id=name)
    except tk.NotAuthorized:
        return False
    return True


def _imagery_dataset(code: str = h.SPOT, **fields: Any) -> dict[str, Any]:
    publisher = factories.Organization()
    return factories.Dataset(
        owner_org=publisher["id"], extras=[{"key": "dinamis_licence", "value": code}], **fields
    )


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestVisibility:
    def test_who_sees_an_imagery_dataset(self):
        w = h.world()
        spot = _imagery_dataset(h.SPOT, name="spot-2025")
        open_data = factories.Dataset(name="cadastre", owner_org=factories.Organization()["id"])
        publisher_member = factories.User()
        h.call(
            "organization_member_create",
            w.sysadmin,
            id=spot["owner_org"],
            username=publisher_member["name"],
            role="member",
        )

        seen = {name: _search(user) for name, user in w.roles().items()}
        seen["publisher_member"] = _search(publisher_member)

        allowed = {
            "requester",
            "classic_requester",
            "super_referent",
            "instructor",
            "sysadmin",
            "publisher_member",
        }
        for role, names in seen.items():
            assert "cadastre" in names, role
            assert ("spot-2025" in names) == (role in allowed), role
        for role, user in {**w.roles(), "publisher_member": publisher_member}.items():
            assert _can_show(user, "spot-2025") == (role in allowed), role
        assert _can_show(None, open_data["name"])

    def test_a_licence_not_accepted_gives_no_access(self):
        user = factories.User()
        org, _adhesion = f.entity("relay", licences=(h.PLEIADES,))
        h.account(user, org)
        _imagery_dataset(h.SPOT, name="spot-only")
        _imagery_dataset(h.PLEIADES, name="pleiades-only")

        assert _search(user) == {"pleiades-only"}
        assert not _can_show(user, "spot-only")
        assert _can_show(user, "pleiades-only")

    def test_suspending_the_account_hides_the_dataset_at_once(self):
        user = factories.User()
        org, _adhesion = f.entity("relay")
        account = h.account(user, org)
        _imagery_dataset(h.SPOT, name="spot-2025")
        assert _search(user) == {"spot-2025"}
        assert _can_show(user, "spot-2025")

        h.set_account_state(account, "suspended")

        assert _search(user) == set()
        assert not _can_show(user, "spot-2025")

    def test_accepting_the_adhesion_shows_the_dataset_at_once(self):
        user = factories.User()
        org, adhesion = f.entity("relay", state="pending_instruction")
        h.account(user, org)
        _imagery_dataset(h.SPOT, name="spot-2025")
        assert _search(user) == set()
        assert not _can_show(user, "spot-2025")

        h.set_adhesion_state(adhesion, "accepted")

        assert _search(user) == {"spot-2025"}
        assert _can_show(user, "spot-2025")

    def test_suspended_adhesion_and_expired_account_give_no_access(self):
        user, other = factories.User(), factories.User()
        org, adhesion = f.entity("classic")
        h.account(user, org, state="expired")
        h.account(other, org)
        _imagery_dataset(h.SPOT, name="spot-2025")
        assert _search(user) == set()
        assert _search(other) == {"spot-2025"}

        h.set_adhesion_state(adhesion, "suspended")

        assert _search(other) == set()

    def test_resources_follow_the_dataset(self):
        user = factories.User()
        dataset = _imagery_dataset(h.SPOT)
        resource = factories.Resource(package_id=dataset["id"], url="http://example.org/a.tif")
        with pytest.raises(tk.NotAuthorized):
            h.call("resource_show", user, id=resource["id"])
        org, _adhesion = f.entity("relay")
        h.account(user, org)
        assert h.call("resource_show", user, id=resource["id"])["id"] == resource["id"]

    def test_private_imagery_dataset_stays_private(self):
        user = factories.User()
        org, _adhesion = f.entity("relay")
        h.account(user, org)
        _imagery_dataset(h.SPOT, name="private-spot", private=True)
        assert _search(user) == set()


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestLicenceField:
    def test_top_level_field_is_stored_as_an_extra(self):
        org = factories.Organization()
        sysadmin = factories.Sysadmin()
        dataset = h.call(
            "package_create", sysadmin, name="spot-a", owner_org=org["id"], dinamis_licence=h.SPOT
        )
        extras = {e["key"]: e["value"] for e in dataset["extras"]}
        assert extras == {"dinamis_licence": h.SPOT}
        assert _search(factories.User()) == set()

    def test_update_keeps_other_extras_and_clearing_makes_it_public(self):
        sysadmin = factories.Sysadmin()
        dataset = factories.Dataset(
            owner_org=factories.Organization()["id"],
            extras=[{"key": "source", "value": "IGN"}, {"key": "dinamis_licence", "value": h.SPOT}],
        )
        outsider = factories.User()
        assert _search(outsider) == set()

        h.call("package_patch", sysadmin, id=dataset["id"], dinamis_licence="")

        shown = h.call("package_show", sysadmin, id=dataset["id"])
        assert {e["key"]: e["value"] for e in shown["extras"]} == {"source": "IGN"}
        assert _search(outsider) == {dataset["name"]}

    @pytest.mark.parametrize("value", ["dinamis-unknown", "SPOT", ["dinamis-spot67"]])
    def test_unknown_licence_is_refused(self, value):
        org = factories.Organization()
        sysadmin = factories.Sysadmin()
        with pytest.raises(tk.ValidationError) as error:
            h.call(
                "package_create", sysadmin, name="bad", owner_org=org["id"], dinamis_licence=value
            )
        assert "dinamis_licence" in error.value.error_dict
        with pytest.raises(tk.ValidationError):
            h.call(
                "package_create",
                sysadmin,
                name="bad2",
                owner_org=org["id"],
                extras=[{"key": "dinamis_licence", "value": "nope"}],
            )
        assert model.Package.get("bad") is None and model.Package.get("bad2") is None

    def test_licences_come_from_config(self, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.licences", "dinamis-neo:2025-01-01")
        org = factories.Organization()
        sysadmin = factories.Sysadmin()
        h.call(
            "package_create",
            sysadmin,
            name="neo",
            owner_org=org["id"],
            dinamis_licence="dinamis-neo",
        )
        with pytest.raises(tk.ValidationError):
            h.call(
                "package_create", sysadmin, name="spot", owner_org=org["id"], dinamis_licence=h.SPOT
            )
