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
    """Notes each SMS in the log — the number masked, the text left out (both are personal data) —:
    the default until a province plugs in its SMS gateway (whose client sets its own timeouts)."""

    def send(self, phone: str, text: str) -> None:
        logger.warning("SMS to %s (%d characters) not sent: no SMS gateway configured", mask_phone(phone), len(text))


def mask_phone(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"{'*' * max(len(digits) - 3, 0)}{digits[-3:]}"


def sms_sender() -> SmsSender:
    return import_string(getattr(settings, "MOTCUA_SMS_SENDER", "motcua.notifications.senders.LoggingSmsSender"))()


def send_email(recipient: str, subject: str, body: str) -> None:
    send_mail(subject, body, None, [recipient], fail_silently=False)
