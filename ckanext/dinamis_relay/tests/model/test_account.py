"""The account table as migrated matches the model; the migration goes down and up again;
transitions send the account signal."""

from __future__ import annotations

import ckan.model as model
import pytest
import sqlalchemy as sa
from ckan.tests import factories

from ckanext.dinamis_relay import signals
from ckanext.dinamis_relay.model import Account

from .. import account_helpers as h


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestTable:
    def test_migration_matches_model(self):
        inspector = sa.inspect(model.Session.get_bind())
        columns = {c["name"]: c for c in inspector.get_columns("dinamis_relay_account")}
        assert set(columns) == {c.name for c in Account.__table__.columns}
        for column in Account.__table__.columns:
            assert columns[column.name]["nullable"] == column.nullable, column.name
        indexes = {i["name"] for i in inspector.get_indexes("dinamis_relay_account")}
        assert indexes == {i.name for i in Account.__table__.indexes}

    def test_one_live_account_per_person_and_entity(self):
        # Rows, not the request action: the table's own unique index is under test (the
        # action refuses a second request before the database would).
        org = h.entity("classic")
        user = factories.User()
        model.Session.add(Account(user_id=user["id"], organization_id=org["id"]))
        model.Session.commit()
        model.Session.add(Account(user_id=user["id"], organization_id=org["id"]))
        with pytest.raises(sa.exc.IntegrityError):
            model.Session.commit()
        model.Session.rollback()
        # Refused and closed accounts are history and do not count.
        model.Session.add(Account(user_id=user["id"], organization_id=org["id"], state="closed"))
        model.Session.add(Account(user_id=user["id"], organization_id=org["id"], state="refused"))
        model.Session.commit()

    def test_downgrade_and_upgrade(self, migrate_db_for):
        bind = model.Session.get_bind()
        model.Session.remove()
        migrate_db_for("dinamis_relay", "0001_adhesion", False)
        assert "dinamis_relay_account" not in sa.inspect(bind).get_table_names()
        migrate_db_for("dinamis_relay")
        assert "dinamis_relay_account" in sa.inspect(bind).get_table_names()


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_transitions_send_the_account_signal(account_factory):
    referent = factories.User()
    org = h.entity("classic", referent=referent)
    received = []

    def receiver(sender, **kwargs):
        received.append((sender, kwargs["action"], kwargs["from_state"], kwargs["to_state"]))

    signals.account_transition.connect(receiver)
    try:
        account = account_factory(user=factories.User(), organization_id=org["id"])
        h.call("dinamis_relay_account_validate", referent, id=account["id"])
    finally:
        signals.account_transition.disconnect(receiver)
    assert received == [
        (account["id"], "request", None, "requested"),
        (account["id"], "validate", "requested", "active"),
    ]
