"""Fixed-window counts of failures on a cache, for the limits that keep the lookup from being an oracle.

The interface is three calls — ``blocked``, ``fail`` and ``retry_after`` — over named buckets; the
store is ``_store()`` alone (the "limits" cache: shared by every worker, never culled early), so moving
the counts to another store is one change here.

Windows are aligned on the clock (``window_seconds`` since the epoch), so the end of the current
window — what the page tells a citizen to wait — is known without asking the store for a TTL.
"""
from __future__ import annotations

import hashlib
import time

from django.core.cache import BaseCache, caches


def _store() -> BaseCache:
    return caches["limits"]


def _key(bucket: str, window_seconds: int, now: float) -> str:
    # Hashed: a bucket names a dossier code and an address typed by anyone; a cache key must stay short
    # and plain whatever they are.
    digest = hashlib.sha256(bucket.encode()).hexdigest()[:32]
    return f"ratelimit:{digest}:{int(now // window_seconds)}"


def retry_after(window_seconds: int, now: float | None = None) -> int:
    """Seconds until the current window ends (at least 1)."""
    now = time.time() if now is None else now
    return max(1, int(window_seconds - now % window_seconds))


def count(bucket: str, window_seconds: int, now: float | None = None) -> int:
    now = time.time() if now is None else now
    return int(_store().get(_key(bucket, window_seconds, now)) or 0)


def blocked(bucket: str, limit: int, window_seconds: int, now: float | None = None) -> bool:
    """True once ``limit`` failures fell in ``bucket`` in the current window."""
    return count(bucket, window_seconds, now) >= limit


def any_blocked(limits: list[tuple[str, int]], window_seconds: int, now: float | None = None) -> bool:
    """``blocked`` for several (bucket, limit) pairs, in one read of the store."""
    now = time.time() if now is None else now
    keys = {_key(bucket, window_seconds, now): limit for bucket, limit in limits}
    counts = _store().get_many(list(keys))
    return any(int(counts.get(key) or 0) >= limit for key, limit in keys.items())


def fail(bucket: str, window_seconds: int, now: float | None = None) -> int:
    """Count one failure in ``bucket``; the number of failures in the current window."""
    now = time.time() if now is None else now
    key = _key(bucket, window_seconds, now)
    store = _store()
    timeout = retry_after(window_seconds, now) + 1
    store.add(key, 0, timeout)
    try:
        return int(store.incr(key))
    except ValueError:  # expired between add and incr
        store.set(key, 1, timeout)
        return 1
