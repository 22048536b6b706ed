"""Procedure search for the counter: ``motcua.catalog.search.search_procedures`` when it exists,
else a small local fold-and-match (no diacritics: "dang ky khai sinh" finds "Đăng ký khai sinh")."""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from motcua.catalog.models import Procedure
from motcua.office.access import optional

LIMIT = 20


def fold(text: str) -> str:
    """Lower case, without Vietnamese diacritics (đ → d), spaces collapsed."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def _local_search(query: str) -> list[Procedure]:
    words = fold(query).split()
    if not words:
        return []
    found = []
    for proc in Procedure.objects.filter(active=True).order_by("code"):
        haystack = fold(f"{proc.code} {proc.name}")
        if all(w in haystack for w in words):
            found.append(proc)
            if len(found) >= LIMIT:
                break
    return found


def find_procedures(query: str, levels: set[str] | None = None) -> list[Procedure]:
    """Active procedures matching ``query``; with ``levels``, only those handled at one of them
    (a procedure that names no level is kept)."""
    query = query.strip()[:200]
    if not query:
        return []
    shared = optional("motcua.catalog.search", "search_procedures")
    results: Iterable[Procedure] = shared(query) if shared is not None else _local_search(query)
    out: list[Procedure] = []
    for proc in results:
        if proc.active and (not levels or not proc.levels or levels & set(proc.levels)):
            out.append(proc)
        if len(out) >= LIMIT:
            break
    return out
