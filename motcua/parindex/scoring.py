"""The index of an assessment, its band, its rank among its peers, and where the points were lost.

Index = points / maximum of the sub-criteria that apply × 100, with two decimals (half up). The band
comes from the set's ``bands`` (data). Peers: the appraised or published assessments of the same set;
equal indexes share a rank. The change of rank compares with the same unit's rank in an earlier
year's peer group (same level), positive when it moved up.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from motcua.parindex.lifecycle import Status
from motcua.parindex.models import Assessment, IndexSet, Score

RANKED = (Status.APPRAISED, Status.PUBLISHED)


@dataclass
class Result:
    points: Decimal
    maximum: Decimal
    index: Decimal | None
    band: str | None


def result(a: Assessment, scores: list[Score] | None = None) -> Result:
    scores = scores if scores is not None else list(a.scores.select_related("sub"))
    applicable = [s for s in scores if not s.not_applicable]
    maximum = sum((s.sub.max_points for s in applicable), Decimal(0))
    points = sum((s.points or Decimal(0) for s in applicable), Decimal(0))
    index = (points * 100 / maximum).quantize(Decimal("0.01"), ROUND_HALF_UP) if maximum else None
    return Result(points, maximum, index, band_of(a.index_set, index))


def band_of(index_set: IndexSet, index: Decimal | None) -> str | None:
    if index is None:
        return None
    for band in sorted(index_set.bands, key=lambda b: -b["min"]):
        if float(index) >= band["min"]:
            return band["band"]
    return None


def ranking(index_set: IndexSet) -> list[dict[str, object]]:
    rows = []
    assessments = (index_set.assessments.filter(status__in=RANKED).select_related("unit", "index_set")
                   .prefetch_related("scores__sub"))
    for a in assessments:
        rows.append({"assessment": a, "unit": a.unit, "result": result(a, list(a.scores.all()))})
    rows.sort(key=lambda r: (-(r["result"].index or 0), r["unit"].name))
    rank = 0
    previous = None
    for n, row in enumerate(rows, start=1):
        if row["result"].index != previous:
            rank, previous = n, row["result"].index
        row["rank"] = rank
        row["peers"] = len(rows)
    return rows


def rank_of(a: Assessment) -> tuple[int | None, int]:
    rows = ranking(a.index_set)
    return next((r["rank"] for r in rows if r["assessment"].pk == a.pk), None), len(rows)


def rank_changes(index_set: IndexSet, earlier_year: int) -> dict[str, int]:
    """Unit code → places moved up since ``earlier_year`` (negative: down), for the units ranked in both
    this set and an earlier set of the same level."""
    earlier_sets = IndexSet.objects.filter(year=earlier_year, level=index_set.level)
    before: dict[str, int] = {}
    for earlier in earlier_sets:
        for row in ranking(earlier):
            before.setdefault(row["unit"].code, row["rank"])
    return {row["unit"].code: before[row["unit"].code] - row["rank"] for row in ranking(index_set)
            if row["unit"].code in before}


def rank_change(a: Assessment, earlier_year: int) -> int | None:
    """Places moved up since ``earlier_year`` (negative: down); None without a ranked assessment then."""
    return rank_changes(a.index_set, earlier_year).get(a.unit.code)


def lost(a: Assessment) -> list[dict[str, object]]:
    """Per sub-criterion that applies, the points lost and the appraiser's reason."""
    out = []
    for s in a.scores.select_related("sub"):
        if s.not_applicable or s.points is None or s.points >= s.sub.max_points:
            continue
        out.append({"code": s.sub.code, "name": s.sub.name, "max": s.sub.max_points, "points": s.points,
                    "lost": s.sub.max_points - s.points, "reason": s.appraiser_note})
    return out


def earlier_ranks(a: Assessment) -> list[dict[str, object]]:
    """The unit's ranks in the earlier years' peer groups of the same level, newest first, each with the
    places moved up since then (negative: down) — "up 10 places from 2021"."""
    rank, _peers = rank_of(a)
    out = []
    for earlier in IndexSet.objects.filter(level=a.index_set.level, year__lt=a.index_set.year).order_by("-year"):
        row = next((r for r in ranking(earlier) if r["unit"].code == a.unit.code), None)
        if row is not None:
            out.append({"year": earlier.year, "set": earlier, "rank": row["rank"], "peers": row["peers"],
                        "change": None if rank is None else row["rank"] - rank})
    return out
