"""A small fixed-window rate limit on the cache (the lookup must not be a guessing oracle)."""
from __future__ import annotations

from django.core.cache import cache


def hit(bucket: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt in ``bucket``; False once more than ``limit`` attempts fell in the window."""
    key = f"ratelimit:{bucket}"
    cache.add(key, 0, window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window_seconds)
        count = 1
    return count <= limit


def blocked(bucket: str, limit: int) -> bool:
    return (cache.get(f"ratelimit:{bucket}") or 0) > limit
