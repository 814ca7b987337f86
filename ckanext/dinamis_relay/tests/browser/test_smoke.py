"""The harness works: a live CKAN with the plugin, a real browser, a real login."""

from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import factories

from .conftest import login

PASSWORD = "Browser-pass-2026"


@pytest.mark.browser
def test_logged_in_user_opens_the_dinamis_page(browser_page: Any, live_server: str) -> None:
    user = factories.User(name="camille", password=PASSWORD, image_url="")

    login(browser_page, user["name"], PASSWORD)
    response = browser_page.goto("/dinamis/")

    assert response is not None and response.status == 200
    assert browser_page.url == f"{live_server}/dinamis/"
    assert browser_page.locator("h1.page-heading").inner_text() == "DINAMIS satellite imagery"
    # The page is rendered for the logged-in user, not for a visitor.
    assert "Log in to see your DINAMIS applications" not in browser_page.content()
