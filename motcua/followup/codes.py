"""Codes of the oversight registers: ``<prefix>-<number>``, numbered per prefix by one atomic upsert."""
from __future__ import annotations

from django.db import connection

from motcua.followup.models import CodeSequence


def next_code(prefix: str, width: int) -> str:
    """``KN-2026`` → ``KN-2026-00001``, then ``…-00002``; never the same twice, under concurrency too."""
    table = connection.ops.quote_name(CodeSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (prefix, last) VALUES (%s, 1) "
                       f"ON CONFLICT (prefix) DO UPDATE SET last = {table}.last + 1 RETURNING last", [prefix])
        number = cursor.fetchone()[0]
    return f"{prefix}-{number:0{width}d}"
