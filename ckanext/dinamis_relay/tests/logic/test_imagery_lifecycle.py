"""New imagery requests: drafting, submission, review, DINAMIS, thread, notifications."""

from __future__ import annotations

import datetime
import re

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa

from ckanext.dinamis_relay.model import AuditEvent, ImageryRequest

from .. import factories as f
from .. import imagery_helpers as h
from ..factories import sent_emails


def _create(w: h.World, user=None, **overrides):
    return f.ImageryRequestFactory(user=user or w.requester, **overrides)


def _transition(user, request_id, transition, **data):
    return h.call(
        "dinamis_relay_imagery_request_transition",
        user,
        id=request_id,
        transition=transition,
        **data,
    )


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestDraft:
    def test_create_stores_a_normalised_draft(self):
        w = h.world()
        created = _create(w)

        assert created["state"] == "draft"
        assert created["organization_id"] == w.relay_entity["id"]
        assert created["reviewer"] == "relay"
        assert created["number"] is None
        assert created["area"]["type"] == "Polygon"
        assert 80 < created["area_km2"] < 95
        assert created["period_start"] == h.request_data()["period_start"]
        assert created["sensor"] == "pleiades" and created["max_cloud_cover"] == 10
        assert created["can_edit"] is True
        assert created["allowed_transitions"] == ["cancel"]
        events = model.Session.execute(
            sa.select(AuditEvent.action).where(AuditEvent.object_id == created["id"])
        ).scalars()
        assert list(events) == ["create"]

    def test_defaults_and_geojson_string_and_feature_collection(self):
        w = h.world()
        collection = {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {}, "geometry": h.SQUARE}],
        }
        import json

        created = h.call(
            "dinamis_relay_imagery_request_create",
            w.requester,
            title="Archive",
            area=json.dumps(collection),
            period_start="2020-01-01",
            period_end="2020-12-31",
            sensor="spot67",
            intended_use="Occupation du sol",
        )
        assert created["acquisition_mode"] == "archive"
        assert created["max_cloud_cover"] == 20 and created["max_viewing_angle"] == 30
        assert created["stereo"] is False
        assert created["area"]["type"] == "Polygon"

    def test_classic_entity_is_reviewed_by_its_referent(self):
        w = h.world()
        created = _create(w, w.classic_requester)
        assert created["reviewer"] == "referent"

    def test_update_changes_only_given_fields(self):
        w = h.world()
        created = _create(w)
        updated = h.call(
            "dinamis_relay_imagery_request_update",
            w.requester,
            id=created["id"],
            sensor="pleiades_neo",
            stereo=True,
        )
        assert updated["sensor"] == "pleiades_neo" and updated["stereo"] is True
        assert updated["title"] == created["title"]
        assert updated["area"] == created["area"]

    def test_entity_must_be_chosen_with_two_accounts(self):
        w = h.world()
        h.account(w.requester, w.classic_entity)
        with pytest.raises(tk.ValidationError) as error:
            _create(w)
        assert "organization_id" in error.value.error_dict
        created = _create(w, organization_id=w.classic_entity["id"])
        assert created["organization_id"] == w.classic_entity["id"]


@pytest.mark.usefixtures("with_plugins", "clean_db", "mail_server")
class TestLifecycle:
    def test_full_path_to_delivery(self, mail_server, run_jobs):
        w = h.world()
        created = _create(w)

        submitted = h.call("dinamis_relay_imagery_request_submit", w.requester, id=created["id"])
        assert submitted["state"] == "submitted"
        assert re.fullmatch(rf"IMG-{datetime.date.today().year}-\d{{5}}", submitted["number"])
        run_jobs()
        emails = sent_emails(mail_server)
        assert [e["to"] for e in emails] == [[w.super_referent["email"]]]
        assert submitted["number"] in emails[0]["subject"]

        steps = [
            (w.super_referent, "review", "in_review"),
            (w.super_referent, "forward", "forwarded"),
            (w.instructor, "accept", "accepted"),
            (w.instructor, "start", "in_progress"),
            (w.instructor, "deliver", "delivered"),
            (w.requester, "close", "closed"),
        ]
        for user, transition, state in steps:
            shown = _transition(user, created["id"], transition)
            assert shown["state"] == state, transition

        history = h.call("dinamis_relay_imagery_request_show", w.requester, id=created["id"])[
            "history"
        ]
        assert [e["action"] for e in history] == [
            "create",
            "submit",
            "review",
            "forward",
            "accept",
            "start",
            "deliver",
            "close",
        ]
        assert history[-1]["from_state"] == "delivered" and history[-1]["to_state"] == "closed"
        row = model.Session.get(ImageryRequest, created["id"])
        assert row.forwarded_at is not None and row.closed_at is not None

    def test_forward_emails_instructors_and_requester(self, mail_server, run_jobs):
        w = h.world()
        created = _create(w)
        h.call("dinamis_relay_imagery_request_submit", w.requester, id=created["id"])
        _transition(w.super_referent, created["id"], "review")
        run_jobs()
        before = len(sent_emails(mail_server))

        _transition(w.super_referent, created["id"], "forward", comment="Pas d'archive récente")
        run_jobs()

        emails = sent_emails(mail_server)[before:]
        recipients = sorted(e["to"][0] for e in emails)
        assert recipients == sorted([w.instructor["email"], w.requester["email"]])
        to_requester = next(e for e in emails if e["to"] == [w.requester["email"]])
        assert "Pas d'archive récente" in to_requester["body"]

    def test_answer_needs_a_comment_and_joins_the_thread(self):
        w = h.world()
        created = _create(w, w.classic_requester)
        h.call("dinamis_relay_imagery_request_submit", w.classic_requester, id=created["id"])
        _transition(w.referent, created["id"], "review")
        with pytest.raises(tk.ValidationError) as error:
            _transition(w.referent, created["id"], "answer")
        assert "comment" in error.value.error_dict

        answered = _transition(
            w.referent, created["id"], "answer", comment="Une image de 2024 couvre la zone."
        )

        assert answered["state"] == "answered"
        assert [c["body"] for c in answered["comments"]] == ["Une image de 2024 couvre la zone."]
        assert answered["comments"][0]["transition"] == "answer"

    def test_wrong_state_and_wrong_actor(self):
        w = h.world()
        created = _create(w)
        h.call("dinamis_relay_imagery_request_submit", w.requester, id=created["id"])
        with pytest.raises(tk.ValidationError) as error:
            _transition(w.super_referent, created["id"], "forward")  # not in review yet
        # Labels, not codes: what the person sees on the page.
        assert error.value.error_dict["state"] == [
            "“Forward to DINAMIS” is not possible while the status is “Submitted”."
        ]
        with pytest.raises(tk.NotAuthorized):
            _transition(w.instructor, created["id"], "review")  # not forwarded: not theirs
        with pytest.raises(tk.NotAuthorized):
            _transition(w.requester, created["id"], "review")
        _transition(w.super_referent, created["id"], "review")
        _transition(w.super_referent, created["id"], "forward")
        with pytest.raises(tk.NotAuthorized):
            # Once forwarded, rejecting is DINAMIS's decision.
            _transition(w.super_referent, created["id"], "reject", comment="Non")
        with pytest.raises(tk.ValidationError):
            h.call("dinamis_relay_imagery_request_submit", w.requester, id=created["id"])
        assert model.Session.get(ImageryRequest, created["id"]).state == "forwarded"

    def test_requester_cancels_before_forwarding(self):
        w = h.world()
        created = _create(w)
        h.call("dinamis_relay_imagery_request_submit", w.requester, id=created["id"])
        cancelled = _transition(w.requester, created["id"], "cancel")
        assert cancelled["state"] == "cancelled" and cancelled["allowed_transitions"] == []

    def test_reject_by_dinamis(self, mail_server, run_jobs):
        w = h.world()
        created = _create(w)
        h.call("dinamis_relay_imagery_request_submit", w.requester, id=created["id"])
        _transition(w.super_referent, created["id"], "review")
        _transition(w.super_referent, created["id"], "forward")
        rejected = _transition(w.instructor, created["id"], "reject", comment="Hors périmètre")
        assert rejected["state"] == "rejected"
        run_jobs()
        last = sent_emails(mail_server)[-1]
        assert last["to"] == [w.requester["email"]] and "Hors périmètre" in last["body"]


@pytest.mark.usefixtures("with_plugins", "clean_db", "mail_server")
class TestThread:
    def _submitted(self, w):
        created = _create(w)
        h.call("dinamis_relay_imagery_request_submit", w.requester, id=created["id"])
        return created["id"]

    def test_messages_and_internal_notes(self, mail_server, run_jobs):
        w = h.world()
        request_id = self._submitted(w)
        run_jobs()
        before = len(sent_emails(mail_server))

        h.call("dinamis_relay_imagery_request_comment", w.requester, id=request_id, body="Urgent ?")
        h.call(
            "dinamis_relay_imagery_request_comment",
            w.super_referent,
            id=request_id,
            body="À voir avec DINAMIS",
            internal=True,
        )
        run_jobs()

        for_requester = h.call("dinamis_relay_imagery_request_show", w.requester, id=request_id)
        for_staff = h.call("dinamis_relay_imagery_request_show", w.super_referent, id=request_id)
        assert [c["body"] for c in for_requester["comments"]] == ["Urgent ?"]
        assert [c["body"] for c in for_staff["comments"]] == ["Urgent ?", "À voir avec DINAMIS"]
        emails = sent_emails(mail_server)[before:]
        # The requester's message goes to the relay; the internal note to nobody else.
        assert [e["to"] for e in emails] == [[w.super_referent["email"]]]

    def test_requester_may_not_write_internal_notes_nor_comment_a_draft(self):
        w = h.world()
        request_id = self._submitted(w)
        with pytest.raises(tk.NotAuthorized):
            h.call(
                "dinamis_relay_imagery_request_comment",
                w.requester,
                id=request_id,
                body="x",
                internal=True,
            )
        draft = _create(w)
        with pytest.raises(tk.ValidationError):
            h.call("dinamis_relay_imagery_request_comment", w.requester, id=draft["id"], body="x")


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestList:
    def test_queues(self):
        w = h.world()
        relay_request = _create(w)
        h.call("dinamis_relay_imagery_request_submit", w.requester, id=relay_request["id"])
        classic_request = _create(w, w.classic_requester)
        h.call(
            "dinamis_relay_imagery_request_submit", w.classic_requester, id=classic_request["id"]
        )
        draft = _create(w)

        def ids(user, **data):
            result = h.call("dinamis_relay_imagery_request_list", user, **data)
            assert result["count"] == len(result["results"])
            return {r["id"] for r in result["results"]}

        assert ids(w.requester) == {relay_request["id"], draft["id"]}
        assert ids(w.super_referent, queue="triage") == {relay_request["id"]}
        assert ids(w.referent, queue="triage") == {classic_request["id"]}
        assert ids(w.instructor) == set()
        assert ids(w.outsider) == set()
        assert ids(w.sysadmin, queue="triage") == {relay_request["id"], classic_request["id"]}
        assert ids(w.sysadmin) == {relay_request["id"], classic_request["id"], draft["id"]}
        assert ids(w.requester, state="draft") == {draft["id"]}

        _transition(w.super_referent, relay_request["id"], "review")
        _transition(w.super_referent, relay_request["id"], "forward")
        assert ids(w.instructor, queue="dinamis") == {relay_request["id"]}
        assert ids(w.super_referent, queue="triage") == set()
        assert ids(w.requester, q=relay_request["title"][:5]) == {relay_request["id"], draft["id"]}

    def test_paging(self):
        w = h.world()
        for index in range(5):
            _create(w, title=f"Demande {index}")
        first = h.call("dinamis_relay_imagery_request_list", w.requester, limit=2)
        third = h.call("dinamis_relay_imagery_request_list", w.requester, limit=2, offset=4)
        assert first["count"] == 5 and len(first["results"]) == 2 and len(third["results"]) == 1
        assert "area" not in first["results"][0]
