"""adhesion_list: what each role sees, filters, paging, and a constant number of queries."""

from __future__ import annotations

import contextlib

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan.tests import factories

from .. import factories as f


def _ids(result: dict) -> set[str]:
    return {item["id"] for item in result["results"]}


@contextlib.contextmanager
def _count_queries():
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    engine = model.Session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestAdhesionList:
    def test_visibility_by_role(self):
        staff = f.staff()
        draft = f.adhesion("draft")
        pending = f.adhesion("pending_instruction")
        relay = f.adhesion("accepted", mode="relay")
        admin = factories.User()
        tk.get_action("organization_member_create")(
            {"ignore_auth": True},
            {"id": pending["organization_id"], "username": admin["name"], "role": "admin"},
        )
        every = {draft["id"], pending["id"], relay["id"]}

        assert _ids(f.call("list", staff.sysadmin)) == every
        # Super-referents see relay-mode applications only.
        assert _ids(f.call("list", staff.super_referent)) == {relay["id"]}
        assert _ids(f.call("list", staff.instructor)) == {pending["id"], relay["id"]}
        assert _ids(f.call("list", draft["referent_dict"])) == {draft["id"]}
        assert _ids(f.call("list", admin)) == {pending["id"]}
        assert f.call("list", factories.User()) == {"count": 0, "results": []}
        with pytest.raises(tk.NotAuthorized):
            f.call("list", None)

    def test_filters_and_paging(self):
        staff = f.staff()
        a = f.adhesion("draft", legal_name="Commune de Pessac")
        b = f.adhesion("pending_instruction", legal_name="Bordeaux Métropole")
        c = f.adhesion("accepted", mode="relay", legal_name="Commune de Talence")
        sr = staff.sysadmin

        assert _ids(f.call("list", sr, state="draft")) == {a["id"]}
        assert _ids(f.call("list", sr, mode="relay")) == {c["id"]}
        assert _ids(f.call("list", sr, q="commune")) == {a["id"], c["id"]}
        assert _ids(f.call("list", sr, q="100%")) == set()
        assert _ids(f.call("list", sr, organization_id=b["organization_dict"]["name"])) == {b["id"]}
        page1 = f.call("list", sr, limit=2, offset=0)
        page2 = f.call("list", sr, limit=2, offset=2)
        assert page1["count"] == page2["count"] == 3
        assert len(page1["results"]) == 2 and len(page2["results"]) == 1
        assert _ids(page1) | _ids(page2) == {a["id"], b["id"], c["id"]}
        assert page1["results"][0]["organization"]["name"]

    def test_bad_filters(self):
        sr = f.staff().super_referent
        with pytest.raises(tk.ValidationError) as error:
            f.call("list", sr, state="nope", limit="-1", organization_id="nowhere")
        assert set(error.value.error_dict) == {"state", "limit", "organization_id"}
        with pytest.raises(tk.ValidationError):
            f.call("list", sr, limit=5000)

    def test_previous_applications_on_request(self):
        staff = f.staff()
        old = f.adhesion("expired")
        new = f.call("renew", staff.sysadmin, id=old["id"])
        assert _ids(f.call("list", staff.sysadmin)) == {new["id"]}
        assert _ids(f.call("list", staff.sysadmin, include_previous=True)) == {
            old["id"],
            new["id"],
        }

    @pytest.mark.parametrize("role", ["sysadmin", "instructor", "referent"])
    def test_constant_number_of_queries(self, role):
        staff = f.staff()
        referent = factories.User()
        for _ in range(6):
            f.adhesion("pending_instruction", referent=referent)
        user = {"sysadmin": staff.sysadmin, "instructor": staff.instructor}.get(role, referent)

        counts = []
        for limit in (1, 6):
            model.Session.remove()
            # Roles are computed once per context, before counting.
            context = {"user": user["name"]}
            tk.get_action("dinamis_relay_roles_show")(context, {})
            with _count_queries() as statements:
                result = tk.get_action("dinamis_relay_adhesion_list")(context, {"limit": limit})
            assert len(result["results"]) == limit
            counts.append(len(statements))
        assert counts[0] == counts[1]
