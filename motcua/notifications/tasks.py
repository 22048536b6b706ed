"""Delivery of outbox rows, queued with django-tasks (the django-tasks-db backend by default)."""
from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from motcua.notifications import senders
from motcua.notifications.models import Notification

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(minutes=2 ** attempts)


@task()
def deliver(notification_id: int) -> str:
    with transaction.atomic():
        note = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if note is None or note.state != Notification.State.PENDING:
            return "skipped"
        note.attempts += 1
        try:
            if note.channel == Notification.Channel.EMAIL:
                senders.send_email(note.recipient, note.subject, note.body)
            else:
                senders.sms_sender().send(note.recipient, note.body)
        except Exception as exc:  # noqa: BLE001 - any sender failure is retried, never raised
            note.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if note.attempts >= MAX_ATTEMPTS:
                note.state = Notification.State.FAILED
            note.save(update_fields=["attempts", "last_error", "state"])
            if note.state == Notification.State.PENDING:
                retry_at = timezone.now() + backoff(note.attempts)
                transaction.on_commit(lambda: enqueue(notification_id, run_after=retry_at))
            return "retry" if note.state == Notification.State.PENDING else "failed"
        note.state = Notification.State.SENT
        note.sent_at = timezone.now()
        note.save(update_fields=["attempts", "state", "sent_at", "last_error"])
        return "sent"


def enqueue(notification_id: int, run_after: dt.datetime | None = None) -> None:
    """Queue a delivery; a queue failure is logged and left for `resend_notifications`, never raised."""
    try:
        (deliver.using(run_after=run_after) if run_after else deliver).enqueue(notification_id)
    except Exception:  # noqa: BLE001
        logger.exception("could not queue notification %s", notification_id)
