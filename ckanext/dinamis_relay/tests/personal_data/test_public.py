"""Minimisation: the public pages and actions never show a person. Their responses are
scanned for the name, full name and email of every user of a populated database, and for
the legal representative's."""

from __future__ import annotations

import json

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa

from ckanext.dinamis_relay.model import Document

from .. import personal_data_helpers as h


def _personal_strings(population) -> set[str]:
    # The site user is named after the site: it is not a person.
    users = model.Session.execute(
        sa.select(model.User.name, model.User.fullname, model.User.email).where(
            model.User.name != tk.config["ckan.site_id"]
        )
    ).all()
    strings = {value for row in users for value in row if value and len(value) > 3}
    strings |= {population.adhesion["legal_rep_name"], population.adhesion["legal_rep_email"]}
    return strings


def _leaks(text: str, strings: set[str]) -> set[str]:
    return {value for value in strings if value.lower() in text.lower()}


@pytest.mark.usefixtures("with_plugins", "clean_db", "run_jobs")
def test_public_pages_and_actions_show_no_person(app, run_jobs):
    population = h.populate(downloads=2)
    run_jobs()  # issue the acte d'adhésion
    model.Session.expire_all()
    document = model.Session.execute(sa.select(Document)).scalars().first()
    assert document is not None
    strings = _personal_strings(population)
    assert population.person["email"] in strings

    actions = {
        "stats": h.call("stats", None),
        "roles_show": h.call("roles_show", None),
        "document_verify": h.call(
            "document_verify",
            None,
            number=document.number,
            fingerprint=document.content_sha256,
        ),
    }
    assert actions["document_verify"]["valid"]
    for name, result in actions.items():
        assert not _leaks(json.dumps(result, ensure_ascii=False), strings), name

    pages = [
        "/dinamis/",
        "/fr/dinamis/",
        "/dinamis/stats",
        "/dinamis/verify",
        f"/dinamis/verify?number={document.number}&fingerprint={document.content_sha256}",
        f"/dinamis/organization/{population.organization['name']}",
        f"/dinamis/adhesion/{population.adhesion['id']}",
        f"/dinamis/account/{population.account['id']}",
        f"/dinamis/imagery/{population.answered['id']}",
        f"/dinamis/imagery/{population.answered['id']}/area.geojson",
        f"/dinamis/document/{document.id}/download",
        "/dinamis/downloads",
        "/dinamis/dashboard",
        "/dinamis/dashboard/export/accounts.csv",
        "/dinamis/account/list",
        "/dinamis/imagery",
        "/dinamis/my-data",
        # By id: a redirection to the login page repeats the address it was asked.
        "/dinamis/my-data.json?user=" + population.person["id"],
        "/dinamis/personal-data",
    ]
    for url in pages:
        response = app.get(url, follow_redirects=False)
        assert response.status_code < 500, url
        body = response.get_data(as_text=True) + response.headers.get("Location", "")
        assert not _leaks(body, strings), url


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_the_accounts_export_names_people_only_to_those_who_manage_them():
    population = h.populate(downloads=0)

    def row(user, **filters):
        page = h.call("dashboard_export", user, kind="accounts", **filters)
        [found] = [
            dict(zip(page["columns"], r, strict=True))
            for r in page["rows"]
            if population.account["id"] in r
        ]
        return found

    for user, filters in (
        (population.staff.super_referent, {}),
        (population.staff.sysadmin, {}),
        (population.referent, {"organization_id": population.organization["id"]}),
    ):
        shown = row(user, **filters)
        assert shown["user_email"] == population.person["email"], user["name"]
        assert shown["job_title"] == "Géomaticienne"
    hidden = row(population.staff.instructor)
    assert (hidden["user_name"], hidden["user_email"], hidden["job_title"]) == ("", "", "")
    assert hidden["state"] == "active"  # the figures stay
