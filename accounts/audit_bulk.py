"""Audit entries of rows written in bulk, built from the values written.

A bulk write sends no signals, so django-auditlog records nothing by itself. Asking auditlog
to build each entry (`model_instance_diff` over two model instances, then a `LogEntry` object
per row) cost more than the write itself. Here the caller gives each row's recorded fields as
plain values, before and after; the changes are encoded as auditlog encodes them with
`AUDITLOG_STORE_JSON_CHANGES` (so the history tab reads a bulk entry as a single save's, which
`tests/accounts/test_audit_bulk.py` compares on real rows), and the entries go in with one
`COPY` on PostgreSQL, one `executemany` elsewhere.

It is generic over the audited models: any app's bulk write may call it.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from auditlog.cid import get_cid
from auditlog.context import auditlog_disabled, auditlog_value
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.utils import timezone
from django.utils.encoding import smart_str

from accounts.models import User


class BulkEntry(NamedTuple):
    """One row written in bulk: its recorded fields before (None: the row is new) and after,
    by field name (a foreign key by its id), with what auditlog would read off the object."""

    object_id: int
    object_repr: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any]
    additional_data: Mapping[str, Any] | None = None


# The columns of auditlog's table that a bulk entry fills, in the order of each row below.
_COLUMNS = [
    "content_type",
    "object_pk",
    "object_id",
    "object_repr",
    "action",
    "changes_text",
    "changes",
    "actor",
    "actor_email",
    "remote_addr",
    "cid",
    "timestamp",
    "additional_data",
]

Encode = Callable[[Any], Any]


def _as_stored(value: Any) -> Any:
    """A value as auditlog stores it in JSON: plain JSON types as they are, the rest (decimals,
    days) as their text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return smart_str(value)


def _as_json(value: Any) -> Any:
    """A JSON field's value, stored as it is."""
    return value


def _moment_as_stored(value: datetime.datetime | None) -> Any:
    """A moment as auditlog stores it: naive, in UTC, as text."""
    if value is None:
        return None
    if timezone.is_aware(value):
        value = timezone.make_naive(value, datetime.UTC)
    return smart_str(value)


def _encoders(model: type[models.Model]) -> dict[str, Encode]:
    """How auditlog encodes each recorded field of the model, by field name."""
    registered = auditlog.get_model_fields(model)
    if registered["mask_fields"]:
        raise ValueError(f"{model.__name__} masks fields; bulk entries do not mask.")
    include = set(registered["include_fields"])
    exclude = set(registered["exclude_fields"])
    encoders: dict[str, Encode] = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or (include and field.name not in include):
            continue
        if field.name in exclude:
            continue
        if isinstance(field, models.DateTimeField):
            encoders[field.name] = _moment_as_stored
        elif isinstance(field, models.JSONField):
            encoders[field.name] = _as_json
        else:
            # A foreign key is recorded by its id, which is a plain number already.
            encoders[field.name] = _as_stored
    return encoders


def bulk_changes(
    encoders: Mapping[str, Encode], before: Mapping[str, Any] | None, after: Mapping[str, Any]
) -> dict[str, list[Any]]:
    """The `changes` auditlog stores for a save from `before` (None: created) to `after`: each
    recorded field whose value differs, as [old, new] in their stored form.

    Values are compared before they are encoded, as auditlog compares them: 3 and 3.000000
    are the same number, not a change.
    """
    changes = {}
    for name, encode in encoders.items():
        new = after[name]
        old = before[name] if before is not None else None
        if old != new:
            changes[name] = [encode(old), encode(new)]
    return changes


def record_bulk_entries(
    model: type[models.Model], entries: Iterable[BulkEntry], *, by: User | None
) -> int:
    """Record rows of `model` written in bulk in the audit trail, one entry per row whose
    recorded fields changed, as single saves would record them. Returns how many.

    The actor is `by`, else the person of the enclosing request or `record_with_actor`; the
    channel is the current one (the entry's `cid`).
    """
    if auditlog_disabled.get():
        return 0
    context: dict[str, Any] = auditlog_value.get(None) or {}
    actor = by if by is not None else context.get("actor")
    if not isinstance(actor, User):
        actor = None
    encoders = _encoders(model)
    shared = {
        "content_type": ContentType.objects.get_for_model(model).pk,  # cached by Django
        "actor": actor.pk if actor is not None else None,
        "actor_email": actor.email if actor is not None else None,
        "remote_addr": context.get("remote_addr"),
        "cid": get_cid(),
        "timestamp": timezone.now(),
    }
    rows = []
    for entry in entries:
        changes = bulk_changes(encoders, entry.before, entry.after)
        if not changes:
            continue
        additional = entry.additional_data
        rows.append(
            (
                shared["content_type"],
                str(entry.object_id),
                entry.object_id,
                entry.object_repr,
                LogEntry.Action.CREATE if entry.before is None else LogEntry.Action.UPDATE,
                "",
                json.dumps(changes),
                shared["actor"],
                shared["actor_email"],
                shared["remote_addr"],
                shared["cid"],
                shared["timestamp"],
                json.dumps(additional) if additional is not None else None,
            )
        )
    if rows:
        _insert(rows)
    return len(rows)


def _insert(rows: list[tuple[Any, ...]]) -> None:
    """Insert the entries' rows: COPY on PostgreSQL, one executemany elsewhere.

    Only auditlog's own table is written, which no cached page shows: the data version is the
    bulk write's to move (tests/scorecard/test_data_version.py names this module).
    """
    meta = LogEntry._meta
    columns = [meta.get_field(name).column for name in _COLUMNS]
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    table = connection.ops.quote_name(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        moment = _COLUMNS.index("timestamp")
        stored = connection.ops.adapt_datetimefield_value(rows[0][moment])
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({placeholders})",  # noqa: S608
            [(*row[:moment], stored, *row[moment + 1 :]) for row in rows],
        )
