"""Nothing lost, nothing sent twice: the delivery task is queued with the transition, the sweeper
puts back what a queue failure or a dead worker left, a silent mail server does not hold the
worker, a retried e-mail keeps its Message-ID, failed messages are sent again on request."""
from __future__ import annotations

import datetime as dt
import socket
import threading
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from motcua.dossiers import services
from motcua.notifications.models import Notification
from motcua.notifications.sweeper import sweep
from motcua.notifications.tasks import MAX_ATTEMPTS, _enqueue, deliver, deliver_many, enqueue
from tests.factories import at, make_world

pytestmark = pytest.mark.django_db(transaction=True)
State = Notification.State


def _receive():  # noqa: ANN202
    world = make_world()
    applicant = services.Applicant(name="Lò Văn Pọm", phone="0987654321", email="pom@example.vn")
    return services.receive(procedure=world.procedure, unit=world.commune, agency=world.agency,
                            applicant=applicant, at=at("2026-03-02 09:00"))


def _run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")


def _later(minutes: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


def test_the_task_is_queued_in_the_transition_and_the_worker_sends_each_message_once() -> None:
    assert isinstance(deliver.get_backend(), DatabaseBackend)  # the settings' queue is the database
    with transaction.atomic():
        d = _receive()
        # Before the commit, in the same transaction: no instant where the rows exist without their task
        # (one task for the event's e-mail and SMS).
        assert DBTaskResult.objects.count() == 1
    notes = list(Notification.objects.filter(dossier=d).order_by("channel"))
    assert [n.channel for n in notes] == ["email", "sms"]
    [task] = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert sorted(task.args_kwargs["args"][0]) == sorted(n.pk for n in notes)
    enqueue(notes[0].pk)  # a second task for the same row (a sweep that raced the worker)
    _run_worker()
    assert [m.to for m in mail.outbox] == [["pom@example.vn"]]
    assert set(Notification.objects.values_list("state", flat=True)) == {State.SENT}


def test_a_claim_gives_the_row_as_the_orm_reads_it_and_only_once() -> None:
    """The worker's claim (one UPDATE … RETURNING): the row moved to sending, one more attempt, and the
    object built from what it returned is the one the ORM reads; a second claim of the row gets None."""
    from motcua.notifications.tasks import _claim

    d = _receive()
    note = Notification.objects.filter(dossier=d).order_by("channel").first()
    before = timezone.now()
    claimed = _claim(note.pk)
    stored = Notification.objects.get(pk=note.pk)
    fields = [f.attname for f in Notification._meta.concrete_fields]
    assert {f: getattr(claimed, f) for f in fields} == {f: getattr(stored, f) for f in fields}
    assert (stored.state, stored.attempts) == (State.SENDING, note.attempts + 1)
    assert stored.claimed_at >= before and claimed._state.adding is False
    assert _claim(note.pk) is None  # being sent: nobody else claims it


def test_the_task_row_written_is_the_one_the_backend_would_write() -> None:
    """The outbox writes the database backend's row itself (one prepared INSERT): the same row, but for
    its id and the instant, as ``Task.enqueue`` writes, with and without ``run_after``."""
    fields = [f.attname for f in DBTaskResult._meta.concrete_fields if f.attname not in ("id", "enqueued_at")]
    later = timezone.now() + dt.timedelta(hours=1)
    for job, arg in ((deliver_many, [3, 4]), (deliver, 7), (deliver.using(run_after=later), 7)):
        with transaction.atomic():
            ours = _enqueue(job, arg)
        theirs = job.enqueue(arg).id
        mine, backend = (DBTaskResult.objects.values(*fields).get(pk=pk) for pk in (ours, theirs))
        assert mine == backend
        assert DBTaskResult.objects.get(pk=ours).task_result.args == [arg]
    _run_worker()  # each row is a task the worker runs (the ids name no row: "skipped"), the later two later
    statuses = sorted(DBTaskResult.objects.values_list("status", flat=True))
    assert statuses == [TaskResultStatus.READY] * 2 + [TaskResultStatus.SUCCESSFUL] * 4


def _rename(table: str, to: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} RENAME TO {connection.ops.quote_name(to)}")


def test_a_queue_failure_leaves_the_transition_whole_and_the_sweeper_sends_once() -> None:
    table = DBTaskResult._meta.db_table
    _rename(table, f"{table}_away")  # the queue's table unavailable: the task's INSERT fails
    try:
        d = _receive()  # on PostgreSQL too: the failed queueing had its own savepoint
    finally:
        _rename(f"{table}_away", table)
    d.refresh_from_db()
    assert d.status == "received"
    assert list(Notification.objects.values_list("state", flat=True)) == [State.PENDING, State.PENDING]
    assert not DBTaskResult.objects.exists()
    assert sweep().requeued == 0  # not yet "pending too long"
    assert sweep(now=_later(10)).requeued == 2
    _run_worker()
    assert len(mail.outbox) == 1
    assert sweep(now=_later(20)).requeued == 0
    _run_worker()
    assert len(mail.outbox) == 1
    assert set(Notification.objects.values_list("state", flat=True)) == {State.SENT}


def test_an_events_rows_and_their_task_are_sent_together_and_a_failed_row_fails_the_transition(
        pipelines) -> None:
    """On PostgreSQL the event's rows, the SAVEPOINT, the task and the RELEASE go to the server with the
    transaction's end, in its last pipeline with the COMMIT (no exchange of their own). Whatever the
    database: the task's argument is the rows' keys, and a row that cannot be written (here the event's
    e-mail already has one) fails the whole transition: no status moved, no event, no task, nothing left
    half-written."""
    from django.db import IntegrityError

    from motcua.dossiers.models import DossierEvent

    with CaptureQueriesContext(connection):
        d = _receive()
    if connection.vendor == "postgresql":
        outbox = [(sent, i) for sent in pipelines for i, sql in enumerate(sent)
                  if sql.startswith('INSERT INTO "notifications_notification"')]
        assert len(outbox) == 1, pipelines
        sent, i = outbox[0]
        assert sent[i + 1].startswith("SAVEPOINT") and sent[i + 3].startswith("RELEASE SAVEPOINT")
        assert "dbtaskresult" in sent[i + 2] and sent[-1] == "COMMIT"
    notes = list(Notification.objects.filter(dossier=d))
    [task] = DBTaskResult.objects.all()
    assert task.args_kwargs == {"args": [sorted(n.pk for n in notes)], "kwargs": {}}
    assert task.task_path == deliver_many.module_path

    services.perform(d, "hand_over", role="counter", at=at("2026-03-02 10:00"))
    services.perform(d, "hand_over", role="specialist", at=at("2026-03-02 11:00"))
    d.refresh_from_db()
    Notification.objects.create(dossier=d, event_seq=d.version + 1, kind="other", channel="email",
                                recipient="pom@example.vn", body="x")  # the resolution's event will take that seq
    with pytest.raises(IntegrityError):
        services.perform(d, "resolve", role="head", at=at("2026-03-02 14:00"))
    after = type(d).objects.get(pk=d.pk)
    assert (after.status, after.version) == (d.status, d.version)
    assert not DossierEvent.objects.filter(dossier=d, action="resolve").exists()
    assert DBTaskResult.objects.count() == 1
    assert Notification.objects.filter(dossier=d).count() == 3


def test_what_a_killed_worker_left_running_is_reclaimed_and_sent_once() -> None:
    d = _receive()
    email = Notification.objects.get(dossier=d, channel="email")
    [task] = DBTaskResult.objects.all()  # the event's one task
    long_ago = timezone.now() - dt.timedelta(minutes=30)
    # As a worker killed during the send leaves them: the task RUNNING, the row claimed.
    DBTaskResult.objects.filter(pk=task.pk).update(status=TaskResultStatus.RUNNING, started_at=long_ago)
    Notification.objects.filter(pk=email.pk).update(state=State.SENDING, claimed_at=long_ago, attempts=1)
    Notification.objects.exclude(pk=email.pk).update(state=State.SENT)
    swept = sweep()
    assert (swept.tasks_reclaimed, swept.reclaimed) == (1, 1)
    assert DBTaskResult.objects.get(pk=task.pk).status == TaskResultStatus.READY
    _run_worker()
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.state, email.attempts) == (State.SENT, 2)
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists()


class _SilentServer:
    """Accepts SMTP connections and never says a word."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        try:
            while True:
                conn, _addr = self.sock.accept()
                self.held.append(conn)
        except OSError:
            return

    def close(self) -> None:
        for conn in self.held:
            conn.close()
        self.sock.close()


def test_a_silent_mail_server_does_not_hold_the_worker(settings) -> None:
    d = _receive()
    server = _SilentServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", server.port, False
    settings.EMAIL_TIMEOUT = 1
    try:
        email = Notification.objects.get(dossier=d, channel="email")
        assert deliver.call(email.pk) == "retry"
    finally:
        server.close()
    email.refresh_from_db()
    assert email.state == State.PENDING and "timed out" in email.last_error
    assert email.next_attempt_at is not None and email.next_attempt_at > timezone.now()


class FlakyBackend(LocmemBackend):
    """Fails the first message it is given, then delivers like locmem; remembers every Message-ID."""

    seen: list[str] = []

    def send_messages(self, messages):  # noqa: ANN001, ANN201
        FlakyBackend.seen.extend(m.extra_headers["Message-ID"] for m in messages)
        if len(FlakyBackend.seen) == 1:
            raise ConnectionError("connection reset")
        return super().send_messages(messages)


def test_a_retried_message_keeps_its_message_id(settings) -> None:
    FlakyBackend.seen = []
    settings.EMAIL_BACKEND = "tests.test_notifications_delivery.FlakyBackend"
    d = _receive()
    email = Notification.objects.get(dossier=d, channel="email")
    assert deliver.call(email.pk) == "retry"
    assert deliver.call(email.pk) == "sent"
    email.refresh_from_db()
    assert FlakyBackend.seen == [email.message_id, email.message_id]
    assert email.message_id.startswith(f"<notification-{email.pk}@")
    assert mail.outbox[0].message()["Message-ID"] == email.message_id


def test_failed_messages_are_sent_again_from_the_command_and_the_admin(client) -> None:
    d = _receive()
    Notification.objects.filter(dossier=d).update(state=State.FAILED, attempts=MAX_ATTEMPTS)
    email, sms = Notification.objects.filter(dossier=d).order_by("channel")
    DBTaskResult.objects.all().delete()
    call_command("resend_notifications")  # without --failed, failed rows stay failed
    assert set(Notification.objects.values_list("state", flat=True)) == {State.FAILED}

    admin = get_user_model().objects.create_superuser("root", "root@example.vn", "pw-123456789")
    client.force_login(admin)
    response = client.post("/admin/notifications/notification/",
                           {"action": "send_again", "_selected_action": [email.pk]}, follow=True)
    assert response.status_code == 200
    email.refresh_from_db()
    assert (email.state, email.attempts) == (State.PENDING, 0)
    _run_worker()
    assert len(mail.outbox) == 1

    out = StringIO()
    call_command("resend_notifications", "--failed", stdout=out)
    assert "1 thông báo đã lỗi" in out.getvalue()
    _run_worker()
    sms.refresh_from_db()
    assert sms.state == State.SENT and len(mail.outbox) == 1
