"""Fixed-window counts of failures, for the limits that keep the lookup from being an oracle and the
anonymous submissions from flooding the counters.

The interface is a few calls — ``blocked``, ``any_blocked``, ``fail``, ``count``, ``retry_after`` —
over named buckets. The counts live in one store shared by every worker process and host, never
culled early (no one can flush another's counts by filling a cache):

- by default, rows of ``LimitCount`` in the database: a failure is counted by one statement
  (``INSERT … ON CONFLICT DO UPDATE SET count = count + 1 RETURNING count``), so failures made at
  once are all counted. A cache's ``incr`` is a read and a write: sixteen threads failing ten times
  each at once were counted 24 times out of 160 by the database cache, which let a burst of guesses
  through a limit;
- with a "limits" cache configured (``MOTCUA_REDIS_URL``: Redis, whose INCR is atomic), that cache.

Windows are aligned on the clock (``window_seconds`` since the epoch), so the end of the current
window — what the page tells a citizen to wait — is known without asking the store, and each window
is a key of its own: a count never has to be reset, only pruned once its window has passed.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import time

from django.conf import settings
from django.core.cache import caches
from django.db import connections, router

from motcua.portal.models import LimitCount
from motcua.prepared import PreparedRead


def _key(bucket: str, window_seconds: int, now: float) -> str:
    # Hashed: a bucket names a dossier code and an address typed by anyone; a key must stay short
    # and plain whatever they are.
    digest = hashlib.sha256(bucket.encode()).hexdigest()[:32]
    return f"ratelimit:{digest}:{int(now // window_seconds)}"


def retry_after(window_seconds: int, now: float | None = None) -> int:
    """Seconds until the current window ends (at least 1)."""
    now = time.time() if now is None else now
    return max(1, int(window_seconds - now % window_seconds))


def _in_cache() -> bool:
    return "limits" in settings.CACHES


# The lookup's read, of its two buckets: compiled once per connection.
_BY_TWO_KEYS = PreparedRead(lambda a, b: LimitCount.objects.filter(key__in=(a, b)).order_by(), keys=2)


def _counts(keys: list[str]) -> dict[str, int]:
    """The counts of ``keys`` (a missing key: none)."""
    if _in_cache():
        return {k: int(v or 0) for k, v in caches["limits"].get_many(keys).items()}
    using = router.db_for_write(LimitCount)  # the primary's: a standby lags behind the counts
    if len(keys) == 2:
        rows = _BY_TWO_KEYS.rows(tuple(keys), using)
    else:
        rows = list(LimitCount.objects.using(using).filter(key__in=keys))
    return {row.key: row.count for row in rows}


def count(bucket: str, window_seconds: int, now: float | None = None) -> int:
    now = time.time() if now is None else now
    key = _key(bucket, window_seconds, now)
    return _counts([key]).get(key, 0)


def blocked(bucket: str, limit: int, window_seconds: int, now: float | None = None) -> bool:
    """True once ``limit`` failures fell in ``bucket`` in the current window."""
    return count(bucket, window_seconds, now) >= limit


def any_blocked(limits: list[tuple[str, int]], window_seconds: int, now: float | None = None) -> bool:
    """``blocked`` for several (bucket, limit) pairs, in one read of the store."""
    now = time.time() if now is None else now
    keys = {_key(bucket, window_seconds, now): limit for bucket, limit in limits}
    counts = _counts(list(keys))
    return any(counts.get(key, 0) >= limit for key, limit in keys.items())


def fail(bucket: str, window_seconds: int, now: float | None = None) -> int:
    """Count one failure in ``bucket``; the number of failures in the current window."""
    now = time.time() if now is None else now
    key = _key(bucket, window_seconds, now)
    timeout = retry_after(window_seconds, now) + 1
    if _in_cache():
        store = caches["limits"]
        store.add(key, 0, timeout)
        try:
            return int(store.incr(key))
        except ValueError:  # expired between add and incr
            store.set(key, 1, timeout)
            return 1
    return _count_in_rows(key, dt.datetime.fromtimestamp(now + timeout, tz=dt.UTC), now)


def _count_in_rows(key: str, expires: dt.datetime, now: float) -> int:
    using = router.db_for_write(LimitCount)
    connection = connections[using]
    table, quote = LimitCount._meta.db_table, connection.ops.quote_name
    sql = (f"INSERT INTO {quote(table)} ({quote('key')}, {quote('count')}, {quote('expires')}) VALUES (%s, 1, %s) "
           f"ON CONFLICT ({quote('key')}) DO UPDATE SET {quote('count')} = {quote(table)}.{quote('count')} + 1 "
           f"RETURNING {quote('count')}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, connection.ops.adapt_datetimefield_value(expires)])
        counted = int(cursor.fetchone()[0])
    if counted == 1:  # a bucket's first failure in a window (not the hot path): the passed windows pruned
        LimitCount.objects.using(using).filter(expires__lt=dt.datetime.fromtimestamp(now, tz=dt.UTC)).delete()
    return counted


def clear() -> None:
    """Every count forgotten (the tests start from none)."""
    if _in_cache():
        caches["limits"].clear()
    else:
        LimitCount.objects.all().delete()
