"""A relay-mode application from draft to accepted, in a real browser.

The super-referent drafts it through the organization's DINAMIS tab, records the eligibility
check and submits; the legal representative follows the emailed link and accepts; a DINAMIS
instructor accepts it from the queue; the tab then shows the adhesion accepted, with its number.
"""

from __future__ import annotations

import email
import re
from typing import Any

import ckan.model as model
import pytest
from ckan.tests import factories

from ckanext.dinamis_relay.model import Adhesion

from .. import factories as dr_factories
from .conftest import login

PASSWORD = "Browser-pass-2026"


def emailed_link(mail_server: Any, recipient: str) -> str:
    """The validation link (absolute URL) of the last email sent to `recipient`."""
    for _none, _sender, to, raw in reversed(mail_server.get_smtp_messages()):
        if recipient not in to:
            continue
        for part in email.message_from_string(raw).walk():
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                text = payload.decode(part.get_content_charset() or "utf-8")
                found = re.search(r"https?://\S+/dinamis/legal/[\w.\-]+", text)
                if found:
                    return found.group(0)
    raise AssertionError(f"no validation link emailed to {recipient}")


def stored(organization_id: str) -> Adhesion:
    """The organization's current adhesion as the live server committed it."""
    model.Session.remove()
    adhesion = (
        model.Session.query(Adhesion)
        .filter(Adhesion.organization_id == organization_id, Adhesion.is_current.is_(True))
        .one()
    )
    return adhesion


def user(name: str, fullname: str) -> dict[str, Any]:
    # No avatar URL: the page must not try to reach the outside world.
    return factories.User(name=name, fullname=fullname, password=PASSWORD, image_url="")


@pytest.mark.browser
@pytest.mark.usefixtures("mail_server")
def test_relay_application_from_draft_to_accepted(
    browser: Any, browser_page: Any, live_server: str, mail_server: Any, run_jobs: Any
) -> None:
    page = browser_page
    super_referent = user("sophie-relais", "Sophie Relais")
    instructor = user("ines-dinamis", "Inès DINAMIS")
    referent = user("remi-referent", "Rémi Référent")
    factories.Organization(
        name="relay", title="PIGMA", users=[{"name": super_referent["name"], "capacity": "editor"}]
    )
    factories.Organization(
        name="dinamis", users=[{"name": instructor["name"], "capacity": "editor"}]
    )
    partner = factories.Organization(name="commune-de-pessac", title="Commune de Pessac")
    data = dr_factories.adhesion_data()

    # 1. The super-referent drafts the application from the organization's DINAMIS tab.
    login(page, super_referent["name"], PASSWORD)
    page.goto("/organization/commune-de-pessac")
    page.locator(".nav-tabs").get_by_role("link", name="DINAMIS").click()
    page.get_by_role("link", name="Apply to DINAMIS").click()
    for field in ("legal_name", "acronym", "siret", "address", "postcode", "city",
                  "department", "website", "phone", "email_domains"):  # fmt: skip
        page.fill(f"#field-{field}", data[field])
    page.select_option("#field-entity_type", data["entity_type"])
    page.select_option("#field-eligibility_category", data["eligibility_category"])
    page.fill("#field-convention_number", "CONV-PIGMA-2024-012")
    page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url(re.compile(r"/edit/people$"))
    for field in ("legal_rep_name", "legal_rep_title", "legal_rep_email", "referent_title",
                  "referent_phone"):  # fmt: skip
        page.fill(f"#field-{field}", data[field])
    # The referent picker is CKAN's autocomplete (select2) over the input: choose the person
    # by typing their full name and picking the suggestion. CKAN 2.12 ships select2 4 (its
    # box after the input), 2.11 select2 3.5 (before it, with an id of its own).
    page.click("#field-referent_user_id + .select2-container, #s2id_field-referent_user_id")
    page.keyboard.type(referent["fullname"][:6])
    suggestion = ".select2-results__option, .select2-result-selectable"
    page.locator(suggestion, has_text=referent["fullname"]).first.click()
    page.get_by_role("button", name="Save and continue").click()

    # 2. Summary: the eligibility check comes first, then the submission.
    page.wait_for_url(re.compile(r"/edit/summary$"))
    assert data["siret"] in page.inner_text(".dinamis-summary")
    assert "Not checked yet" in page.inner_text(".dinamis-eligibility")
    page.get_by_role("link", name="Record the eligibility check").first.click()
    page.check("#field-eligible-yes")
    page.fill("#field-note", "Confirmé par DINAMIS le 3 mars")
    page.get_by_role("button", name="Record the check").click()
    page.wait_for_url(re.compile(r"/edit/summary$"))
    assert "Eligible" in page.inner_text(".dinamis-eligibility")
    page.get_by_role("button", name="Submit the application").click()
    page.wait_for_selector(".dinamis-state-pending_legal_validation")
    assert stored(partner["id"]).state == "pending_legal_validation"

    # 3. The legal representative, without an account, follows the emailed link and accepts.
    run_jobs()
    link = emailed_link(mail_server, data["legal_rep_email"])
    assert link.startswith(live_server + "/dinamis/legal/")
    legal_context = browser.new_context(locale="en-GB")
    try:
        legal_page = legal_context.new_page()
        legal_page.goto(link)
        assert "Commune de Pessac" in legal_page.inner_text("h1")
        texts = legal_page.locator(".dinamis-text")
        assert texts.count() == 4  # charter, two licences, relay amendment
        assert legal_page.locator("#text-avenant-relais").is_visible()
        legal_page.check("#field-read_texts")
        legal_page.locator("#dinamis-legal-accept button").click()
        legal_page.wait_for_selector("text=the application is validated")
    finally:
        legal_context.close()
    assert stored(partner["id"]).state == "pending_instruction"

    # 4. A DINAMIS instructor accepts it from the queue.
    login(page, instructor["name"], PASSWORD)
    page.goto("/dinamis/")
    page.get_by_role("link", name="Applications to decide").first.click()  # the next step
    item = page.locator(".dinamis-queue-item", has_text=data["legal_name"])
    item.get_by_label("Accept").check()
    item.get_by_label("DINAMIS reference").fill("DN-2026-0042")
    item.get_by_role("button", name="Record the decision").click()
    page.wait_for_selector("text=Nothing to decide.")

    # 5. The organization's DINAMIS tab shows the accepted adhesion and its number.
    adhesion = stored(partner["id"])
    assert adhesion.state == "accepted" and adhesion.number
    page.goto("/dinamis/organization/commune-de-pessac")
    badge = page.locator(".dinamis-organization h3 .dinamis-state")
    assert badge.inner_text() == "Accepted"
    assert "dinamis-state-accepted" in (badge.get_attribute("class") or "")
    assert adhesion.number in page.inner_text(".dinamis-facts")
    assert "DN-2026-0042" in page.inner_text(".dinamis-facts")
