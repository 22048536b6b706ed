"""The client's address, for the limits kept per address (the login lockout, the citizens' lookup)."""
from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str:
    """``REMOTE_ADDR``; when the request comes through a proxy named in ``MOTCUA_TRUSTED_PROXIES``, the
    nearest address in ``X-Forwarded-For`` that is not such a proxy (addresses a client wrote there
    itself stand further left and are never reached)."""
    if request is None:
        return ""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    trusted = set(settings.MOTCUA_TRUSTED_PROXIES)
    if remote in trusted:
        forwarded = [a.strip() for a in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if a.strip()]
        for address in reversed(forwarded):
            if address not in trusted:
                return address[:45]
    return remote[:45]
