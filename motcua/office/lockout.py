"""Login lockout: after N failed logins for one (username, client address) within a window,
that pair is refused for a while, even with the right password.

Defaults (settings may override): 5 failures within 15 minutes lock the pair for 15 minutes.
The failures are rows of ``LoginFailure`` (shared by every process, unlike a per-process cache);
a successful login deletes the pair's rows. Attempts made while locked are not counted, so the
lock ends exactly ``LOCK`` after the failure that caused it.
"""
from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from motcua.office.models import LoginFailure


def max_failures() -> int:
    return int(getattr(settings, "MOTCUA_LOGIN_MAX_FAILURES", 5))


def window() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "MOTCUA_LOGIN_WINDOW_MINUTES", 15)))


def lock_duration() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "MOTCUA_LOGIN_LOCK_MINUTES", 15)))


def client_ip(request: HttpRequest | None) -> str:
    """The client address as the server saw it (REMOTE_ADDR; a proxy in front must set it)."""
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def _key(username: str) -> str:
    return username.strip().casefold()[:150]


def locked_until(username: str, ip: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """The end of the pair's lock if it is locked at ``now``, else None."""
    now = now or timezone.now()
    n = max_failures()
    since = now - window() - lock_duration()
    times = list(
        LoginFailure.objects.filter(username=_key(username), ip=ip, at__gt=since).order_by("at").values_list(
            "at", flat=True
        )
    )
    end: dt.datetime | None = None
    for i in range(n - 1, len(times)):
        if times[i] - times[i - n + 1] <= window():
            candidate = times[i] + lock_duration()
            end = candidate if end is None or candidate > end else end
    return end if end is not None and end > now else None


def minutes_left(until: dt.datetime, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    return max(1, math.ceil((until - now).total_seconds() / 60))


def record_failure(username: str, ip: str, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    key = _key(username)
    LoginFailure.objects.create(username=key, ip=ip, at=now)
    LoginFailure.objects.filter(username=key, ip=ip, at__lt=now - dt.timedelta(days=1)).delete()


def clear(username: str, ip: str) -> None:
    LoginFailure.objects.filter(username=_key(username), ip=ip).delete()
