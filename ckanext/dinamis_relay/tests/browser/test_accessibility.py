"""Accessibility (RGAA / WCAG 2.1 AA) of every plugin page, as every role that can see it, in
French, at 1280 px and at 390 px: axe-core from npm (tests/browser/package.json, installed by
scripts/venv.sh) run in Debian's chromium, no horizontal overflow on a phone, and full-page
screenshots in test-artifacts/pages/ for a person to look at.

Zero critical or serious violations are allowed on what the plugin renders. Violations on
CKAN core's own header and footer are listed (rule id, target) in KNOWN_CORE and printed, not
failed. Contrast: axe cannot compute it over CKAN's background image, so each page is given a
plain white background before axe runs.
"""

from __future__ import annotations

import os
import pathlib
import re
from typing import Any

import pytest

from ckanext.dinamis_relay.cli import demo

from .conftest import REPO_ROOT, TIMEOUT_MS, login

AXE = pathlib.Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = REPO_ROOT / "test-artifacts" / "pages"
PASSWORD = "Pages-demo-2026!"
WIDTHS = (1280, 390)
# In CI the phone width is checked on the pages with tables (where overflow happens) and on
# the landing page; `DINAMIS_RELAY_A11Y=full` checks every page at both widths (100 visits,
# 4 to 11 minutes on 2 cores, by their load).
PHONE_PAGES = re.compile(
    r"^/dinamis/(|relay|account/(list|queue)|dashboard|imagery|downloads|instruction|quotas"
    r"|my-data|personal-data)$"
)


def _visited(path: str, width: int) -> bool:
    if width != 390 or os.environ.get("DINAMIS_RELAY_A11Y") == "full":
        return True
    return bool(PHONE_PAGES.match(path))


# CKAN core's own chrome: violations there are reported, not failed (not the plugin's markup).
CORE_CHROME = (".account-masthead", ".masthead", ".site-footer", "#skip-to-content", ".toolbar")
PLAIN_BACKGROUND = "html, body, .main, .hero { background: #fff !important; }"


def _pages(site: dict[str, Any]) -> dict[str, list[str]]:
    """Role (demo user, "" for a visitor) → the plugin pages that role uses."""
    return {
        "": [
            "/",
            "/dinamis/",
            "/dinamis/stats",
            "/dinamis/verify",
            "/dinamis/adherent-check?q=Pessac",
            site["legal_link"],
        ],
        "visiteur": [
            "/dinamis/",
            "/dinamis/account/request",
            "/dinamis/account/mine",
            "/dinamis/imagery/new",
            "/dinamis/imagery",
        ],
        "agent-pessac": [
            "/dinamis/",
            "/dinamis/imagery/new",
            "/dinamis/imagery",
            f"/dinamis/imagery/{site['imagery_id']}",
            "/dinamis/account/mine",
            f"/dinamis/account/{site['pessac_account']}",
            "/dinamis/organization/commune-de-pessac",
            f"/dinamis/adhesion/{site['pessac']}",
            "/dinamis/downloads",
            "/dinamis/my-data",
            "/dataset/mosaique-spot67-nouvelle-aquitaine-2025",
        ],
        "referent-bordeaux": [
            "/dinamis/",
            "/dinamis/account/queue",
            "/dinamis/organization/bordeaux-metropole",
            f"/dinamis/account/{site['bordeaux_request']}",
        ],
        "relais-pigma": [
            "/dinamis/",
            "/dinamis/relay",
            "/dinamis/account/list",
            "/dinamis/account/queue",
            "/dinamis/account/new",
            "/dinamis/account/import",
            "/dinamis/imagery/triage",
            f"/dinamis/imagery/{site['imagery_id']}",
            "/dinamis/dashboard",
            "/dinamis/quotas",
            "/dinamis/notifications",
            f"/dinamis/adhesion/{site['draft']}/edit/entity",
            f"/dinamis/adhesion/{site['draft']}/edit/people",
            f"/dinamis/adhesion/{site['draft']}/edit/summary",
            f"/dinamis/adhesion/{site['draft']}/eligibility",
            f"/dinamis/adhesion/{site['pessac']}",
        ],
        "instructeur-dinamis": [
            "/dinamis/",
            "/dinamis/instruction",
            f"/dinamis/adhesion/{site['pending']}",
            "/dinamis/dashboard",
            "/dinamis/quotas",
        ],
        "agent-bordeaux": ["/dinamis/", "/dinamis/account/mine"],
        "admin-plateforme": ["/dinamis/", "/dinamis/personal-data"],
    }


def _site() -> dict[str, Any]:
    """The demo data (every role and state), and the ids of the pages to visit."""
    import ckan.plugins.toolkit as tk

    lines = list(demo.create_demo_data(PASSWORD))
    link = next(line for line in lines if "/dinamis/legal/" in line)
    site = demo._site_context()

    def adhesion(org: str) -> str:
        return tk.get_action("dinamis_relay_adhesion_show")(site, {"organization_id": org})["id"]

    accounts = tk.get_action("dinamis_relay_account_list")(site, {"limit": 100})["results"]
    imagery = tk.get_action("dinamis_relay_imagery_request_list")(site, {"queue": "all"})
    return {
        "legal_link": re.sub(r"^.*?(/dinamis/legal/\S+).*$", r"\1", link),
        "pessac": adhesion("commune-de-pessac"),
        "draft": adhesion("gironde-numerique"),
        "pending": next(
            adhesion(name)
            for name, _t, _m, state, *_rest in demo.ENTITIES
            if state == "pending_instruction"
        ),
        "pessac_account": next(a["id"] for a in accounts if a["user_name"] == "agent-pessac"),
        "bordeaux_request": next(a["id"] for a in accounts if a["user_name"] == "agent-bordeaux"),
        "imagery_id": imagery["results"][0]["id"],
    }


def _axe(page: Any) -> list[dict[str, Any]]:
    page.add_style_tag(content=PLAIN_BACKGROUND)
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (chrome) => {
          const result = await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations'],
          });
          return result.violations
            .filter(v => v.impact === 'critical' || v.impact === 'serious')
            .flatMap(v => v.nodes.map(n => ({
              id: v.id, impact: v.impact, target: n.target.join(' '), html: n.html.slice(0, 160),
              core: n.target.some(t => chrome.some(c => document.querySelector(t)?.closest(c))),
            })));
        }""",
        list(CORE_CHROME),
    )


def _overflow(page: Any) -> list[str]:
    """Elements that stick out of a phone screen (what makes the page scroll sideways)."""
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          if (document.documentElement.scrollWidth <= width) return [];
          return [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 1)
            .filter(e => !e.closest('.table-responsive, .leaflet-container'))
            .slice(0, 5)
            .map(e => e.tagName.toLowerCase() + '.' + String(e.className).split(' ').join('.'));
        }"""
    )


def _shot_name(user: str, path: str, ids: dict[str, str], width: int) -> str:
    for value, key in ids.items():
        path = path.replace(value, key)
    if "/dinamis/legal/" in path:
        path = "/dinamis/legal/token"
    return re.sub(r"[^A-Za-z0-9]+", "_", f"{user or 'visitor'}_{path}")[:90] + f"_{width}.png"


def _check(page: Any, path: str, where: str, shot: str) -> str | None:
    """Open a page and wait until CKAN's modules (autocomplete, map) are set up; what is wrong
    with its answer (HTTP status, language), or None."""
    response = page.goto(path)
    # CKAN's modules start after an asynchronous fetch of the catalogue (/api/i18n/fr) and
    # the map loads its footprints: axe must see the page as a person does, not half built.
    page.wait_for_load_state("networkidle")
    status = response.status if response else 0
    if status >= 500 or status == 404:
        return f"{where}: HTTP {status}"
    page.screenshot(path=str(SHOTS / shot), full_page=True)
    if page.locator("html").get_attribute("lang") != "fr":
        return f"{where}: not in French"
    return None


@pytest.mark.browser
@pytest.mark.usefixtures("clean_index")
@pytest.mark.ckan_config("ckanext.dinamis_relay.relay_organization", "pigma")
@pytest.mark.ckan_config("ckanext.dinamis_relay.dinamis_organization", "dinamis")
@pytest.mark.ckan_config("ckan.locale_default", "fr")
@pytest.mark.ckan_config("ckanext.dinamis_relay.imagery.tile_url", "")
def test_every_page_as_every_role_is_accessible(
    browser: Any, live_server: str, run_jobs: Any, mail_server: Any, test_request_context: Any
) -> None:
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed ({AXE}): run scripts/venv.sh (needs npm)")
    # Built once the live server set the site URL, so that links point at it.
    with test_request_context():
        site = _site()
    run_jobs()  # the Acte d'adhésion and the other documents of the demo
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):  # no stale pictures of another run's pages
        old.unlink()
    # Page names without the run's ids, so the pictures of two runs can be compared.
    ids = {str(value): key for key, value in site.items() if key != "legal_link"}
    failures: list[str] = []
    known: list[str] = []
    # One context (one login) per role; both widths in it, the viewport resized between.
    for user, paths in _pages(site).items():
        context = browser.new_context(
            base_url=live_server, locale="fr-FR", viewport={"width": WIDTHS[0], "height": 900}
        )
        context.set_default_timeout(TIMEOUT_MS)
        # A page built slowly on a loaded machine is not an accessibility failure.
        context.set_default_navigation_timeout(3 * TIMEOUT_MS)
        context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda r: r.abort())
        page = context.new_page()
        try:
            if user:
                login(page, user, PASSWORD)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                for path in paths:
                    if not _visited(path, width):
                        continue
                    where = f"{user or 'visitor'} {path} {width}px"
                    problem = _check(page, path, where, _shot_name(user, path, ids, width))
                    if problem:
                        failures.append(problem)
                        continue
                    if width == 390:
                        wide = [f"{where}: overflows with {e}" for e in _overflow(page)]
                        # CKAN core's dataset page has its own 6px overflow (the gutters of
                        # its rows), not the plugin's; the plugin's own pages correct it.
                        (known if path.startswith("/dataset/") else failures).extend(wide)
                    for v in _axe(page):
                        line = f"{where}: {v['impact']} {v['id']} on {v['target']} {v['html']}"
                        (known if v["core"] else failures).append(line)
        finally:
            context.close()
    if known:
        print("Known, in CKAN core's own header, footer and pages (left to CKAN):")
        for line in sorted(set(known)):
            print("  ", line)
    assert failures == [], "\n".join(failures)
