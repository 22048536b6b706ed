"""What a crash leaves behind, put back on its way (`manage.py resend_notifications`, every few
minutes from cron or a systemd timer; the demo's worker script runs it too).

- A row pending past its next attempt by more than ``pending_after``: its task was never queued
  (the queue failed, the process died between the row and its task) or was lost → queued again.
- A row left *sending* for more than ``stale_after``: the worker died during the send → pending
  again and queued (the message may go twice; it keeps its Message-ID, so mail readers drop the copy).
- A task left RUNNING for more than ``stale_after`` by a killed worker → ready again (the tasks are
  idempotent: a delivery of a row already sent is skipped).
- With ``failed=True``, the rows that failed every attempt → pending, with fresh attempts.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from motcua.notifications.models import Notification
from motcua.notifications.tasks import enqueue

State = Notification.State


def stale_after() -> dt.timedelta:
    return dt.timedelta(minutes=getattr(settings, "MOTCUA_TASK_STALE_MINUTES", 15))


def pending_after() -> dt.timedelta:
    return dt.timedelta(minutes=getattr(settings, "MOTCUA_NOTIFICATION_PENDING_MINUTES", 5))


@dataclass(frozen=True)
class Swept:
    requeued: int
    reclaimed: int
    tasks_reclaimed: int
    failed_requeued: int


def requeue(rows: QuerySet[Notification], *, at: dt.datetime) -> int:
    """Put rows back to pending and queue each; returns how many."""
    ids = list(rows.values_list("pk", flat=True))
    Notification.objects.filter(pk__in=ids).update(state=State.PENDING, claimed_at=None, next_attempt_at=at)
    for pk in ids:
        enqueue(pk)
    return len(ids)


def requeue_failed(rows: QuerySet[Notification], *, at: dt.datetime | None = None) -> int:
    """Failed rows get their attempts again (the admin's action and ``--failed``)."""
    failed = rows.filter(state=State.FAILED)
    ids = list(failed.values_list("pk", flat=True))
    Notification.objects.filter(pk__in=ids).update(attempts=0)
    return requeue(Notification.objects.filter(pk__in=ids), at=at or timezone.now())


def sweep(*, now: dt.datetime | None = None, failed: bool = False) -> Swept:
    now = now or timezone.now()
    stale = now - stale_after()
    tasks = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=stale).update(
        status=TaskResultStatus.READY, started_at=None)
    reclaimed = requeue(Notification.objects.filter(state=State.SENDING, claimed_at__lt=stale), at=now)
    late = now - pending_after()
    lost = Notification.objects.filter(state=State.PENDING).filter(
        Q(next_attempt_at__lt=late) | Q(next_attempt_at__isnull=True, created_at__lt=late))
    requeued = requeue(lost, at=now)
    failed_requeued = requeue_failed(Notification.objects.all(), at=now) if failed else 0
    return Swept(requeued=requeued, reclaimed=reclaimed, tasks_reclaimed=tasks, failed_requeued=failed_requeued)
