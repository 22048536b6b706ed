"""API tokens for integrations: only a SHA-256 hash of the key is stored, with a short prefix to tell tokens apart."""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import models, router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.prepared import PreparedRead, rows_together
from motcua.process_cache import ProcessCache

# Roles no official holds: an integration's. A token with one acts for a province administrator's
# service account (its user must hold the admin role).
INTEGRATION_ROLES = frozenset({"system", "applicant"})
TOKEN_PREFIX = "mc_"
PREFIX_LENGTH = 8  # characters of the key kept in clear, after TOKEN_PREFIX


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A bearer token: it acts as ``user`` (whose staff roles scope what it sees) with ``role``."""

    name = models.CharField(max_length=200, help_text=_("Tên hệ thống tích hợp dùng mã này"))
    prefix = models.CharField(max_length=20, db_index=True, help_text=_("Phần đầu của mã, để nhận biết"))
    key_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    role = models.CharField(max_length=20, help_text=_("Vai trò trong quy trình (system, counter...)"))
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def user_holds(user: object, role: str) -> bool:
        """A token may carry only a role its user holds (the admin role for an integration's)."""
        from motcua.units.scoping import staff_roles

        wanted = "admin" if role in INTEGRATION_ROLES else role
        # The user's staff roles, read once per user object: every rule of the request uses them after.
        return bool(getattr(user, "is_superuser", False) and role in INTEGRATION_ROLES) or any(
            held.role == wanted for held in staff_roles(user))

    @classmethod
    def issue(cls, *, user: object, role: str, name: str) -> tuple[ApiToken, str]:
        """Create a token; return it with the clear key, which is never stored and shown only once.
        ValueError when the user does not hold the role."""
        if not cls.user_holds(user, role):
            raise ValueError(f"người dùng không giữ vai trò {role}" + (" (mã tích hợp: cần vai trò admin)"
                                                                      if role in INTEGRATION_ROLES else ""))
        key = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            name=name, user=user, role=role, key_hash=hash_key(key), prefix=key[: len(TOKEN_PREFIX) + PREFIX_LENGTH]
        )
        return token, key

    @classmethod
    def lookup(cls, key: str) -> ApiToken | None:
        """The active token with this key, with its user and the user's staff roles (which every request of
        the token reads next); None when unknown or revoked, or when its user no longer holds its role.

        Kept per process for ``MOTCUA_TOKEN_CACHE_SECONDS`` (``ACTIVE``): every request of an integration
        read the token and the roles again, a round trip and 5–11 % of a receipt's web CPU (in process). A
        change to a token, a staff role or a user made in this process drops what it keeps at once; made in
        another, it is seen within those seconds. Each request gets its own copies of the objects kept.
        Unknown keys are never kept."""
        key_hash = hash_key(key)
        found = ACTIVE.get(key_hash, lambda: cls._read(key_hash), keep=lambda found: found is not None)
        return None if found is None else _own_copy(found)

    @classmethod
    def _read(cls, key_hash: str) -> ApiToken | None:
        """The token, its user and the user's staff roles from the database, in one round trip; marked used."""
        from motcua.units import scoping

        using = router.db_for_read(cls) or "default"
        tokens, roles = rows_together([(_ACTIVE_BY_HASH, key_hash), (scoping.STAFF_ROLES_BY_TOKEN, key_hash)], using)
        if not tokens:
            return None
        token = tokens[0]
        scoping.keep_staff_roles(token.user, roles)
        if not cls.user_holds(token.user, token.role):
            return None  # the user no longer holds the token's role: the token no longer works
        now = timezone.now()
        # At most once a minute: every request of an integration writing its token's row would queue
        # them all behind that one row.
        if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token


def _own_copy(token: ApiToken) -> ApiToken:
    """A request's own token and user, with its own list of the user's staff roles (shallow copies: what a
    request sets on them stays its own)."""
    from motcua.units import scoping

    user = copy.copy(token.user)
    scoping.keep_staff_roles(user, list(scoping.staff_roles(token.user)))
    mine = copy.copy(token)
    mine._state.fields_cache["user"] = user  # the copy's cache is its own (Model.__getstate__)
    return mine


# The active tokens by their key's hash, with their users' staff roles: dropped when a token, a staff role
# or a user is saved or deleted (motcua/api/apps.py connects the signals).
ACTIVE: ProcessCache[ApiToken | None] = ProcessCache("MOTCUA_TOKEN_CACHE_SECONDS", 5)


# Every request of an integration looks its token up: the SQL compiled once per connection.
_ACTIVE_BY_HASH = PreparedRead(
    lambda key_hash: ApiToken.objects.active().select_related("user").filter(key_hash=key_hash).order_by("pk")[:1])


class IdempotencyRecord(models.Model):
    """What a request sent with an ``Idempotency-Key`` did: a retry with the same key and the same body
    gets the same answer (the action is not done twice); the same key with another body is refused."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64, help_text=_("SHA-256 của thao tác và nội dung gửi"))
    status = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
