"""Delivery of outbox rows, queued with django-tasks (the django-tasks-db backend by default).

Each message is sent at least once and, short of a worker dying in the middle of a send, once:
a worker claims the row (pending → sending) with one conditional UPDATE, so two tasks for the same
row never both send it; it sends with no database transaction open and a timeout on the mail
server (settings.EMAIL_TIMEOUT), then marks the row sent. A failure puts the row back to pending
with the time of its next attempt (exponential backoff) until MAX_ATTEMPTS, then failed.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.mail import EmailMessage
from django.db import connections, router, transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task
from django_tasks.utils import normalize_json
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from motcua import last_writes
from motcua.notifications import senders
from motcua.notifications.models import Notification
from motcua.prepared import (
    _has_save_signals,
    _insert_params,
    insert_rows,
    insert_rows_last,
    returned,
    update_row,
)

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
State = Notification.State


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(minutes=2 ** attempts)


def send(note: Notification) -> None:
    if note.channel == Notification.Channel.EMAIL:
        message = EmailMessage(note.subject, note.body, None, [note.recipient],
                               headers={"Message-ID": note.message_id})
        message.send(fail_silently=False)
    else:
        senders.sms_sender().send(note.recipient, note.body)


def _claim(notification_id: int) -> Notification | None:
    """The row, pending → sending, as one UPDATE … RETURNING whose SQL is kept per connection (the ORM
    built an UPDATE then a SELECT for every message: most of the worker's time); None when the row
    is not pending."""
    using = router.db_for_write(Notification)
    connection = connections[using]  # PostgreSQL, or SQLite ≥ 3.35: both have UPDATE … RETURNING
    found = returned(Notification, _claim_sql(connection), [State.SENDING, _now(connection), notification_id,
                                                            State.PENDING], using)
    return found[0] if found else None


def _now(connection: Any) -> object:
    return Notification._meta.get_field("claimed_at").get_db_prep_save(timezone.now(), connection)


def _claim_sql(connection: Any, many: bool = False) -> str:
    """The claim's UPDATE, of one row (``id = %s``) or, ``many`` (PostgreSQL), of a list (``id = ANY(%s)``)."""
    cache = connection.__dict__.setdefault("_motcua_claim_sql", {})
    if many not in cache:
        meta, quote = Notification._meta, connection.ops.quote_name
        state, claimed, attempts = (quote(meta.get_field(n).column) for n in ("state", "claimed_at", "attempts"))
        key = f"{quote(meta.pk.column)} = {'ANY(%s)' if many else '%s'}"
        cache[many] = (f"UPDATE {quote(meta.db_table)} SET {state} = %s, {claimed} = %s, "
                       f"{attempts} = {attempts} + 1 WHERE {key} AND {state} = %s")
    return cache[many]


@task()
def deliver(notification_id: int) -> str:
    return deliver_one(notification_id)


@task()
def deliver_many(notification_ids: list[int]) -> list[str]:
    """The messages of one event (the applicant's e-mail and SMS): one task, queued with one row."""
    return [deliver_one(pk) for pk in notification_ids]


def deliver_one(notification_id: int) -> str:
    note = _claim(notification_id)
    if note is None:
        return "skipped"  # sent, failed, or being sent by another worker
    try:
        send(note)
    except Exception as exc:  # noqa: BLE001 - any sender failure is retried, never raised
        return _not_sent(note, exc)
    update_row(Notification, note.pk, {"state": State.SENDING},
               {"state": State.SENT, "sent_at": timezone.now(), "claimed_at": None}, using=note._state.db)
    return "sent"


def deliver_rows(notification_ids: list[int]) -> dict[int, str]:
    """``deliver_one`` for several rows at once (the worker's batch, PostgreSQL): the pending ones claimed by
    one UPDATE, each sent, those sent marked by one UPDATE — two statements for the lot instead of two a
    row. A crash in the middle leaves the rows sent so far *sending*, as it leaves the row being sent one
    at a time: the sweeper sends them again (same Message-ID). Each row's outcome, by key."""
    using = router.db_for_write(Notification)
    connection = connections[using]
    claimed = returned(Notification, _claim_sql(connection, many=True),
                       [State.SENDING, _now(connection), list(notification_ids), State.PENDING], using)
    outcomes = dict.fromkeys(notification_ids, "skipped")  # sent, failed, or being sent by another worker
    sent = []
    for note in sorted(claimed, key=lambda n: n.pk):
        try:
            send(note)
        except Exception as exc:  # noqa: BLE001 - any sender failure is retried, never raised
            outcomes[note.pk] = _not_sent(note, exc)
            continue
        sent.append(note.pk)
        outcomes[note.pk] = "sent"
    if sent:
        Notification.objects.using(using).filter(pk__in=sent, state=State.SENDING).update(
            state=State.SENT, sent_at=timezone.now(), claimed_at=None)
    return outcomes


def _not_sent(note: Notification, exc: Exception) -> str:
    """A send that failed: the row back to pending with its next attempt queued, or failed for good."""
    failed = note.attempts >= MAX_ATTEMPTS
    retry_at = None if failed else timezone.now() + backoff(note.attempts)
    Notification.objects.filter(pk=note.pk, state=State.SENDING).update(
        state=State.FAILED if failed else State.PENDING, claimed_at=None, next_attempt_at=retry_at,
        last_error=f"{type(exc).__name__}: {exc}"[:2000])
    if retry_at is not None:
        enqueue(note.pk, run_after=retry_at)
    return "failed" if failed else "retry"


def enqueue(notification_id: int, run_after: dt.datetime | None = None) -> bool:
    """Queue a delivery; a queue failure is logged (the sweeper, `manage.py resend_notifications`,
    queues the row again later), never raised. Inside a transaction the queueing has its own
    savepoint, so a failure there does not spoil the caller's transaction."""
    return _queue(deliver.using(run_after=run_after) if run_after else deliver, notification_id)


def enqueue_many(notification_ids: list[int]) -> bool:
    """``enqueue`` for the rows of one event, as one task."""
    return _queue(deliver_many, notification_ids)


def _queue(job: Task, arg: object) -> bool:
    try:
        with transaction.atomic():
            _enqueue(job, arg)
    except Exception:  # noqa: BLE001
        logger.exception("could not queue notifications %s; `manage.py resend_notifications` will", arg)
        return False
    return True


def _enqueue(job: Task, arg: object) -> object:
    """``job.enqueue(arg)``. On the database backend, the row its ``enqueue`` would write, written by one
    INSERT whose SQL is kept per connection: the backend's own builds the row through the ORM, then a
    TaskResult for its ``task_enqueued`` signal (a debug log line), which took a third of a notifying
    transition's Python. What the backend's pre_save receiver does (no ``run_after``: the far future) is
    done here; tests/test_notifications_delivery.py holds the two rows equal."""
    backend = job.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return job.enqueue(arg).id
    row = _task_row(job, backend, arg)
    insert_rows([row], using=router.db_for_write(DBTaskResult), signals=False)
    logger.debug("queued %s(%s) as task %s", job.module_path, arg, row.pk)
    return row.pk


def _task_row(job: Task, backend: DatabaseBackend, arg: object) -> DBTaskResult:
    """The row the database backend's ``enqueue`` writes for ``job(arg)``, not saved."""
    return DBTaskResult(id=backend._get_id(), args_kwargs=normalize_json({"args": [arg], "kwargs": {}}),
                        priority=job.priority, task_path=job.module_path, queue_name=job.queue_name,
                        run_after=job.run_after or get_date_max(), backend_name=backend.alias)


def insert_and_queue(notes: list[Notification], using: str) -> None:
    """The outbox rows of one dossier event, written with their one task (``deliver_many``) as
    ``insert_rows`` then ``queue_new`` write them: the rows in the caller's transaction, the task in a
    savepoint of its own, whose failure is logged and leaves the rows to the sweeper.

    Inside a ``rollups.batched`` block on PostgreSQL (a transition's), with the database queue on the same
    database, both are sent with the block's end, with its other last writes and its COMMIT
    (``motcua.last_writes``): the rows' INSERT, then the task's in a savepoint, forgiven and logged if it
    fails — no exchange of their own, and no ORM object for the task, whose argument (the rows' keys) its
    INSERT reads from the rows just written. Elsewhere, one after the other."""
    connection = connections[using]
    backend = deliver_many.get_backend()
    if (not last_writes.can_defer(using) or not isinstance(backend, DatabaseBackend)
            or router.db_for_write(DBTaskResult) != using or _has_save_signals(Notification)
            or any(note.dossier_id is None or note.event_seq != notes[0].event_seq for note in notes)):
        insert_rows(notes, using)
        queue_new(notes)
        return
    task_sql, task_fields = _queue_sql(connection)
    task = _task_row(deliver_many, backend, [])
    task_params = [*_insert_params([task], task_fields, connection), notes[0].dossier_id, notes[0].event_seq]
    insert_rows_last([notes], using)
    last_writes.defer(using, task_sql, task_params, forgiven=lambda exc: logger.error(
        "could not queue notifications of dossier %s, event %s (%s); `manage.py resend_notifications` will",
        notes[0].dossier_id, notes[0].event_seq, exc))


def _queue_sql(connection: Any) -> tuple[str, list]:
    """``INSERT INTO <task table> (…) SELECT <the row's values>, <its argument> FROM <outbox> WHERE
    dossier = %s AND event_seq = %s``: the argument is the list of the event's rows' keys, in key order
    (``{"args": [[…]], "kwargs": {}}``, as ``normalize_json`` writes it); each value cast to its column's
    type. Kept per connection."""
    cache = connection.__dict__.setdefault("_motcua_queue_sql", {})
    if "sql" not in cache:
        quote = connection.ops.quote_name
        meta, outbox = DBTaskResult._meta, Notification._meta
        fields = [f for f in meta.concrete_fields if f.name != "args_kwargs"]
        key = quote(outbox.pk.column)
        args = (f"jsonb_build_object('args', jsonb_build_array(jsonb_agg(n.{key} ORDER BY n.{key})), "
                f"'kwargs', '{{}}'::jsonb)")
        values = [args if f.name == "args_kwargs" else f"%s::{f.db_type(connection)}" for f in meta.concrete_fields]
        columns = ", ".join(quote(f.column) for f in meta.concrete_fields)
        cache["sql"] = (f"INSERT INTO {quote(meta.db_table)} ({columns}) SELECT {', '.join(values)} "
                        f"FROM {quote(outbox.db_table)} n WHERE n.{quote(outbox.get_field('dossier').column)} = %s "
                        f"AND n.{quote(outbox.get_field('event_seq').column)} = %s", fields)
    return cache["sql"]


def queue_new(notes: list[Notification]) -> None:
    """Queue the delivery of rows just written in the caller's transaction: in that same
    transaction when the queue is the database (both are committed or neither), after the commit
    otherwise (an immediate backend would send from inside the transaction). One task for them all."""
    ids = [note.pk for note in notes]
    if not ids:
        return
    if isinstance(deliver.get_backend(), DatabaseBackend):
        enqueue_many(ids)
    else:
        transaction.on_commit(lambda: enqueue_many(ids))
