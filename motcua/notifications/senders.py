"""Where messages go. Email through Django's mail (SMTP in settings, console in the demo);
SMS through a pluggable sender named by the MOTCUA_SMS_SENDER setting."""
from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger("motcua.sms")


class SmsSender(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class LoggingSmsSender:
    """Writes each SMS to the log: the default until a province plugs in its SMS gateway."""

    def send(self, phone: str, text: str) -> None:
        logger.warning("SMS to %s: %s", phone, text)


def sms_sender() -> SmsSender:
    return import_string(getattr(settings, "MOTCUA_SMS_SENDER", "motcua.notifications.senders.LoggingSmsSender"))()


def send_email(recipient: str, subject: str, body: str) -> None:
    send_mail(subject, body, None, [recipient], fail_silently=False)
