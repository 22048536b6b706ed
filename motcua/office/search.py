"""Procedure search for the counter: the catalogue's diacritic-free search ("dang ky khai sinh" finds
"Đăng ký khai sinh"), limited to the levels the counter's agencies handle."""
from __future__ import annotations

from motcua.catalog.models import Procedure
from motcua.catalog.search import search_procedures

LIMIT = 20


def find_procedures(query: str, levels: set[str] | None = None) -> list[Procedure]:
    """Active procedures matching ``query``; with ``levels``, only those handled at one of them
    (a procedure that names no level is kept)."""
    query = query.strip()[:200]
    if not query:
        return []
    out: list[Procedure] = []
    for proc in search_procedures(query):
        if proc.active and (not levels or not proc.levels or levels & set(proc.levels)):
            out.append(proc)
        if len(out) >= LIMIT:
            break
    return out
