"""The applicant is told of receipt, completion requests, apologies and results; a failing
sender never breaks a transition and is retried."""
from __future__ import annotations

import pytest
from django.core import mail

from motcua.dossiers import services
from motcua.notifications import outbox
from motcua.notifications.models import Notification
from motcua.notifications.tasks import MAX_ATTEMPTS, deliver
from tests.factories import at, make_world

pytestmark = pytest.mark.django_db(transaction=True)
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _receive(world):
    applicant = services.Applicant(name="Lò Văn Pọm", phone="0987654321", email="pom@example.vn")
    return services.receive(procedure=world.procedure, unit=world.commune, agency=world.agency,
                            applicant=applicant, at=at("2026-03-02 09:00"))


def test_receipt_and_result_are_mailed_and_texted(settings, caplog):
    settings.TASKS = IMMEDIATE
    world = make_world()
    d = _receive(world)
    services.perform(d, "hand_over", role="counter", at=at("2026-03-02 10:00"))
    services.perform(d, "resolve", role="head", at=at("2026-03-03 10:00"))
    kinds = list(Notification.objects.order_by("event_seq", "channel").values_list("kind", "channel", "state"))
    assert kinds == [("receipt", "email", "sent"), ("receipt", "sms", "sent"),
                     ("result_ready", "email", "sent"), ("result_ready", "sms", "sent")]
    assert [m.to for m in mail.outbox] == [["pom@example.vn"], ["pom@example.vn"]]
    assert d.code in mail.outbox[0].subject and "09:00 ngày 09/03/2026" in mail.outbox[0].body
    sms_lines = [r.getMessage() for r in caplog.records if r.name == "motcua.sms"]
    assert len(sms_lines) == 2 and all("*******321" in line for line in sms_lines)
    # No personal data in the log: neither the number nor the message (it names the dossier).
    assert not any("0987654321" in line or d.code in line for line in sms_lines)


class BrokenSms:
    def send(self, phone: str, text: str) -> None:
        raise ConnectionError("gateway down")


def test_a_failing_sender_does_not_break_the_transition_and_is_retried(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.MOTCUA_SMS_SENDER = "tests.test_notifications.BrokenSms"
    world = make_world()
    d = _receive(world)  # the transition commits whatever the sender does
    assert d.status == "received"
    sms = Notification.objects.get(channel="sms")
    assert deliver.call(sms.pk) == "retry"
    sms.refresh_from_db()
    assert (sms.state, sms.attempts, sms.last_error) == ("pending", 1, "ConnectionError: gateway down")
    for _ in range(MAX_ATTEMPTS - 1):
        deliver.call(sms.pk)
    sms.refresh_from_db()
    assert (sms.state, sms.attempts) == ("failed", MAX_ATTEMPTS)


def test_suppressed_writes_no_messages(settings):
    settings.TASKS = IMMEDIATE
    world = make_world()
    with outbox.suppressed():
        _receive(world)
    assert not Notification.objects.exists()
