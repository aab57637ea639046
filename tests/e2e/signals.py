"""What the browser tests wait on: what the page shows or signals, never an amount of time."""

from __future__ import annotations

from playwright.sync_api import Page, expect

# How long a test waits for what the page signals before it fails. The tests never wait for
# time itself; this only bounds the wait, generously, because the whole suite runs the browser
# tests beside other test processes on two cores.
SIGNAL_TIMEOUT_MS = 20_000


def wait_for_page(page: Page, heading: str) -> None:
    """Wait until the page with this main heading has loaded, its scripts included.

    A click or Enter that opens a page returns once the new page starts loading, and its HTML
    can show before its deferred scripts (htmx, the page's own) have run: a key pressed then
    would post the form without JavaScript. The load event comes after htmx has wired the page.
    """
    expect(page.get_by_role("heading", level=1, name=heading, exact=True)).to_be_visible()
    page.wait_for_load_state("load")
