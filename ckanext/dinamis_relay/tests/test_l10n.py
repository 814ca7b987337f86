"""Dates, numbers and state labels as people read them, in English and French."""

from __future__ import annotations

import datetime

import pytest

from ckanext.dinamis_relay import geo, helpers, l10n, labels


@pytest.fixture
def french(test_request_context):
    with test_request_context(environ_overrides={"CKAN_LANG": "fr"}):
        yield


@pytest.fixture
def english(test_request_context):
    with test_request_context(environ_overrides={"CKAN_LANG": "en"}):
        yield


@pytest.mark.usefixtures("with_plugins")
class TestFormatting:
    @pytest.mark.usefixtures("french")
    def test_french_date_from_a_date_a_datetime_or_dictize_iso(self):
        assert l10n.format_date(datetime.date(2027, 3, 12)) == "12 mars 2027"
        assert l10n.format_date(datetime.datetime(2027, 3, 12, 23, 5)) == "12 mars 2027"
        assert l10n.format_date("2027-03-12") == "12 mars 2027"
        assert l10n.format_date("2027-03-12T08:00:00") == "12 mars 2027"

    @pytest.mark.usefixtures("english")
    def test_english_date(self):
        assert l10n.format_date(datetime.date(2027, 3, 12)) == "March 12, 2027"

    def test_no_date_and_not_a_date(self):
        assert l10n.format_date(None) == ""
        assert l10n.format_date("") == ""
        assert l10n.format_date("soon") == "soon"

    def test_outside_a_request_uses_the_default_locale(self, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckan.locale_default", "fr")
        assert l10n.format_date(datetime.date(2027, 3, 12)) == "12 mars 2027"

    @pytest.mark.usefixtures("french")
    def test_french_thousands(self):
        # French groups digits with a (narrow) no-break space.
        assert l10n.format_decimal(12345.6).replace("\u202f", " ").replace("\xa0", " ") == (
            "12 346"
        )

    @pytest.mark.usefixtures("english")
    def test_english_thousands(self):
        assert l10n.format_decimal(12345.6) == "12,346"

    @pytest.mark.usefixtures("french")
    def test_area_error_in_french(self, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.imagery.max_area_km2", 1000)
        square = {
            "type": "Polygon",
            "coordinates": [[[0, 44], [2, 44], [2, 46], [0, 46], [0, 44]]],
        }
        with pytest.raises(geo.AreaError) as error:
            geo.validate_area(square)
        assert "km²" in str(error.value)
        assert "," not in str(error.value)


@pytest.mark.usefixtures("with_plugins", "french")
class TestStateLabelsAgree:
    """The same English word says a different French one for each kind of object."""

    def test_adhesion_is_feminine(self):
        states = labels.adhesion_states()
        assert states["suspended"] == "Suspendue"
        assert states["accepted"] == "Acceptée"
        assert states["expired"] == "Expirée"

    def test_account_is_masculine(self):
        states = labels.account_states()
        assert states["suspended"] == "Suspendu"
        assert states["active"] == "Actif"
        assert states["closed"] == "Clôturé"

    def test_imagery_request_is_feminine(self):
        assert labels.imagery_states()["submitted"] == "Soumise"
        assert labels.imagery_events()["create"] == "Créée"

    def test_helpers_use_the_same_labels(self):
        assert helpers.dinamis_relay_label("account_state", "suspended") == "Suspendu"
        assert helpers.dinamis_relay_label("state", "suspended") == "Suspendue"
        assert helpers.dinamis_relay_event_label("suspend") == "Suspendue"
