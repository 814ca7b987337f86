"""Browser test harness: a live CKAN in a thread, driven by Debian's chromium via Playwright.

- `live_server`: base URL of CKAN (with the plugin, on the test database) served by werkzeug
  on a free loopback port. It is function-scoped on purpose: CKAN's `with_plugins` and
  `clean_db` fixtures are function-scoped, and building the app takes about a second.
  `ckan.site_url` points at the server, so links in emails open in the browser.
- `browser`: one chromium per module (never downloaded: `/usr/bin/chromium`).
- `browser_page`: a fresh context (cookies) and page per test.
- `login(page, user, password)`: logs in through CKAN's own login form.
- A failed browser test leaves `<repo>/test-artifacts/browser/<test name>.png`.

The server thread has its own SQLAlchemy session (CKAN's Session is scoped per thread and
removed after each request): commit test data before the browser acts (factories and actions
do), and call `model.Session.remove()` before reading what the browser changed.
"""

from __future__ import annotations

import os
import pathlib
import re
import threading
from collections.abc import Callable, Generator, Iterator
from typing import Any

import pytest

# Debian's chromium; never a browser downloaded by Playwright. Overridable for other systems.
CHROMIUM = os.environ.get("DINAMIS_RELAY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO_ROOT = pathlib.Path(__file__).resolve().parents[4]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"
# Playwright's default of 30 s hides hangs for too long on a shared 2-core machine.
TIMEOUT_MS = 20_000
_EXTERNAL = re.compile(r"^https?://(?!127\.0\.0\.1[:/])")


def _skip_reason() -> str | None:
    """Why browser tests cannot run here, or None."""
    if not os.path.exists(CHROMIUM):
        return f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests need the playwright package (pip install playwright)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _skip_reason()
    if reason is None:
        return
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say plainly why browser tests did not run (the skip reason is otherwise hidden)."""
    reason = _skip_reason()
    skipped = terminalreporter.stats.get("skipped", [])
    if reason and any("browser" in getattr(r, "keywords", {}) for r in skipped):
        terminalreporter.write_line(f"browser tests skipped: {reason}", yellow=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[Any]
) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    page = getattr(item, "funcargs", {}).get("browser_page")
    if page is None:
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.name)
    path = ARTIFACTS / f"{name}.png"
    try:
        page.screenshot(path=str(path), full_page=True)
        report.sections.append(("browser", f"screenshot saved to {path}"))
    except Exception as error:  # the page may be gone; the test failure matters more
        report.sections.append(("browser", f"no screenshot: {error}"))


class _LazyApp:
    """WSGI callable whose app is set once the server's port (hence site_url) is known."""

    app: Any = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return self.app(environ, start_response)


@pytest.fixture()
def live_server(
    with_plugins: None, clean_db: None, ckan_config: dict[str, Any], make_app: Any
) -> Iterator[str]:
    """Base URL (no trailing slash) of a CKAN serving the test database."""
    from werkzeug.serving import make_server

    lazy = _LazyApp()
    server = make_server("127.0.0.1", 0, lazy, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    ckan_config["ckan.site_url"] = base_url
    # The CKAN test app wrapper builds the whole WSGI stack from the patched config.
    lazy.app = make_app().app
    thread = threading.Thread(target=server.serve_forever, name="live-ckan", daemon=True)
    thread.start()
    try:
        yield base_url
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture()
def browser_page(browser: Any, live_server: str) -> Iterator[Any]:
    """A new page in a fresh browser context, with relative URLs resolved on the server."""
    context = browser.new_context(base_url=live_server, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    # Tests never reach the outside world (e.g. the factories' random avatar URLs).
    context.route(_EXTERNAL, lambda route: route.abort())
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def login(page: Any, user: str, password: str) -> None:
    """Log in through CKAN's login form, and wait until CKAN accepted it."""
    # A fresh session: whoever was logged in on this page is forgotten.
    page.context.clear_cookies()
    page.goto("/user/login")
    page.fill("#field-login", user)
    page.fill("#field-password", password)
    with page.expect_navigation():
        page.locator("form:has(#field-login) button[type=submit]").click()
    if page.locator("#field-login").count():
        raise AssertionError(f"login as {user} failed: still on {page.url}")


@pytest.fixture()
def browser_login() -> Callable[[Any, str, str], None]:
    """The `login` helper as a fixture, for tests that prefer injection to imports."""
    return login
