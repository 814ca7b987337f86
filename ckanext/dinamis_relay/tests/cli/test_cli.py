"""`ckan dinamis-relay expire`, meant for cron."""

from __future__ import annotations

import datetime

import ckan.model as model
import pytest
from ckan.cli.cli import ckan

from ckanext.dinamis_relay.model import Adhesion

from .. import factories as f


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestExpireCommand:
    def _ending(self) -> dict:
        adhesion = f.adhesion("accepted")
        row = model.Session.get(Adhesion, adhesion["id"])
        assert row is not None
        row.valid_until = datetime.date.today() - datetime.timedelta(days=1)
        model.Session.commit()
        return adhesion

    def test_dry_run_changes_nothing(self, cli):
        adhesion = self._ending()
        before = f.db_snapshot()

        result = cli.invoke(ckan, ["dinamis-relay", "expire", "--dry-run"])

        assert result.exit_code == 0, result.output
        assert "[dry run] 1 adhesions expired" in result.output
        assert adhesion["id"] in result.output
        assert f.db_snapshot() == before

    def test_expire(self, cli):
        adhesion = self._ending()

        result = cli.invoke(ckan, ["dinamis-relay", "expire"])

        assert result.exit_code == 0, result.output
        assert "1 adhesions expired" in result.output
        assert "0 reminders sent" in result.output
        model.Session.expire_all()
        row = model.Session.get(Adhesion, adhesion["id"])
        assert row is not None and row.state == "expired"
