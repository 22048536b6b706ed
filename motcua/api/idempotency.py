"""Retry-safe writes: a request may carry an ``Idempotency-Key``. The first request with a key is
performed and its answer kept with a fingerprint of what was asked; a retry with the same key and the
same request gets that answer again without doing anything; the same key with a different request is
refused (409) — never answered with another request's result. Keys belong to the caller's user, and
are looked at only after the caller's scope was checked (a key tells nothing about others' data)."""
from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import IntegrityError, router, transaction
from django.http import JsonResponse
from django.utils.translation import gettext as _

from motcua.api.errors import ApiError
from motcua.api.models import IdempotencyRecord
from motcua.prepared import PreparedRead, insert_rows_last

KEY_CONSTRAINT = IdempotencyRecord._meta.constraints[0].name  # unique (user, key)

# A user's record of a key: read by every action sent with a key, with the dossier it names.
BY_USER_AND_KEY = PreparedRead(
    lambda user_id, key: IdempotencyRecord.objects.filter(user_id=user_id, key=key).order_by()[:1], keys=2)


def fingerprint(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


def _reused() -> ApiError:
    return ApiError(409, "idempotency_key_reused",
                    _("Idempotency-Key này đã dùng cho một yêu cầu khác; mỗi yêu cầu cần một khóa riêng."))


def replay(user: Any, key: str, print_: str) -> JsonResponse | None:
    """The kept answer of an earlier request with this key, or None; 409 when that request was another."""
    return answer(BY_USER_AND_KEY.first((user.pk, key)), print_)


def answer(record: IdempotencyRecord | None, print_: str) -> JsonResponse | None:
    """``replay`` with the user's record of the key read already (``BY_USER_AND_KEY``), or None."""
    if record is None:
        return None
    if record.fingerprint != print_:
        raise _reused()
    response = JsonResponse(record.response, status=record.status)
    response["Idempotent-Replayed"] = "true"
    return response


def remember(user: Any, key: str, print_: str, status: int, body: dict[str, Any]) -> None:
    """Keep the answer, in the caller's transaction (with what the request did). A parallel request
    with the same key that got there first makes this one fail whole (it is then replayed or refused).
    In a ``rollups.batched`` block on PostgreSQL the record is written with the block's end (one round
    trip fewer), where the key's conflict is the same refusal."""
    record = IdempotencyRecord(user=user, key=key, fingerprint=print_, status=status, response=body)
    try:
        # No savepoint of its own: a failure here fails the caller's whole transaction, as it must.
        with transaction.atomic(savepoint=False):  # one INSERT whose SQL is kept per connection
            insert_rows_last([[record]], using=router.db_for_write(IdempotencyRecord), refused=_taken)
    except IntegrityError:
        raise _reused() from None


def _taken(exc: BaseException) -> ApiError | None:
    """The refusal when ``exc`` is the database refusing the record: the user's key already recorded."""
    constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
    return _reused() if isinstance(exc, IntegrityError) and constraint == KEY_CONSTRAINT else None
