"""The one writer of a lifecycle's objects: every change is one transaction.

``Writer.perform`` locks the object's row (only that row: ``of=("self",)``), refuses a stale
``expected_version``, asks the lifecycle's decision function (``Lifecycle.decide``) with the roles
the caller holds on the object, checks the inputs, lets the action's handler change the object,
moves its status, bumps its ``version`` with a conditional UPDATE (so two writers cannot both
succeed, on PostgreSQL and SQLite alike) and appends one typed event whose ``seq`` is the new
version.

A lifecycle declares a subclass: the model, its event model, the table, the handlers, and the
fields the handlers may change. The model has ``status``, ``version`` and ``last_event_at``; the
event model has ``<subject>``, ``seq``, ``action``, ``at``, ``actor``, ``from_status``,
``to_status`` and ``payload`` (plus what ``event_fields`` adds).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db import models, router, transaction
from django.db.models.fields.related_descriptors import ReverseManyToOneDescriptor
from django.utils import timezone

from motcua.prepared import PreparedRead, Write, rows_together, update_row_with_insert
from motcua.statemachine.errors import Conflict, InvalidInput, NotAllowed
from motcua.statemachine.table import Lifecycle, Offer, check_inputs


@dataclass
class Change:
    """One change being made: what the handler and the hooks see."""

    action: str
    offer: Offer
    at: dt.datetime
    actor: Any
    inputs: Mapping[str, Any]
    from_status: str = ""
    payload: dict[str, Any] = field(default_factory=dict)  # written into the event
    memo: dict[str, Any] = field(default_factory=dict)  # shared by the hooks, never written
    # Statements of the handler whose results nobody reads (each writes another table than the object's):
    # sent with the object's own UPDATE (prepared.update_row_with_insert).
    writes: list[Write] = field(default_factory=list)

    @property
    def role(self) -> str:
        return self.offer.role

    def get(self, name: str, default: Any = None) -> Any:
        value = self.inputs.get(name)
        return default if value is None else value


Roles = Sequence[str] | Callable[[Any], Sequence[str]]


class Writer:
    model: ClassVar[type[models.Model]]
    event_model: ClassVar[type[models.Model]]
    subject_field: ClassVar[str]  # the event's foreign key to the object
    lifecycle: ClassVar[Lifecycle]
    handlers: ClassVar[Mapping[str, Callable[[Any, Change], None]]] = {}
    state_fields: ClassVar[Sequence[str]] = ()  # written with the status; the handlers may change them
    related: ClassVar[Sequence[str]] = ()  # select_related when locking (locks the object's row only)
    prefetch: ClassVar[Sequence[str | models.Prefetch]] = ()  # prefetch_related when locking (read, never locked)
    input_labels: ClassVar[Mapping[str, str]] = {}
    free_inputs: ClassVar[Sequence[str]] = ()  # inputs every action takes (recorded in the event)
    conflict_message: ClassVar[str] = "Dữ liệu vừa được người khác cập nhật; hãy tải lại rồi thao tác."

    # --- hooks ----------------------------------------------------------------------------------
    def prepare(self, obj: Any, change: Change) -> None:
        """Before the handler (e.g. remember what the object was)."""

    def event_fields(self, obj: Any, change: Change) -> dict[str, Any]:
        """Further fields of the event row."""
        return {}

    def after(self, obj: Any, event: Any, change: Change) -> None:
        """After the event, in the same transaction (notifications, counters)."""

    def transaction(self) -> AbstractContextManager[Any]:
        """The transaction of one change (``transaction.atomic``, or one that writes something last)."""
        return transaction.atomic()

    # --- the one way in -------------------------------------------------------------------------
    def perform(
        self, obj: Any, action: str, *, roles: Roles, actor: Any = None, at: dt.datetime | None = None,
        inputs: Mapping[str, Any] | None = None, expected_version: int | None = None,
    ) -> Any:
        """Apply ``action``; raise a LifecycleError and change nothing if it is refused."""
        with self.transaction():
            pk = obj.pk if isinstance(obj, models.Model) else obj
            locked = self.read_locked(pk)
            if expected_version is not None and locked.version != expected_version:
                raise self._conflict()
            at = at or timezone.now()
            if action not in self.lifecycle.actions:
                raise NotAllowed(f"Không có thao tác {action!r}.")
            held = roles(locked) if callable(roles) else roles
            offer = self.lifecycle.decide(locked, action, list(held), at)
            given = dict(inputs or {})
            check_inputs(offer, given, self.input_labels, self.free_inputs)
            last = getattr(locked, "last_event_at", None)
            if last is not None and at < last:
                raise InvalidInput("Thời điểm thao tác không được trước thao tác trước đó.", field="at")
            change = Change(action, offer, at, actor, given, from_status=locked.status)
            self.prepare(locked, change)
            handler = self.handlers.get(action)
            if handler is not None:
                handler(locked, change)
            move = self.lifecycle.transition(change.from_status, action)
            assert move is not None
            locked.status = move.to
            locked.last_event_at = at
            version = locked.version
            locked.version = version + 1
            event = self.new_event(locked, change)
            # The version bumped, the event appended and the handler's writes made by one statement
            # (PostgreSQL; one each elsewhere). Nothing in the transaction reads them again: in a block that
            # sends its last writes with its COMMIT (``rollups.batched``), the statement goes with them.
            updated = update_row_with_insert(
                self.model, locked.pk, {"version": version},
                {"version": version + 1, "status": locked.status, "last_event_at": at,
                 **{name: getattr(locked, name) for name in self.state_fields}},
                event, using=locked._state.db, also=change.writes, conflict=self._conflict,
            )
            if updated is not None and updated != 1:
                raise self._conflict()  # rolls back the event too
            self.after(locked, event, change)
            return locked

    def _conflict(self) -> Conflict:
        return Conflict(self.conflict_message)

    def read_locked(self, pk: Any) -> Any:
        """The object's row, locked (only it), with its ``related`` rows and its ``prefetch`` children:
        SQL compiled once per connection (``PreparedRead``), the objects as the querysets would make them."""
        reads = type(self).__dict__.get("_reads")
        if reads is None:
            reads = _Reads(self)
            type(self)._reads = reads
        using = router.db_for_write(self.model)
        # The row and its children read together (one round trip on PostgreSQL); no row, no children.
        found, *children_found = rows_together([(reads.lock, pk)] + [(c[3], pk) for c in reads.children], using)
        if not found:
            raise self.model.DoesNotExist(f"{self.model._meta.object_name} matching query does not exist.")
        obj = found[0]
        for (name, fk, queryset, _read), children in zip(reads.children, children_found, strict=True):
            for child in children:
                fk.set_cached_value(child, obj)
            cached = getattr(obj, name)._apply_rel_filters(queryset.all())
            cached._result_cache, cached._prefetch_done = children, True
            obj.__dict__.setdefault("_prefetched_objects_cache", {})[name] = cached
        if reads.other:
            models.prefetch_related_objects([obj], *reads.other)
        return obj

    def new_event(self, obj: Any, change: Change) -> Any:
        """The event of ``change`` (not written yet): its ``seq`` is the object's new version."""
        return self.event_model(
            **{self.subject_field: obj}, seq=obj.version, action=change.action, at=change.at,
            actor=change.actor if getattr(change.actor, "pk", None) else None,
            from_status=change.from_status, to_status=obj.status, payload=change.payload,
            **self.event_fields(obj, change),
        )


class _Reads:
    """A writer's prepared reads: the locked row, and each prefetch of a reverse foreign key given with
    its queryset (any other prefetch is done by Django, as given)."""

    def __init__(self, writer: Writer) -> None:
        manager = writer.model._default_manager
        related = tuple(writer.related)
        self.lock = PreparedRead(
            lambda key: manager.select_related(*related).select_for_update(of=("self",)).filter(pk=key).order_by())
        self.children: list[tuple[str, Any, models.QuerySet, PreparedRead]] = []
        self.other: list[Any] = []
        for item in writer.prefetch:
            descriptor = getattr(writer.model, getattr(item, "prefetch_through", ""), None)
            if (isinstance(item, models.Prefetch) and item.queryset is not None and item.to_attr is None
                    and isinstance(descriptor, ReverseManyToOneDescriptor)):
                fk = descriptor.field
                self.children.append((item.prefetch_through, fk, item.queryset, PreparedRead(
                    lambda key, qs=item.queryset, attname=fk.attname: qs.filter(**{attname: key}))))
            else:
                self.other.append(item)
