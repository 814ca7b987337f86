"""The input layer's pieces on their own: generic validators, screening, GeoJSON, CSV."""

from __future__ import annotations

import contextlib
import datetime

import ckan.plugins.toolkit as tk
import pytest

from ckanext.dinamis_relay import geo
from ckanext.dinamis_relay.imports import account_csv
from ckanext.dinamis_relay.logic import validators as v
from ckanext.dinamis_relay.logic.schema import input as layer


def _run(validator, value):
    """Run a key-level validator on one value: (clean value, errors)."""
    key = ("field",)
    data = {key: value}
    errors: dict = {key: []}
    with contextlib.suppress(tk.StopOnError):
        validator(key, data, errors, {})
    return data.get(key), errors[key]


class TestWholeNumbers:
    @pytest.mark.parametrize("value", ["10", 10, " 10 ", "+10"])
    def test_accepted(self, value):
        assert _run(v.dinamis_relay_int(0, 100), value) == (10, [])

    @pytest.mark.parametrize(
        "value",
        ["abc", "\u0661\u0660", "\uff11\uff10", 1.5, True, [1], {"a": 1}, "1e3", "9" * 30],
    )
    def test_refused_with_one_message(self, value):
        _value, errors = _run(v.dinamis_relay_int(0, 100), value)
        assert errors == ["Must be a whole number"]

    def test_bounds(self):
        assert _run(v.dinamis_relay_offset, 10**19)[1] == ["Must be between 0 and 1000000000"]
        assert _run(v.dinamis_relay_limit, 0)[1] == ["Must be between 1 and 1000"]


class TestOtherTypes:
    def test_dates_within_sane_years(self):
        assert _run(v.dinamis_relay_date, "2026-03-01")[0] == datetime.date(2026, 3, 1)
        assert _run(v.dinamis_relay_date, "9999-12-31")[1] == [
            "Give a date between the years 1900 and 2200"
        ]
        assert _run(v.dinamis_relay_date, 20260301)[1] == ["Not a date (YYYY-MM-DD)"]

    @pytest.mark.parametrize(("value", "expected"), [("on", True), ("0", False), (1, True)])
    def test_booleans(self, value, expected):
        assert _run(v.dinamis_relay_bool, value) == (expected, [])

    @pytest.mark.parametrize("value", [2, "maybe", [True], {"a": 1}])
    def test_not_booleans(self, value):
        assert _run(v.dinamis_relay_bool, value)[1] == ["Give true or false"]

    def test_one_of_never_echoes_the_value(self):
        _value, errors = _run(v.dinamis_relay_one_of(("accept", "reject")), "x" * 150_000)
        assert errors == ["Unknown value; use one of: accept, reject"]

    @pytest.mark.parametrize("value", [1, ["a"], "a\x00", "\ud800", "x" * 501])
    def test_text(self, value):
        assert _run(v.dinamis_relay_text("short"), value)[1]

    def test_text_strips(self):
        assert _run(v.dinamis_relay_text(10), "  Pessac ") == ("Pessac", [])


class TestEmails:
    def test_huge_address_is_refused_on_its_length(self):
        with pytest.raises(tk.Invalid):
            v.dinamis_relay_email("a" * 300_000, {})

    @pytest.mark.parametrize("email", ["a@b", "a@@b.fr", "a b@c.fr", 5])
    def test_invalid(self, email):
        with pytest.raises(tk.Invalid):
            v.dinamis_relay_email(email, {})

    def test_valid_kept_as_typed(self):
        assert v.dinamis_relay_email(" Agent@Pessac.fr ", {}) == "Agent@Pessac.fr"

    def test_domains_deduplicated_and_bounded(self):
        assert v.dinamis_relay_email_domains(["a.fr", "A.fr", "@b.fr"] * 30, {}) == ["a.fr", "b.fr"]
        with pytest.raises(tk.Invalid):
            v.dinamis_relay_email_domains([f"d{n}.fr" for n in range(20_000)], {})

    def test_domain_error_quotes_an_excerpt(self):
        with pytest.raises(tk.Invalid) as error:
            v.dinamis_relay_email_domains(["x" * 200 + "!"], {})
        assert len(str(error.value.error)) < 100


class TestScreen:
    def test_nul_in_a_nested_value_names_the_field(self):
        with pytest.raises(tk.ValidationError) as error:
            layer.screen({"area": {"coordinates": [["\x00"]]}})
        assert error.value.error_dict == {"area": ["Must not contain a NUL character"]}

    def test_nesting(self):
        nested: list = []
        for _ in range(30):
            nested = [nested]
        with pytest.raises(tk.ValidationError) as error:
            layer.screen({"q": nested})
        assert error.value.error_dict == {"q": ["Nested too deeply (at most 20 levels)"]}

    def test_size(self):
        with pytest.raises(tk.ValidationError) as error:
            layer.screen({"a": "x" * 2_000_000, "b": "y" * 1_500_000})
        assert list(error.value.error_dict) == ["b"]

    def test_not_an_object(self):
        with pytest.raises(tk.ValidationError):
            layer.screen(["a"])


class TestGeoJson:
    def test_depth_is_checked_before_parsing(self):
        assert geo.json_depth_exceeds("[" * 5000 + "]" * 5000, 20)
        assert not geo.json_depth_exceeds('{"a": "[[[[[[[[[[[[[[[[[[[[[[["}', 3)
        with pytest.raises(geo.AreaError):
            geo.validate_area("[" * 5000 + "]" * 5000)

    def test_antimeridian_area(self):
        # 0.2° x 0.1° across the antimeridian at 17° S: about 236 km², not 444,869.
        ring = [[179.9, -17.0], [-179.9, -17.0], [-179.9, -16.9], [179.9, -16.9], [179.9, -17.0]]
        _geometry, km2 = geo.validate_area({"type": "Polygon", "coordinates": [ring]})
        assert 230 < km2 < 240

    def test_invalid_geometry_explained_without_library_text(self):
        bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
        with pytest.raises(geo.AreaError) as error:
            geo.validate_area(bowtie)
        message = str(error.value)
        assert "crosses itself" in message
        assert "Self-intersection" not in message and "[" not in message


class TestCsvText:
    @pytest.mark.parametrize("data", [1, {"a": 1}, ["email"]])
    def test_not_text(self, data):
        with pytest.raises(account_csv.CsvError):
            account_csv.parse(data)

    def test_nul(self):
        with pytest.raises(account_csv.CsvError):
            account_csv.parse("email,fullname,job_title,intended_use\n\x00,a,b,c\n")
