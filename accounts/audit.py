"""The audit trail: who changed which scorecard object, when, through what, from what to what.

django-auditlog records the changes: each app registers its models in its `apps.py` (with the
page that shows an object, for the trail's links), and `AuditlogMiddleware` names the
signed-in person as the actor. The channel of a change (a page, an import, the API or the
system) is stored as the entry's correlation id (`cid`, through settings.AUDITLOG_CID_GETTER):
`AuditChannelMiddleware` says "page" for requests, the API's views "api", the import "import",
and anything outside a request (tasks, commands) is the system's. This module reads the trail
and turns its entries into rows people can read. It is generic over the registered models, so
it lives in the lowest app and never imports a higher one.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from auditlog.cid import get_cid
from auditlog.context import auditlog_disabled, auditlog_value, set_actor
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from axes.models import AccessFailureLog
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst

from accounts.models import User

# The actions people filter by, in the words the page uses.
ACTIONS: dict[str, int] = {
    "created": LogEntry.Action.CREATE,
    "updated": LogEntry.Action.UPDATE,
    "deleted": LogEntry.Action.DELETE,
}
ACTION_LABELS: dict[int, str] = {
    LogEntry.Action.CREATE: "Created",
    LogEntry.Action.UPDATE: "Updated",
    LogEntry.Action.DELETE: "Deleted",
}
EMPTY = "—"


# The page that shows an object of each registered model, for the trail's links.
ObjectPage = Callable[[Any], str]
_pages: dict[type[models.Model], ObjectPage] = {}
# The fields recorded of each registered model.
_recorded: dict[type[models.Model], frozenset[str]] = {}


def register_for_audit(
    model: type[models.Model],
    *,
    exclude: Sequence[str] = (),
    m2m_fields: Sequence[str] = (),
    page: ObjectPage | None = None,
) -> None:
    """Record every create, update and delete of the model's own fields, and of `m2m_fields`.

    Each app calls this for its models in its AppConfig.ready(). Only concrete fields are
    recorded: auditlog would otherwise log reverse relations as noise. Fields set automatically
    with the time (auto_now, auto_now_add) are left out: the entry's timestamp says when.
    `exclude` also leaves out internal fields people need not read (a version counter).
    `page(obj)` is the address of the page showing an object, read from the object's own
    fields only (no query), so the trail links each object that still exists.
    """
    if page is not None:
        _pages[model] = page
    fields = [
        field.name
        for field in model._meta.concrete_fields
        if not field.primary_key
        and field.name not in exclude
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
    ]
    auditlog.register(model, include_fields=fields, m2m_fields=set(m2m_fields))
    _recorded[model] = frozenset([*fields, *m2m_fields])


def model_key(model: type[models.Model]) -> str:
    """The key a model is filtered by, e.g. "kpis.kpi"."""
    return model._meta.label_lower


def audited_models() -> list[tuple[str, str]]:
    """(key, label) of every model whose changes are recorded, sorted by label."""
    choices = [
        (model_key(model), capfirst(model._meta.verbose_name)) for model in auditlog.get_models()
    ]
    return sorted(choices, key=lambda choice: choice[1])


def audit_entries(
    *,
    model: str | None = None,
    actor_id: int | None = None,
    action: str | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    object_id: int | None = None,
    search: str | None = None,
) -> QuerySet[Any]:
    """Log entries matching every given filter, newest first, with actor and content type.

    `model` is a key from `audited_models()`, `action` one of ACTIONS, `since` and `until` are
    inclusive days in the current time zone, `search` matches the object's name.
    """
    entries: QuerySet[Any] = LogEntry.objects.select_related("actor", "content_type")
    if model:
        app_label, _, model_name = model.partition(".")
        entries = entries.filter(content_type__app_label=app_label, content_type__model=model_name)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if action:
        if action not in ACTIONS:
            raise ValueError(f"Unknown action {action!r}; expected one of {sorted(ACTIONS)}.")
        entries = entries.filter(action=ACTIONS[action])
    # Whole days in the current time zone, as ranges on the indexed timestamp.
    if since is not None:
        entries = entries.filter(timestamp__gte=_start_of_day(since))
    if until is not None:
        entries = entries.filter(timestamp__lt=_start_of_day(until + datetime.timedelta(days=1)))
    if object_id is not None:
        entries = entries.filter(object_id=object_id)
    if search:
        entries = entries.filter(object_repr__icontains=search)
    return entries.order_by("-timestamp", "-pk")


def history_for(obj: models.Model, *, parts: Iterable[type[models.Model]] = ()) -> QuerySet[Any]:
    """The object's log entries, newest first.

    With `parts` (e.g. a KPI's Target and Actual), also the entries of those models' objects
    that belong to `obj`, even deleted ones: such a model names its owner in the entry's
    additional data as `{"<owner model name>_id": pk}` (see `get_additional_data`).
    """
    content_type = ContentType.objects.get_for_model(obj)
    belongs = Q(content_type=content_type, object_id=obj.pk)
    part_types = list(ContentType.objects.get_for_models(*parts).values())
    if part_types:
        owner_key = f"additional_data__{obj._meta.model_name}_id"
        belongs |= Q(content_type__in=part_types, **{owner_key: obj.pk})
    entries: QuerySet[Any] = LogEntry.objects.filter(belongs)
    return entries.select_related("actor", "content_type").order_by("-timestamp", "-pk")


class Channel(StrEnum):
    """Through what a change was made."""

    PAGE = "page"
    IMPORT = "import"
    API = "api"
    SYSTEM = "system"


CHANNEL_LABELS: dict[str, str] = {
    Channel.PAGE: "Page",
    Channel.IMPORT: "Import",
    Channel.API: "API",
    Channel.SYSTEM: "System",
}
_channel: ContextVar[Channel] = ContextVar("audit_channel", default=Channel.SYSTEM)


def current_channel() -> str:
    """The channel of the changes being made now; settings.AUDITLOG_CID_GETTER names this, so
    django-auditlog stores it with every entry (as the entry's `cid`)."""
    return _channel.get().value


@contextmanager
def recording_channel(channel: Channel) -> Iterator[None]:
    """Record the changes made inside as made through `channel`; the enclosing one after."""
    token = _channel.set(channel)
    try:
        yield
    finally:
        _channel.reset(token)


def no_actor() -> dict[str, Any]:
    """django-auditlog's context for "nobody is named": changes are the system's.

    Not None: while any thread is inside auditlog's `set_actor` (a request being answered),
    its receiver runs for every LogEntry saved in the process, and reads this context as a
    dict; a None there failed the other threads' saves (the receiver compares `signal_duid`,
    which no `set_actor` of theirs has).
    """
    return {"actor": None, "remote_addr": None, "signal_duid": None}


class AuditChannelMiddleware:
    """Changes made while answering a request are made through a page, unless a narrower
    channel says otherwise inside (the API's views, the import).

    It also ends the request's actor with the request: django-auditlog's middleware names the
    signed-in person and never takes them back, so a later bulk write on the same thread (the
    next request, a test) would be recorded as theirs. It sits before that middleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        actor = auditlog_value.set(no_actor())
        try:
            with recording_channel(Channel.PAGE):
                return self.get_response(request)
        finally:
            auditlog_value.reset(actor)


def record_bulk_changes(
    changes: Sequence[tuple[models.Model | None, models.Model]], *, by: User | None
) -> None:
    """Record rows written in bulk in the audit trail as single saves would be: one entry per
    row that changed (`(None, row)` for a new one), with the same diff, inserted in one query.

    bulk_create and bulk_update send no signals, so django-auditlog does not see them. The
    actor is `by`, else the person of the enclosing request or `record_with_actor`.
    """
    if not changes or auditlog_disabled.get():
        return
    context: dict[str, Any] = auditlog_value.get(None) or {}
    actor = by if by is not None else context.get("actor")
    if not isinstance(actor, User):
        actor = None
    cid = get_cid()
    entries = []
    for old, new in changes:
        diff = model_instance_diff(
            old, new, use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES
        )
        if not diff:
            continue
        additional_data = getattr(new, "get_additional_data", None)
        entries.append(
            LogEntry(
                content_type=ContentType.objects.get_for_model(new),  # cached by Django
                object_pk=str(new.pk),
                object_id=new.pk,
                object_repr=str(new),
                action=LogEntry.Action.CREATE if old is None else LogEntry.Action.UPDATE,
                changes=diff,
                actor=actor,
                actor_email=getattr(actor, "email", None),
                remote_addr=context.get("remote_addr"),
                additional_data=additional_data() if additional_data else None,
                cid=cid,
            )
        )
    LogEntry.objects.bulk_create(entries, batch_size=1000)


@contextmanager
def record_with_actor(user: User | AnonymousUser | None) -> Iterator[None]:
    """Name `user` as the actor of the changes made inside, e.g. in a Celery task, an import or
    an API call signed in by token (which the middleware cannot see).

    Inside a request it overrides the signed-in person and hands back to them on leaving.
    Anonymous or None records the changes as the system's.
    """
    # auditlog's set_actor does not restore the enclosing context (the request's, or none)
    # on leaving: take it back exactly as it was.
    enclosing = auditlog_value.set(auditlog_value.get(None) or no_actor())
    try:
        with set_actor(user):
            yield
    finally:
        auditlog_value.reset(enclosing)


# --- Showing entries ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One field of an entry: its old and new value, ready to show."""

    field: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.field}: {self.old} → {self.new}"


@dataclass(frozen=True)
class SetChange:
    """People or objects added to or removed from a many-to-many field (a KPI's updaters)."""

    field: str
    operation: str  # "added" or "removed"
    objects: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.field}: {self.operation} {', '.join(self.objects)}"


@dataclass(frozen=True)
class AuditRow:
    """A log entry as the audit trail shows it."""

    entry: Any  # LogEntry
    when: datetime.datetime
    who: str
    channel: str
    action: str
    object_type: str
    object: str
    # The page of the object, while it exists and its model names one; else "".
    url: str
    changes: list[Change | SetChange]


def audit_rows(entries: Iterable[Any]) -> list[AuditRow]:
    """The entries as readable rows, with foreign keys named and objects linked to their pages
    (one query per related model and one per kind of object linked).

    The entries should come with their actor and content type selected (as `audit_entries` and
    `history_for` do), or each costs queries.
    """
    entries = list(entries)
    names = _related_names(entries)
    pages = _object_pages(entries)
    rows = []
    for entry in entries:
        model = entry.content_type.model_class()
        rows.append(
            AuditRow(
                entry=entry,
                when=entry.timestamp,
                who=_actor_name(entry),
                channel=CHANNEL_LABELS.get(entry.cid or "", EMPTY),
                action=ACTION_LABELS.get(entry.action, entry.get_action_display()),
                object_type=(
                    capfirst(model._meta.verbose_name) if model else entry.content_type.model
                ),
                object=entry.object_repr,
                url=pages.get((model, entry.object_id), ""),
                changes=_changes(entry, model, names),
            )
        )
    return rows


def _object_pages(entries: Sequence[Any]) -> dict[tuple[Any, int | None], str]:
    """The page of every object in the entries that still exists, by (model, id)."""
    wanted: defaultdict[type[models.Model], set[int]] = defaultdict(set)
    for entry in entries:
        model = entry.content_type.model_class()
        if model in _pages and entry.object_id is not None:
            wanted[model].add(entry.object_id)
    return {
        (model, pk): _pages[model](obj)
        for model, ids in wanted.items()
        for pk, obj in model._default_manager.in_bulk(ids).items()
    }


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _actor_name(entry: Any) -> str:
    if entry.actor is not None:
        return str(entry.actor)
    if entry.actor_email:
        # The person was deleted since; the entry kept their e-mail address.
        return str(entry.actor_email)
    return "system"


def _is_key(field: Any) -> bool:
    """True for a foreign key (or one-to-one) whose stored values are the related pks."""
    return field is not None and bool(field.many_to_one or field.one_to_one)


def _field(model: type[models.Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    # Reverse relations have no verbose name nor a stored value worth showing.
    return field if field.concrete or field.many_to_many else None


# Names of related objects, by related model and primary key as stored in the entries.
RelatedNames = dict[type[models.Model], dict[str, str]]


def _related_names(entries: Sequence[Any]) -> RelatedNames:
    """Every foreign key value in the entries' changes, named, in one query per related model."""
    wanted: defaultdict[type[models.Model], set[str]] = defaultdict(set)
    for entry in entries:
        model = entry.content_type.model_class()
        for name, values in entry.changes_dict.items():
            field = _field(model, name)
            if _is_key(field) and isinstance(values, list):
                wanted[field.related_model].update(str(v) for v in values if v is not None)
    names: RelatedNames = {}
    for related_model, keys in wanted.items():
        pk_field = related_model._meta.pk
        if pk_field is None:
            continue
        pks = []
        for key in keys:
            # A value that is no longer a valid key is shown as stored.
            with suppress(ValidationError):
                pks.append(pk_field.to_python(key))
        found = related_model._default_manager.in_bulk(pks)
        names[related_model] = {str(pk): str(obj) for pk, obj in found.items()}
    return names


def _changes(
    entry: Any, model: type[models.Model] | None, names: RelatedNames
) -> list[Change | SetChange]:
    """The entry's changes in the model's field order, leaving out fields that stayed empty
    and fields no longer recorded (internal ones such as a version counter, in older entries).
    """
    order = {field.name: i for i, field in enumerate(model._meta.get_fields())} if model else {}
    recorded = _recorded.get(model) if model else None
    changes: list[Change | SetChange] = []
    for name, values in sorted(
        entry.changes_dict.items(), key=lambda item: order.get(item[0], len(order))
    ):
        field = _field(model, name)
        # A name that is no field of the model is an entry's own wording (two-factor changes).
        if recorded is not None and field is not None and name not in recorded:
            continue
        label = _label(field, name)
        if isinstance(values, dict) and values.get("type") == "m2m":
            operation = "added" if values.get("operation") == "add" else "removed"
            changes.append(SetChange(label, operation, tuple(values.get("objects", ()))))
        elif isinstance(values, list) and len(values) == 2:
            old, new = (_value(field, value, names) for value in values)
            if old != new:
                changes.append(Change(label, old, new))
    return changes


def _label(field: Any, name: str) -> str:
    if field is None:
        return name
    # A key named after its model ("kpi") reads best as that model's name ("KPI").
    if _is_key(field) and field.name == field.related_model._meta.model_name:
        return capfirst(str(field.related_model._meta.verbose_name))
    label = str(field.verbose_name)
    # A flag reads as the state it names: "Archived: no → yes", not "Is archived".
    if isinstance(field, models.BooleanField) and label.startswith("is "):
        label = label.removeprefix("is ")
    return capfirst(label)


def _value(field: Any, stored: object, names: RelatedNames) -> str:
    """A stored value as people read it: choices by label, keys by name, decimals trimmed."""
    if stored is None or stored == "":
        return EMPTY
    value = str(stored)
    if field is None:
        return value
    if _is_key(field):
        return names.get(field.related_model, {}).get(value, f"#{value} (deleted)")
    if field.choices:
        labels = {str(choice): label for choice, label in field.flatchoices}
        return str(labels.get(value, value))
    if isinstance(field, models.BooleanField):
        return {"True": "yes", "False": "no"}.get(value, value)
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(value)
        if moment is None:
            return value
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, datetime.UTC)
        return f"{timezone.localtime(moment):%-d %b %Y %H:%M}"
    if isinstance(field, models.DateField):
        day = parse_date(value[:10])
        return f"{day:%-d %b %Y}" if day else value
    if isinstance(field, models.DecimalField):
        try:
            return f"{Decimal(value).normalize():f}"
        except InvalidOperation:
            return value
    return value


REFUSED_SIGN_INS_SHOWN = 20


def refused_sign_ins(limit: int = REFUSED_SIGN_INS_SHOWN) -> list[AccessFailureLog]:
    """The latest failed sign-ins recorded by django-axes, newest first."""
    return list(AccessFailureLog.objects.order_by("-attempt_time")[:limit])
