"""What the oversight apps' API routers share: the caller's token role, the If-Match version, and
the rule that a token acts only with its own role, where its user holds that role on the object."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from motcua.api.auth import Caller
from motcua.api.errors import ApiError


def token_role(caller: Caller) -> str | None:
    return caller.token.role if caller.token is not None else None


def version(if_match: str | None, body_version: int | None) -> int | None:
    if if_match is None or not if_match.strip():
        return body_version
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise ApiError(400, "bad_input", "If-Match phải là số phiên bản, ví dụ \"3\".")
    return int(value)


def role_for(caller: Caller, obj: Any, acting_roles: Callable[[Any, Any], Sequence[str]]) -> str | None:
    """The role to act with: a token's own role when its user holds it on ``obj`` (else 403); None
    for a session (the services then use the user's acting roles)."""
    role = token_role(caller)
    if role is None:
        return None
    if role not in acting_roles(caller.user, obj):
        raise ApiError(403, "forbidden", "Mã truy cập không có vai trò được thực hiện thao tác này.")
    return role
