"""Diacritic-free search over the catalogue: "dang ky khai sinh" finds "Đăng ký khai sinh".

The catalogue is small (hundreds of procedures), so matching is done in Python over the
normalised code, name and field name; no extra column is needed.
"""
from __future__ import annotations

import unicodedata

from django.db.models import QuerySet

from motcua.catalog.models import Procedure


def fold(text: str) -> str:
    """Lower-case, strip Vietnamese diacritics (đ → d), collapse spaces."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.casefold().split())


def search_procedures(query: str, procedures: QuerySet[Procedure] | None = None) -> list[Procedure]:
    """Procedures whose code, name or field contains every word of ``query`` (diacritics ignored).

    Results: exact code match first, then names that contain the whole query as a phrase, then the rest.
    """
    needle = fold(query)
    qs = procedures if procedures is not None else Procedure.objects.filter(active=True)
    qs = qs.select_related("field")
    if not needle:
        return list(qs)
    words = needle.split()
    ranked: list[tuple[int, str, Procedure]] = []
    for procedure in qs:
        name = fold(procedure.name)
        haystack = f"{fold(procedure.code)} {name} {fold(procedure.field.name) if procedure.field else ''}"
        if all(word in haystack for word in words):
            rank = 0 if fold(procedure.code) == needle else 1 if needle in name else 2
            ranked.append((rank, procedure.code, procedure))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [procedure for _rank, _code, procedure in ranked]
