"""The data version: one token in the shared cache that every committed write replaces.

Cached pages (`core.page_cache`) put the version in their keys, so one write anywhere makes
every cached page stale at once: nobody reads a score older than the last commit. One global
version for pages rather than one per plan, because writes are rare next to reads and a page
draws on many plans, units and people (cascades, roll-ups, roles) that a finer key would have
to track.

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

Each plan has a version of its own too (`plan_versions`), for what is kept per plan rather
than per page: the scores of a cascaded plan's objectives (`kpis.selectors.cascade`), which a
department's write should not make every other department compute again. A write names the
plans whose scores it may change (`bump(plans=...)`, or `watch(..., plans_of=...)` for a
model's saves); a write that names none moves every plan's version, which is always safe.
Every plan's version also holds one token for all of them (`ALL_PLANS_KEY`), replaced by such
a write, so moving every plan costs one cache write however many plans there are.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger(__name__)

VERSION_KEY = "data-version"
ALL_PLANS_KEY = "data-version:plans"
PLAN_KEY = "data-version:plan:{}"

# The plans whose scores a model's saved or deleted row may change: their ids, or None for
# every plan (the safe answer when it cannot tell).
PlansOf = Callable[[Any], Iterable[int] | None]

_watched: set[type[models.Model]] = set()
_plans_of: dict[type[models.Model], PlansOf | None] = {}
# The plans the current transaction's writes named, until it commits: a set of ids, or None
# once a write named every plan. One per thread, as database connections are.
_pending = threading.local()


def current() -> str:
    """The version now; a new one if the cache holds none (emptied, evicted, first start)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _new_token(), timeout=None)  # the first process to add wins
        version = cache.get(VERSION_KEY)
    return str(version)


def plan_versions(plan_ids: Iterable[int]) -> dict[int, str]:
    """Each plan's version now, the token of all plans included (two cache reads; a plan
    without one is given a new one, so nothing kept under a lost version is read again)."""
    keys = {PLAN_KEY.format(pk): pk for pk in plan_ids}
    keys[ALL_PLANS_KEY] = 0
    found = cache.get_many(list(keys))
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            cache.add(key, _new_token(), timeout=None)  # the first process to add wins
        found.update(cache.get_many(missing))
    everything = str(found[ALL_PLANS_KEY])
    return {pk: f"{everything}.{found[key]}" for key, pk in keys.items() if key != ALL_PLANS_KEY}


def bump(plans: Iterable[int] | None = None) -> None:
    """Move the version when the current transaction commits (at once outside one), and the
    versions of `plans` (None: of every plan).

    Once per transaction: a thousand saves in one transaction replace it once.
    """
    named: set[int] | None = getattr(_pending, "plans", set())
    _pending.plans = None if plans is None or named is None else named | set(plans)
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        entry[1] is publish for entry in connection.run_on_commit
    ):
        return
    # robust: the write has committed; a cache that fails now must not turn it into an error
    # (Django logs the failure, and cached pages still expire after PAGE_CACHE_SECONDS).
    transaction.on_commit(publish, robust=True)


def publish() -> None:
    """What `bump` does once the transaction commits: a new version, and new versions for
    the plans its writes named."""
    plans: set[int] | None = getattr(_pending, "plans", set())
    _pending.plans = set()
    replace()
    if plans is None:
        cache.set(ALL_PLANS_KEY, _new_token(), timeout=None)
    elif plans:
        cache.set_many({PLAN_KEY.format(pk): _new_token() for pk in plans}, timeout=None)


def replace() -> None:
    """Set a new version now (the plans' versions stay)."""
    cache.set(VERSION_KEY, _new_token(), timeout=None)


def replace_all() -> None:
    """Set a new version now, and new versions of every plan."""
    replace()
    cache.set(ALL_PLANS_KEY, _new_token(), timeout=None)


def _new_token() -> str:
    return secrets.token_hex(8)


def _bump_for(sender: type[models.Model], instance: Any) -> None:
    plans_of = _plans_of.get(sender)
    bump(None if plans_of is None else plans_of(instance))


def _saved(
    sender: type[models.Model], instance: Any, update_fields: Iterable[str] | None, **_: Any
) -> None:
    # Signing in saves the person's last_login and nothing else: no page shows it.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    _bump_for(sender, instance)


def _deleted(sender: type[models.Model], instance: Any, **_: Any) -> None:
    _bump_for(sender, instance)


def _m2m_changed(sender: type[models.Model], action: str, **_: Any) -> None:
    # `sender` is the many-to-many table; its rows (people who update a KPI, say) change no
    # plan's scores when it is watched so.
    if action.startswith("post_"):
        bump(() if _plans_of.get(sender) is no_plans else None)


def no_plans(instance: Any) -> Iterable[int]:
    """For `watch`: the model's rows change no plan's scores."""
    return ()


def watch(watched: Iterable[type[models.Model]], *, plans_of: PlansOf | None = None) -> None:
    """Move the version on every save and delete of these models, and on every change of
    their many-to-many fields (`add`, `remove`, `set`, `clear`), with the versions of the
    plans `plans_of(row)` names (every plan's when it is None, or answers None)."""
    for model in watched:
        _watched.add(model)
        _plans_of[model] = plans_of
        uid = f"data_version:{model._meta.label}"
        post_save.connect(_saved, sender=model, dispatch_uid=uid)
        post_delete.connect(_deleted, sender=model, dispatch_uid=uid)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=uid)


def watches(model: type[models.Model]) -> bool:
    """Whether `watch` was given the model."""
    return model in _watched
