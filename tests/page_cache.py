"""Helpers for the tests of cached pages (core/page_cache.py): a reader whose pages are cached,
a check that a page really comes from the cache, and writes that commit as far as pages see.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.utils.crypto import get_random_string

from accounts.models import User
from core import data_version

# A page answered from the cache asks the database only about the request itself: the session
# (read, and saved again as every request saves it, in a savepoint) and the signed-in person.
HIT_QUERIES = 5


def reader(user: User) -> Client:
    """A signed-in browser carrying a CSRF cookie, as a browser does after its first page: the
    pages it is answered can be cached (a page that makes a new CSRF secret is not)."""
    client = Client()
    client.force_login(user)
    client.cookies[settings.CSRF_COOKIE_NAME] = get_random_string(32)
    return client


def queries_of(client: Client, url: str, **headers: Any) -> tuple[HttpResponse, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    return response, len(captured.captured_queries)


def settle() -> None:
    """Take what the test wrote so far as committed: make the data version's move its writes
    left for a commit (a test's transaction never commits), and take it off the list, since
    `bump` adds one move per transaction and would add none for later writes."""
    pending = transaction.get_connection().run_on_commit
    if any(entry[1] is data_version.publish for entry in pending):
        pending[:] = [entry for entry in pending if entry[1] is not data_version.publish]
        data_version.publish()


def from_cache(client: Client, url: str, **headers: Any) -> HttpResponse:
    """Settle the test's writes, GET the page twice and check that the second answer came
    from the cache: the same page, for no more queries than the request itself costs."""
    settle()
    first = client.get(url, **headers)
    assert first.status_code == 200
    second, queries = queries_of(client, url, **headers)
    assert queries <= HIT_QUERIES, f"{queries} queries: the page was not answered from the cache"
    assert second.content == first.content
    return second


@contextmanager
def committed() -> Iterator[None]:
    """Around a write: move the data version as the write's commit would, when it ends. What
    the test wrote before is settled first; the other work left for the commit (queued tasks)
    is dropped, as the test's rollback drops it."""
    settle()
    with TestCase.captureOnCommitCallbacks() as callbacks:
        yield
    for callback in callbacks:
        if callback is data_version.publish:
            callback()


def overall_score(response: HttpResponse) -> str:
    """The plan's score as the dashboard shows it."""
    found = re.search(
        r'id="overall-score"><strong class="score">([^<]*)</strong>', response.content.decode()
    )
    assert found, "the page shows no overall score"
    return found.group(1)
