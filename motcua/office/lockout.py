"""Login lockout, for every login door: after N failed logins for one (username, client address)
within a window, that pair is refused for a while, even with the right password; after M failed
logins from one address whatever the usernames (one password tried on every user), the address is.

Defaults (settings may override): 5 failures of a pair, or 20 of an address, within 15 minutes lock
for 15 minutes (``MOTCUA_LOGIN_MAX_FAILURES``, ``MOTCUA_LOGIN_MAX_FAILURES_PER_ADDRESS``,
``MOTCUA_LOGIN_WINDOW_MINUTES``, ``MOTCUA_LOGIN_LOCK_MINUTES``). The failures are rows of
``LoginFailure`` (shared by every process, unlike a per-process cache); a successful login deletes
the pair's rows. Attempts made while locked are not counted, so a lock ends exactly its duration
after the failure that caused it.

``LockoutBackend`` applies it inside ``django.contrib.auth.authenticate``, which every password
login calls — the officials' login page and the Django admin's alike.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone

from motcua.net import client_ip
from motcua.office.models import LoginFailure

__all__ = ["LockoutBackend", "clear", "client_ip", "locked_until", "minutes_left", "record_failure"]


def max_failures() -> int:
    return int(settings.MOTCUA_LOGIN_MAX_FAILURES)


def max_failures_per_address() -> int:
    return int(settings.MOTCUA_LOGIN_MAX_FAILURES_PER_ADDRESS)


def window() -> dt.timedelta:
    return dt.timedelta(minutes=int(settings.MOTCUA_LOGIN_WINDOW_MINUTES))


def lock_duration() -> dt.timedelta:
    return dt.timedelta(minutes=int(settings.MOTCUA_LOGIN_LOCK_MINUTES))


def _key(username: str) -> str:
    return username.strip().casefold()[:150]


def _lock_end(times: list[dt.datetime], n: int, now: dt.datetime) -> dt.datetime | None:
    """The end of the lock that ``n`` failures (sorted ``times``) within the window cause, if still on."""
    end: dt.datetime | None = None
    for i in range(n - 1, len(times)):
        if times[i] - times[i - n + 1] <= window():
            candidate = times[i] + lock_duration()
            end = candidate if end is None or candidate > end else end
    return end if end is not None and end > now else None


def locked_until(username: str, ip: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """The end of the lock on this username from this address (the pair's, or the address's) if one
    is on at ``now``, else None."""
    now = now or timezone.now()
    recent = LoginFailure.objects.filter(ip=ip, at__gt=now - window() - lock_duration()).order_by("at")
    rows = list(recent.values_list("username", "at"))
    key = _key(username)
    ends = [
        _lock_end([at for name, at in rows if name == key], max_failures(), now),
        _lock_end([at for _name, at in rows], max_failures_per_address(), now),
    ]
    return max((e for e in ends if e is not None), default=None)


def minutes_left(until: dt.datetime, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    return max(1, math.ceil((until - now).total_seconds() / 60))


def record_failure(username: str, ip: str, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    key = _key(username)
    LoginFailure.objects.create(username=key, ip=ip, at=now)
    LoginFailure.objects.filter(ip=ip, at__lt=now - dt.timedelta(days=1)).delete()


def clear(username: str, ip: str) -> None:
    LoginFailure.objects.filter(username=_key(username), ip=ip).delete()


class LockoutBackend(ModelBackend):
    """Django's password check behind the lockout. A locked username or address is refused before the
    password is looked at (``PermissionDenied`` stops ``authenticate`` trying any other backend); a
    failure is counted; a success clears the pair's failures."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if not username or password is None:
            return None
        ip = client_ip(request)
        if locked_until(username, ip) is not None:
            raise PermissionDenied("locked")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            record_failure(username, ip)
        else:
            clear(username, ip)
        return user
