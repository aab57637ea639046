"""Browser tests: Playwright driving the system's Chromium against Django's live server.

Chromium is never downloaded: the tests use /usr/bin/chromium (Debian's package). Without it
the browser tests are skipped, unless BEARING_REQUIRE_BROWSER=1 (as in CI) makes that a failure.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.signals import SIGNAL_TIMEOUT_MS

CHROMIUM = Path(os.environ.get("BEARING_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the
# test itself (factories, assertions) are still synchronous and safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        if os.environ.get("BEARING_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium is required for browser tests but {CHROMIUM} is missing.")
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=SIGNAL_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(SIGNAL_TIMEOUT_MS)
    yield page
    # A request the test did not wait for (a last save) may still be answered by the live
    # server: the test database is emptied next, and its TRUNCATE deadlocked with the read
    # that request held open. Close once the browser has nothing left in flight.
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    with contextlib.suppress(PlaywrightTimeoutError):  # one never quiet is closed as it is
        page.wait_for_load_state("networkidle")
    context.close()
