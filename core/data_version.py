"""The data version: one token in the shared cache that every committed write replaces.

Cached pages (`core.page_cache`) put the version in their keys, so one write anywhere makes
every cached page stale at once: nobody reads a score older than the last commit. One global
version rather than one per plan, because writes are rare next to reads and a page draws on
many plans, units and people (cascades, roll-ups, roles) that a finer key would have to track.

The version is replaced, not incremented: each write sets a new random token, so two
processes writing at the same moment can never both land on the same value (an increment on
a cache without an atomic one, such as the file cache, could lose one of them and leave a
page cached under the version it should have ended). It moves once the transaction commits
(`transaction.on_commit`), after the data is visible to other connections: a page rendered
from the old data in the meantime is keyed on the old version, and never read again.

How writes reach it:
- `watch(models)` connects post_save, post_delete and m2m_changed of those models;
- every write that sends no signals (bulk_create, bulk_update, QuerySet.update, COPY) calls
  `bump()` itself; tests/core/test_data_version.py checks both for every watched model.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger(__name__)

VERSION_KEY = "data-version"

_watched: set[type[models.Model]] = set()


def current() -> str:
    """The version now; a new one if the cache holds none (emptied, evicted, first start)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _new_token(), timeout=None)  # the first process to add wins
        version = cache.get(VERSION_KEY)
    return str(version)


def bump() -> None:
    """Move the version when the current transaction commits (at once outside one).

    Once per transaction: a thousand saves in one transaction replace it once.
    """
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        entry[1] is replace for entry in connection.run_on_commit
    ):
        return
    # robust: the write has committed; a cache that fails now must not turn it into an error
    # (Django logs the failure, and cached pages still expire after PAGE_CACHE_SECONDS).
    transaction.on_commit(replace, robust=True)


def replace() -> None:
    """Set a new version now: what `bump` has done when the transaction commits."""
    cache.set(VERSION_KEY, _new_token(), timeout=None)


def _new_token() -> str:
    return secrets.token_hex(8)


def _saved(sender: type[models.Model], update_fields: Iterable[str] | None, **_: Any) -> None:
    # Signing in saves the person's last_login and nothing else: no page shows it.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    bump()


def _changed(**_: Any) -> None:
    bump()


def _m2m_changed(action: str, **_: Any) -> None:
    if action.startswith("post_"):
        bump()


def watch(watched: Iterable[type[models.Model]]) -> None:
    """Move the version on every save and delete of these models, and on every change of
    their many-to-many fields (`add`, `remove`, `set`, `clear`)."""
    for model in watched:
        _watched.add(model)
        uid = f"data_version:{model._meta.label}"
        post_save.connect(_saved, sender=model, dispatch_uid=uid)
        post_delete.connect(_changed, sender=model, dispatch_uid=uid)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=uid)


def watches(model: type[models.Model]) -> bool:
    """Whether `watch` was given the model."""
    return model in _watched
