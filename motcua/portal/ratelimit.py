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
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connections, router

from motcua.portal.models import LimitCount


def window_key(bucket: str, window_seconds: int, now: float) -> str:
    """The store's key of ``bucket`` in the window of ``now``."""
    # Hashed: a bucket names a dossier code and an address typed by anyone; a key must stay short
    # and plain whatever they are.
    digest = hashlib.sha256(bucket.encode()).hexdigest()[:32]
    return f"ratelimit:{digest}:{int(now // window_seconds)}"


def retry_after(window_seconds: int, now: float | None = None) -> int:
    """Seconds until the current window ends (at least 1)."""
    now = time.time() if now is None else now
    return max(1, int(window_seconds - now % window_seconds))


def in_database() -> bool:
    """The counts are rows of the database (no "limits" cache, i.e. no Redis): another statement may read
    them (``count_columns``)."""
    return "limits" not in settings.CACHES


def count_columns(n: int, connection: Any) -> str:
    """SQL of ``n`` keys' counts (0 where none) as columns of another statement's SELECT, so that a read
    of something else gets them in its round trip: each a subquery taking its key as a parameter, in order."""
    table, quote = LimitCount._meta.db_table, connection.ops.quote_name
    one = f"COALESCE((SELECT {quote('count')} FROM {quote(table)} WHERE {quote('key')} = %s), 0)"
    return ", ".join([one] * n)


def _counts(keys: list[str]) -> dict[str, int]:
    """The counts of ``keys`` (a missing key: none)."""
    if not in_database():
        return {k: int(v or 0) for k, v in caches["limits"].get_many(keys).items()}
    using = router.db_for_write(LimitCount)  # the primary's: a standby lags behind the counts
    return dict(LimitCount.objects.using(using).filter(key__in=keys).values_list("key", "count"))


def count(bucket: str, window_seconds: int, now: float | None = None) -> int:
    now = time.time() if now is None else now
    k = window_key(bucket, window_seconds, now)
    return _counts([k]).get(k, 0)


def blocked(bucket: str, limit: int, window_seconds: int, now: float | None = None) -> bool:
    """True once ``limit`` failures fell in ``bucket`` in the current window."""
    return reached([count(bucket, window_seconds, now)], [limit])


def any_blocked(limits: list[tuple[str, int]], window_seconds: int, now: float | None = None) -> bool:
    """``blocked`` for several (bucket, limit) pairs, in one read of the store."""
    now = time.time() if now is None else now
    keys = {window_key(bucket, window_seconds, now): limit for bucket, limit in limits}
    counts = _counts(list(keys))
    return reached([counts.get(key, 0) for key in keys], list(keys.values()))


def reached(counts: list[int], limits: list[int]) -> bool:
    """Whether any count has reached its limit (the counts read, in the order of the limits)."""
    return any(n >= limit for n, limit in zip(counts, limits, strict=True))


def fail(bucket: str, window_seconds: int, now: float | None = None) -> int:
    """Count one failure in ``bucket``; the number of failures in the current window."""
    return fail_all([bucket], window_seconds, now)[0]


def fail_all(buckets: list[str], window_seconds: int, now: float | None = None) -> list[int]:
    """Count one failure in each of ``buckets`` (in the database, by one statement); their counts."""
    now = time.time() if now is None else now
    keys = [window_key(bucket, window_seconds, now) for bucket in buckets]
    timeout = retry_after(window_seconds, now) + 1
    if not in_database():
        return [_count_in_cache(k, timeout) for k in keys]
    return _count_in_rows(keys, dt.datetime.fromtimestamp(now + timeout, tz=dt.UTC), now)


def _count_in_cache(k: str, timeout: int) -> int:
    store = caches["limits"]
    store.add(k, 0, timeout)
    try:
        return int(store.incr(k))
    except ValueError:  # expired between add and incr
        store.set(k, 1, timeout)
        return 1


def _count_in_rows(keys: list[str], expires: dt.datetime, now: float) -> list[int]:
    if len(set(keys)) != len(keys):
        raise ValueError("a bucket given twice in one count")  # one statement cannot update a row twice
    using = router.db_for_write(LimitCount)
    connection = connections[using]
    table, quote = LimitCount._meta.db_table, connection.ops.quote_name
    rows = ", ".join(["(%s, 1, %s)"] * len(keys))
    sql = (f"INSERT INTO {quote(table)} ({quote('key')}, {quote('count')}, {quote('expires')}) VALUES {rows} "
           f"ON CONFLICT ({quote('key')}) DO UPDATE SET {quote('count')} = {quote(table)}.{quote('count')} + 1 "
           f"RETURNING {quote('key')}, {quote('count')}")
    ends = connection.ops.adapt_datetimefield_value(expires)
    with connection.cursor() as cursor:
        # in the keys' order, whatever the caller's: two counts at once never wait for each other crosswise
        cursor.execute(sql, [value for k in sorted(keys) for value in (k, ends)])
        counted = {k: int(n) for k, n in cursor.fetchall()}
    if 1 in counted.values():  # a bucket's first failure in a window (not the hot path): the passed windows pruned
        LimitCount.objects.using(using).filter(expires__lt=dt.datetime.fromtimestamp(now, tz=dt.UTC)).delete()
    return [counted[k] for k in keys]


def clear() -> None:
    """Every count forgotten (the tests start from none)."""
    if not in_database():
        caches["limits"].clear()
    else:
        LimitCount.objects.all().delete()
