"""Free imagery quotas: consumed when DINAMIS accepts, given back on a later rejection,
overridden by instructors, never overspent by concurrent acceptances."""

from __future__ import annotations

import datetime
import threading

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest

from ckanext.dinamis_relay.model import ImageryRequest, QuotaCounter
from ckanext.dinamis_relay.procedure import quotas

from .. import factories as f
from .. import imagery_helpers as ih
from .. import procedure_helpers as h


def forwarded(w: ih.World, **overrides) -> dict:
    """A request of the relay entity forwarded to DINAMIS."""
    request = f.ImageryRequestFactory(
        user=w.requester, organization_id=w.relay_entity["id"], **overrides
    )
    ih.call("dinamis_relay_imagery_request_submit", w.requester, id=request["id"])
    for step in ("review", "forward"):
        ih.call(
            "dinamis_relay_imagery_request_transition",
            w.super_referent,
            id=request["id"],
            transition=step,
        )
    return request


def accept(w: ih.World, request_id: str) -> dict:
    return ih.call(
        "dinamis_relay_imagery_request_transition", w.instructor, id=request_id, transition="accept"
    )


def consumed(org_id: str, sensor: str = "pleiades") -> float:
    model.Session.expire_all()
    row = model.Session.get(QuotaCounter, (org_id, sensor, quotas.period_of(sensor)))
    return row.consumed_km2 if row else 0.0


@pytest.fixture()
def w():
    return ih.world()


def test_periods():
    day = datetime.date(2026, 5, 17)
    assert quotas.period_of("spot67", day) == "2026"
    assert quotas.period_of("pleiades", day) == "2026-Q2"
    assert quotas.period_of("pleiades_neo", datetime.date(2026, 12, 31)) == "2026-Q4"


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestConsumption:
    def test_defaults_are_declared_and_shown_to_the_requester(self, w):
        shown = ih.call(
            "dinamis_relay_quota_show", w.requester, organization_id=w.relay_entity["name"]
        )
        by_sensor = {q["sensor"]: q for q in shown["quotas"]}
        assert by_sensor["spot67"]["limit_km2"] == 50000
        assert by_sensor["spot67"]["period_kind"] == "year"
        assert by_sensor["pleiades"]["limit_km2"] == 2000
        assert by_sensor["pleiades_neo"]["period_kind"] == "quarter"
        assert all(q["consumed_km2"] == 0 for q in shown["quotas"])

    def test_accepting_consumes_the_area_and_rejecting_gives_it_back(self, w):
        request = forwarded(w)
        area = request["area_km2"]
        assert consumed(w.relay_entity["id"]) == 0
        shown = accept(w, request["id"])
        assert consumed(w.relay_entity["id"]) == pytest.approx(area)
        assert shown["quota"]["request_consumed_km2"] == pytest.approx(area)
        ih.call(
            "dinamis_relay_imagery_request_transition",
            w.instructor,
            id=request["id"],
            transition="reject",
            comment="Zone déjà couverte",
        )
        assert consumed(w.relay_entity["id"]) == 0

    def test_submission_alone_consumes_nothing_and_other_sensors_are_apart(self, w):
        forwarded(w, sensor="spot67")
        request = forwarded(w, sensor="pleiades")
        accept(w, request["id"])
        assert consumed(w.relay_entity["id"], "spot67") == 0
        assert consumed(w.relay_entity["id"], "pleiades") > 0

    def test_over_quota_acceptance_refused_and_nothing_changes(self, w):
        ih.call(
            "dinamis_relay_quota_set",
            w.instructor,
            organization_id=w.relay_entity["id"],
            sensor="pleiades",
            km2=50,
        )
        request = forwarded(w)  # about 87 km²
        shown = ih.call("dinamis_relay_imagery_request_show", w.super_referent, id=request["id"])
        assert shown["quota"]["exceeds"] is True
        before = h.snapshot()
        with pytest.raises(tk.ValidationError) as error:
            accept(w, request["id"])
        assert "quota" in error.value.error_dict
        assert h.snapshot() == before
        model.Session.expire_all()
        assert model.Session.get(ImageryRequest, request["id"]).state == "forwarded"

    def test_request_page_warns_the_relay(self, w, app):
        ih.call(
            "dinamis_relay_quota_set",
            w.instructor,
            organization_id=w.relay_entity["id"],
            sensor="pleiades",
            km2=10,
        )
        request = forwarded(w)
        from ckan.tests import factories

        token = factories.APIToken(user=w.super_referent["name"])["token"]
        page = app.get(f"/dinamis/imagery/{request['id']}", headers={"Authorization": token})
        assert 'id="request-quota-warning"' in page.body

    def test_concurrent_acceptances_never_overspend(self, w):
        ih.call(
            "dinamis_relay_quota_set",
            w.instructor,
            organization_id=w.relay_entity["id"],
            sensor="pleiades",
            km2=150,
        )
        requests = [forwarded(w) for _ in range(2)]  # about 87 km² each: only one fits
        instructor = w.instructor["name"]
        model.Session.commit()
        model.Session.remove()
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def run(request_id: str) -> None:
            # model.Session is scoped per thread: a session and a connection of its own.
            try:
                barrier.wait(timeout=30)
                tk.get_action("dinamis_relay_imagery_request_transition")(
                    {"user": instructor}, {"id": request_id, "transition": "accept"}
                )
                outcomes.append("accepted")
            except tk.ValidationError:
                outcomes.append("refused")
            finally:
                model.Session.remove()

        threads = [threading.Thread(target=run, args=(r["id"],)) for r in requests]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes) == ["accepted", "refused"]
        assert consumed(w.relay_entity["id"]) == pytest.approx(requests[0]["area_km2"])


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestOverride:
    def test_below_consumption_refused_and_reset_to_default(self, w):
        request = forwarded(w)
        accept(w, request["id"])
        before = h.snapshot()
        with pytest.raises(tk.ValidationError) as error:
            ih.call(
                "dinamis_relay_quota_set",
                w.instructor,
                organization_id=w.relay_entity["id"],
                sensor="pleiades",
                km2=10,
            )
        assert "already been consumed" in error.value.error_dict["km2"][0]
        assert h.snapshot() == before
        raised = ih.call(
            "dinamis_relay_quota_set",
            w.sysadmin,
            organization_id=w.relay_entity["id"],
            sensor="pleiades",
            km2=9000,
        )
        assert raised["limit_km2"] == 9000 and raised["overridden"] is True
        reset = ih.call(
            "dinamis_relay_quota_set",
            w.instructor,
            organization_id=w.relay_entity["id"],
            sensor="pleiades",
        )
        assert reset["limit_km2"] == 2000 and reset["overridden"] is False

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"sensor": "landsat", "km2": 10}, "sensor"),
            ({"sensor": "spot67", "km2": -1}, "km2"),
            ({"sensor": "spot67", "km2": "beaucoup"}, "km2"),
            ({"organization_id": "nowhere", "sensor": "spot67", "km2": 1}, "organization_id"),
        ],
    )
    def test_bad_input(self, w, data, field):
        data = {"organization_id": w.relay_entity["id"], **data}
        before = h.snapshot()
        with pytest.raises(tk.ValidationError) as error:
            ih.call("dinamis_relay_quota_set", w.instructor, **data)
        assert field in error.value.error_dict
        assert h.snapshot() == before


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestAuth:
    @pytest.mark.parametrize(
        ("role", "show", "set_", "list_"),
        [
            ("anonymous", False, False, False),
            ("outsider", False, False, False),
            ("suspended", False, False, False),
            ("requester", True, False, False),
            ("classic_requester", False, False, False),
            ("referent", False, False, False),
            ("super_referent", True, False, True),
            ("instructor", True, True, True),
            ("sysadmin", True, True, True),
        ],
    )
    def test_matrix(self, w, role, show, set_, list_):
        user = w.roles()[role]
        org = w.relay_entity["id"]
        checks = {
            "dinamis_relay_quota_show": ({"organization_id": org}, show),
            "dinamis_relay_quota_set": (
                {"organization_id": org, "sensor": "spot67", "km2": 9},
                set_,
            ),
            "dinamis_relay_quota_list": ({}, list_),
        }
        for action, (data, allowed) in checks.items():
            if allowed:
                ih.call(action, user, **data)
            else:
                with pytest.raises(tk.NotAuthorized):
                    ih.call(action, user, **data)

    def test_list_scopes_super_referents_to_relay_partners(self, w):
        everyone = ih.call("dinamis_relay_quota_list", w.instructor)
        relay_only = ih.call("dinamis_relay_quota_list", w.super_referent)
        assert everyone["count"] == 2
        assert [r["organization"]["id"] for r in relay_only["results"]] == [w.relay_entity["id"]]
        assert {q["sensor"] for q in relay_only["results"][0]["quotas"]} == set(quotas.PERIODS)

    def test_quota_page(self, w, app):
        from ckan.tests import factories

        token = factories.APIToken(user=w.instructor["name"])["token"]
        page = app.get("/dinamis/quotas", headers={"Authorization": token})
        assert page.status_code == 200
        assert w.relay_entity["title"] in page.body
        dashboard = app.get("/dinamis/dashboard", headers={"Authorization": token})
        assert "/dinamis/quotas" in dashboard.body
        other = factories.APIToken(user=w.outsider["name"])["token"]
        assert app.get("/dinamis/quotas", headers={"Authorization": other}).status_code == 403
