"""Who is calling: a bearer token (integrations) or a Django session (officials' screens, with CSRF).

Both authenticators return a :class:`Caller`; ``request.auth`` is that caller in every view.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from motcua.api.models import ApiToken


@dataclass(frozen=True)
class Caller:
    user: Any
    token: ApiToken | None = None


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; only the SHA-256 of the token is looked up."""

    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        found = ApiToken.lookup(token.strip()) if token else None
        return Caller(user=found.user, token=found) if found is not None else None


class SessionAuth(APIKeyCookie):
    """Django's login session. CSRF is checked (by ninja) only when a user is logged in, so an
    anonymous request or a bad bearer token gets 401, not a CSRF 403."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Caller | None:
        if key is not None and request.user.is_authenticated and request.user.is_active:
            return Caller(user=request.user)
        return None


token_auth = TokenAuth()
session_auth = SessionAuth()
AUTH = [token_auth, session_auth]
