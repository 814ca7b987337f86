"""Bad input gets a clear error and changes nothing (the database is compared)."""

from __future__ import annotations

import datetime

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories

from ckanext.dinamis_relay.procedure import tokens

from .. import factories as f


def _refused(exception, user, action, **data):
    """Call an action that must fail; return its error and check nothing was stored."""
    before = f.db_snapshot()
    with pytest.raises(exception) as error:
        f.call(action, user, **data)
    assert f.db_snapshot() == before
    return error.value


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestBadInput:
    def test_malformed_siret(self):
        adhesion = f.adhesion("draft")
        error = _refused(
            tk.ValidationError,
            adhesion["referent_dict"],
            "patch",
            id=adhesion["id"],
            siret="12345678901234",
        )
        assert error.error_dict == {"siret": ["This SIRET number is not valid (wrong check digit)"]}

    def test_unknown_organization(self):
        error = _refused(
            tk.ValidationError,
            factories.Sysadmin(),
            "create",
            organization_id="nowhere",
            mode="classic",
        )
        assert error.error_dict == {"organization_id": ["Organization not found"]}

    def test_mode_is_required(self):
        org = factories.Organization()
        error = _refused(
            tk.ValidationError, factories.Sysadmin(), "create", organization_id=org["id"]
        )
        assert error.error_dict == {"mode": ["Missing value"]}

    def test_unknown_referent(self):
        adhesion = f.adhesion("draft")
        error = _refused(
            tk.ValidationError,
            adhesion["referent_dict"],
            "patch",
            id=adhesion["id"],
            referent_user_id="ghost",
        )
        assert error.error_dict == {"referent_user_id": ["User not found"]}

    def test_second_create_while_in_progress(self):
        adhesion = f.adhesion("pending_instruction")
        error = _refused(
            tk.ValidationError,
            factories.Sysadmin(),
            "create",
            organization_id=adhesion["organization_id"],
            mode="classic",
        )
        assert "already has an adhesion" in error.error_dict["organization_id"][0]

    def test_second_submit(self):
        adhesion = f.adhesion("pending_legal_validation")
        error = _refused(tk.ValidationError, adhesion["referent_dict"], "submit", id=adhesion["id"])
        assert error.error_dict == {
            "state": [
                "“Submit” is not possible while the status is “Awaiting the legal representative”."
            ]
        }

    def test_incomplete_submit_lists_missing_fields(self):
        admin = factories.User()
        org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}])
        draft = f.call(
            "create",
            admin,
            organization_id=org["id"],
            mode="classic",
            eligibility_category=("company_public_actor_or_rd"),
        )
        error = _refused(tk.ValidationError, admin, "submit", id=draft["id"])
        assert {"siret", "legal_rep_email", "referent_phone", "eligibility_justification"} <= set(
            error.error_dict
        )
        assert "legal_name" not in error.error_dict  # defaulted to the organization's title

    def test_reused_link(self):
        adhesion = f.adhesion("pending_legal_validation")
        token = f.legal_token(adhesion["id"])
        f.call("legal_validate", None, token=token, decision="accept")
        error = _refused(tk.ValidationError, None, "legal_validate", token=token, decision="accept")
        assert error.error_dict == {
            "token": ["This validation link has already been used or replaced."]
        }
        with pytest.raises(tk.ValidationError):
            f.call("legal_show", None, token=token)

    def test_expired_link(self, ckan_config, monkeypatch):
        adhesion = f.adhesion("pending_legal_validation")
        token = f.legal_token(adhesion["id"])
        # The signature is older than the allowed age.
        later = datetime.datetime.now().timestamp() + tokens.link_hours() * 3600 + 60
        monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
        error = _refused(tk.ValidationError, None, "legal_validate", token=token, decision="accept")
        assert "expired" in error.error_dict["token"][0]

    def test_tampered_link(self):
        adhesion = f.adhesion("pending_legal_validation")
        token = f.legal_token(adhesion["id"])
        tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
        error = _refused(
            tk.ValidationError, None, "legal_validate", token=tampered, decision="accept"
        )
        assert error.error_dict == {"token": ["This validation link is invalid."]}
        forged = tokens.URLSafeTimedSerializer("not-the-secret", salt=tokens.SALT).dumps(
            {"a": adhesion["id"], "n": "guess"}
        )
        _refused(tk.ValidationError, None, "legal_validate", token=forged, decision="accept")

    def test_bad_legal_decision(self):
        adhesion = f.adhesion("pending_legal_validation")
        error = _refused(
            tk.ValidationError,
            None,
            "legal_validate",
            token=f.legal_token(adhesion["id"]),
            decision="maybe",
        )
        assert list(error.error_dict) == ["decision"]

    def test_decision_by_someone_not_instructor(self):
        staff = f.staff()
        adhesion = f.adhesion("pending_instruction")
        for user in (adhesion["referent_dict"], staff.super_referent, factories.User()):
            _refused(tk.NotAuthorized, user, "decide", id=adhesion["id"], decision="accept")

    def test_reject_without_reason(self):
        staff = f.staff()
        adhesion = f.adhesion("pending_instruction")
        error = _refused(
            tk.ValidationError, staff.instructor, "decide", id=adhesion["id"], decision="reject"
        )
        assert error.error_dict == {"reason": ["Give the reason for this decision"]}

    @pytest.mark.parametrize(
        ("state", "action", "data"),
        [
            ("draft", "decide", {"decision": "accept"}),
            ("accepted", "decide", {"decision": "reject", "reason": "x"}),
            ("accepted", "submit", {}),
            ("accepted", "patch", {"acronym": "X"}),
            ("draft", "suspend", {"reason": "x"}),
            ("accepted", "reinstate", {}),
            ("suspended", "terminate", {"reason": "x"}),
            ("accepted", "renew", {}),
            ("rejected", "renew", {}),
            ("pending_instruction", "update", {}),
        ],
    )
    def test_transition_from_wrong_state(self, state, action, data):
        adhesion = f.adhesion(state)
        error = _refused(
            tk.ValidationError, factories.Sysadmin(), action, id=adhesion["id"], **data
        )
        assert list(error.error_dict) == ["state"]

    def test_unknown_adhesion(self):
        _refused(tk.ObjectNotFound, factories.Sysadmin(), "submit", id="nope")
        _refused(tk.ObjectNotFound, factories.Sysadmin(), "show", organization_id="nope")
