"""Field validators of the adhesion form: SIRET, postcodes, départements, phones, domains."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest

from ckanext.dinamis_relay.logic import validators as v

from .. import factories as f


def _invalid(validator, value) -> str:
    with pytest.raises(tk.Invalid) as error:
        validator(value, {})
    return str(error.value.error)


class TestSiret:
    @pytest.mark.parametrize(
        "siret",
        [
            "73282932000074",  # Apple France, a real SIRET
            "732 829 320 00074",
            "21330318800014",  # a commune
        ],
    )
    def test_valid_luhn(self, siret):
        assert v.dinamis_relay_siret(siret, {}) == siret.replace(" ", "")

    def test_generated_sirets_are_valid(self):
        for seed in range(50):
            assert v.siret_valid(f.valid_siret(seed))

    @pytest.mark.parametrize("siret", ["73282932000075", "12345678901235", "21330318800017"])
    def test_wrong_check_digit(self, siret):
        assert "check digit" in _invalid(v.dinamis_relay_siret, siret)

    @pytest.mark.parametrize("siret", ["1234", "7328293200007A", "732829320000745"])
    def test_wrong_length_or_letters(self, siret):
        assert "14 digits" in _invalid(v.dinamis_relay_siret, siret)

    def test_la_poste_digit_sum_multiple_of_five(self):
        # 35600000000051 fails Luhn but its digits add up to 20; ...52 adds up to 21.
        assert v.dinamis_relay_siret("35600000000051", {}) == "35600000000051"
        assert not v.luhn_valid("35600000000051")
        assert "check digit" in _invalid(v.dinamis_relay_siret, "35600000000052")

    def test_la_poste_headquarters_passes_luhn_too(self):
        assert v.siret_valid("35600000000048")

    def test_empty_is_left_to_required_checks(self):
        assert v.dinamis_relay_siret("", {}) == ""


class TestPostcodeAndDepartment:
    @pytest.mark.parametrize("postcode", ["33600", "75001", "20000", "20200", "97400", "01000"])
    def test_valid_postcodes(self, postcode):
        assert v.dinamis_relay_postcode(postcode, {}) == postcode

    @pytest.mark.parametrize("postcode", ["3360", "336000", "ABCDE", "00100", "96100", "97700"])
    def test_invalid_postcodes(self, postcode):
        assert _invalid(v.dinamis_relay_postcode, postcode)

    @pytest.mark.parametrize(
        ("value", "expected"),
        [("33", "33"), ("2a", "2A"), ("2B", "2B"), ("974", "974"), ("1", "01")],
    )
    def test_valid_departments(self, value, expected):
        assert v.dinamis_relay_department(value, {}) == expected

    @pytest.mark.parametrize("value", ["20", "96", "977", "00", "2C"])
    def test_invalid_departments(self, value):
        assert "département" in _invalid(v.dinamis_relay_department, value)

    @pytest.mark.parametrize(
        ("postcode", "department", "ok"),
        [
            ("33600", "33", True),
            ("33600", "47", False),
            ("20000", "2A", True),
            ("20200", "2B", True),
            ("20200", "33", False),
            ("97400", "974", True),
            ("97400", "971", False),
        ],
    )
    def test_postcode_in_department(self, postcode, department, ok):
        errors: dict = {}
        data = {("postcode",): postcode, ("department",): department}
        v.dinamis_relay_postcode_matches_department(("__after",), data, errors, {})
        assert (not errors) is ok


class TestOtherFields:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("0557936363", "05 57 93 63 63"),
            ("05.57.93.63.63", "05 57 93 63 63"),
            ("+33 5 57 93 63 63", "05 57 93 63 63"),
            ("+33 (0)5 57 93 63 63", "05 57 93 63 63"),
            ("0033557936363", "05 57 93 63 63"),
            ("+262 262 12 34 56", "+262262123456"),
        ],
    )
    def test_phones(self, value, expected):
        assert v.dinamis_relay_phone(value, {}) == expected

    @pytest.mark.parametrize("value", ["12345", "0057936363", "phone", "05 57 93 63"])
    def test_bad_phones(self, value):
        assert _invalid(v.dinamis_relay_phone, value)

    def test_email_domains_from_text_and_list(self):
        assert v.dinamis_relay_email_domains("Pessac.fr, @mairie-pessac.fr  pessac.fr", {}) == [
            "pessac.fr",
            "mairie-pessac.fr",
        ]
        assert v.dinamis_relay_email_domains(["A.FR", "b.fr"], {}) == ["a.fr", "b.fr"]
        assert v.dinamis_relay_email_domains("", {}) == []

    def test_bad_email_domain(self):
        assert "not a valid domain" in _invalid(v.dinamis_relay_email_domains, "pessac, x.fr")

    def test_website(self):
        assert v.dinamis_relay_website("www.pessac.fr", {}) == "https://www.pessac.fr"
        assert v.dinamis_relay_website("http://a.fr/x?y=1", {}) == "http://a.fr/x?y=1"
        assert _invalid(v.dinamis_relay_website, "ftp://a.fr")
        assert _invalid(v.dinamis_relay_website, "not a website")

    def test_email(self):
        assert v.dinamis_relay_email(" maire@pessac.fr ", {}) == "maire@pessac.fr"
        assert _invalid(v.dinamis_relay_email, "maire@pessac")

    def test_choice_lists(self):
        assert v.dinamis_relay_entity_type("epci_ca", {}) == "epci_ca"
        assert _invalid(v.dinamis_relay_entity_type, "club")
        assert _invalid(v.dinamis_relay_eligibility_category, "company")
        assert _invalid(v.dinamis_relay_mode, "express")


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestValidatorsRegistered:
    def test_registered_with_ckan(self):
        assert tk.get_validator("dinamis_relay_siret") is v.dinamis_relay_siret

    def test_errors_are_per_field(self):
        sysadmin = f.factories.Sysadmin()
        org = f.factories.Organization()
        with pytest.raises(tk.ValidationError) as error:
            f.call(
                "create",
                sysadmin,
                organization_id=org["id"],
                mode="classic",
                siret="12345678901234",
                postcode="3360",
                legal_rep_email="nope",
                entity_type="club",
                email_domains="pessac",
            )
        assert set(error.value.error_dict) == {
            "siret",
            "postcode",
            "legal_rep_email",
            "entity_type",
            "email_domains",
        }
