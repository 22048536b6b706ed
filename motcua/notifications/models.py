"""The outbox: each message to an applicant is a row written in the transition's transaction,
with its delivery task queued in that same transaction (django-tasks-db), then delivered by the
worker outside any transaction; a failed delivery never touches the dossier. A sweeper
(`manage.py resend_notifications`) re-queues what is pending too long and reclaims what a dead
worker left half-done."""
from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db import models


class Notification(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "SMS"

    class State(models.TextChoices):
        PENDING = "pending", "Chờ gửi"
        SENDING = "sending", "Đang gửi"
        SENT = "sent", "Đã gửi"
        FAILED = "failed", "Gửi không thành công"

    # What the message is about: a dossier (to its applicant) or a recommendation (a reminder to its addressee).
    dossier = models.ForeignKey("dossiers.Dossier", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="notifications")
    recommendation = models.ForeignKey("followup.Recommendation", null=True, blank=True, on_delete=models.CASCADE,
                                       related_name="notifications")
    event_seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=30)
    channel = models.CharField(max_length=5, choices=Channel.choices)
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When a delivery is next expected (creation, then each retry's time): the sweeper re-queues a
    # pending row whose instant is long past, whatever happened to its task.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # When a worker took the row to send it (state sending): a row left sending long after that was
    # taken by a worker that died, and goes back to pending.
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="notification_state_idx")]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "event_seq", "channel"], name="notification_once_per_event"),
            # A reminder goes once per recommendation version, kind and recipient.
            models.UniqueConstraint(fields=["recommendation", "event_seq", "kind", "channel", "recipient"],
                                    name="reminder_once_per_version"),
            models.CheckConstraint(condition=models.Q(dossier__isnull=False) | models.Q(recommendation__isnull=False),
                                   name="notification_has_a_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient} ({self.state})"

    @property
    def message_id(self) -> str:
        """The e-mail's Message-ID, the same on every attempt (a receiver drops a duplicate)."""
        domain = urlsplit(getattr(settings, "MOTCUA_PUBLIC_BASE_URL", "")).hostname or "motcua.invalid"
        return f"<notification-{self.pk}@{domain}>"
