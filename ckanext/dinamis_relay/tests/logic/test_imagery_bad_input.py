"""Bad input to imagery requests: clear errors, nothing stored."""

from __future__ import annotations

import datetime
import json
import math

import ckan.plugins.toolkit as tk
import pytest

from .. import imagery_helpers as h


def _circle(vertices: int, radius_deg: float = 0.05) -> dict:
    ring = [
        [
            -0.5 + radius_deg * math.cos(2 * math.pi * i / vertices),
            44.8 + radius_deg * math.sin(2 * math.pi * i / vertices),
        ]
        for i in range(vertices)
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def _square(size_deg: float) -> dict:
    x, y = -0.5, 44.8
    return {
        "type": "Polygon",
        "coordinates": [
            [[x, y], [x + size_deg, y], [x + size_deg, y + size_deg], [x, y + size_deg], [x, y]]
        ],
    }


TODAY = datetime.date.today()

BAD_FIELDS = [
    ("not json", {"area": "{not json"}, "area", "not valid JSON"),
    ("a point", {"area": {"type": "Point", "coordinates": [0, 45]}}, "area", "Polygon"),
    (
        "a line feature",
        {
            "area": {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[0, 45], [1, 46]]},
            }
        },
        "area",
        "Polygon",
    ),
    (
        "empty collection",
        {"area": {"type": "FeatureCollection", "features": []}},
        "area",
        "no feature",
    ),
    (
        "malformed coordinates",
        {"area": {"type": "Polygon", "coordinates": [[[0, 45], [1]]]}},
        "area",
        "malformed",
    ),
    ("self-intersecting", {"area": h.BOWTIE}, "area", "crosses itself"),
    ("huge area", {"area": _square(2.0)}, "area", "km²"),
    ("too many vertices", {"area": _circle(1500)}, "area", "vertices"),
    ("not WGS84", {"area": _square(1000.0)}, "area", "WGS84"),
    ("huge text", {"area": json.dumps(_circle(900)) + " " * 200_000}, "area", "too large"),
    ("no area", {"area": ""}, "area", "Missing"),
    (
        "end before start",
        {"period_start": "2026-06-10", "period_end": "2026-06-01", "acquisition_mode": "archive"},
        "period_end",
        "before the start",
    ),
    (
        "new acquisition in the past",
        {"period_start": "2020-01-01", "period_end": "2020-02-01"},
        "period_end",
        "past",
    ),
    ("not a date", {"period_start": "10/06/2026"}, "period_start", "YYYY-MM-DD"),
    # The codes are listed; the bad value is never echoed (it may be huge).
    ("unknown sensor", {"sensor": "landsat"}, "sensor", "spot67, pleiades"),
    ("unknown mode", {"acquisition_mode": "tasking"}, "acquisition_mode", "archive"),
    ("cloud cover above 100", {"max_cloud_cover": 120}, "max_cloud_cover", "between"),
    ("angle not a number", {"max_viewing_angle": "steep"}, "max_viewing_angle", "whole number"),
    ("blank title", {"title": "   "}, "title", "Missing"),
    ("title too long", {"title": "x" * 201}, "title", "200"),
    ("no intended use", {"intended_use": None}, "intended_use", "Missing"),
]


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestBadInput:
    @pytest.mark.parametrize(
        ("case", "overrides", "field", "message"), BAD_FIELDS, ids=[c[0] for c in BAD_FIELDS]
    )
    def test_create_refuses_and_stores_nothing(
        self, case, overrides, field, message, imagery_request_factory
    ):
        w = h.world()
        before = h.snapshot()
        with pytest.raises(tk.ValidationError) as error:
            imagery_request_factory(user=w.requester, **overrides)
        assert field in error.value.error_dict, error.value.error_dict
        assert message in " ".join(error.value.error_dict[field])
        assert h.snapshot() == before

    def test_update_refuses_bad_area_and_inconsistent_dates(self, imagery_request_factory):
        w = h.world()
        created = imagery_request_factory(user=w.requester)
        before = h.snapshot()
        with pytest.raises(tk.ValidationError) as error:
            h.call(
                "dinamis_relay_imagery_request_update", w.requester, id=created["id"], area=h.BOWTIE
            )
        assert "crosses itself" in error.value.error_dict["area"][0]
        with pytest.raises(tk.ValidationError) as error:
            h.call(
                "dinamis_relay_imagery_request_update",
                w.requester,
                id=created["id"],
                period_end=(TODAY - datetime.timedelta(days=400)).isoformat(),
            )
        assert "period_end" in error.value.error_dict
        assert h.snapshot() == before

    def test_suspended_account_may_not_create_nor_submit(self, imagery_request_factory):
        w = h.world()
        before = h.snapshot()
        with pytest.raises(tk.NotAuthorized) as error:
            imagery_request_factory(user=w.suspended)
        assert "active DINAMIS account" in str(error.value)
        assert h.snapshot() == before

        # An account suspended after drafting cannot submit the draft.
        created = imagery_request_factory(user=w.requester)
        import ckan.model as model

        from ckanext.dinamis_relay.model import Account

        account = model.Session.query(Account).filter_by(user_id=w.requester["id"]).one()
        h.set_account_state(account, "suspended")
        before = h.snapshot()
        with pytest.raises(tk.NotAuthorized):
            h.call("dinamis_relay_imagery_request_submit", w.requester, id=created["id"])
        with pytest.raises(tk.NotAuthorized):
            h.call("dinamis_relay_imagery_request_update", w.requester, id=created["id"], title="x")
        assert h.snapshot() == before

    def test_entity_without_account_is_refused(self, imagery_request_factory):
        w = h.world()
        before = h.snapshot()
        with pytest.raises(tk.NotAuthorized):
            imagery_request_factory(user=w.requester, organization_id=w.classic_entity["id"])
        assert h.snapshot() == before

    @pytest.mark.parametrize(
        "data",
        [
            {"transition": "explode"},
            {"transition": ""},
            {"transition": "review", "id": "no-such-request"},
        ],
    )
    def test_bad_transition(self, data, imagery_request_factory):
        w = h.world()
        created = imagery_request_factory(user=w.requester)
        h.call("dinamis_relay_imagery_request_submit", w.requester, id=created["id"])
        before = h.snapshot()
        with pytest.raises((tk.ValidationError, tk.ObjectNotFound)):
            h.call(
                "dinamis_relay_imagery_request_transition",
                w.super_referent,
                **{"id": created["id"], **data},
            )
        assert h.snapshot() == before

    def test_list_rejects_bad_paging(self):
        w = h.world()
        for data in ({"limit": 0}, {"limit": "many"}, {"offset": -1}, {"state": "lost"}):
            with pytest.raises(tk.ValidationError):
                h.call("dinamis_relay_imagery_request_list", w.requester, **data)

    def test_blank_comment(self, imagery_request_factory):
        w = h.world()
        created = imagery_request_factory(user=w.requester)
        h.call("dinamis_relay_imagery_request_submit", w.requester, id=created["id"])
        before = h.snapshot()
        with pytest.raises(tk.ValidationError):
            h.call("dinamis_relay_imagery_request_comment", w.requester, id=created["id"], body=" ")
        assert h.snapshot() == before
