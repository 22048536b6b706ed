"""Ranking peer units: the direct children of a unit (seed 001: "13th of 30 districts"; seed 004:
"89.30/100, 12th of 13").

    rank_units("01", date(2023, 1, 1), date(2023, 12, 31), metric="on_time_rate", min_dossiers=30)

Metrics (higher is better):

- ``on_time_rate`` — report form 06's on-time rate of each child (``compute_form06(..., by="child")``),
  over ``received_total − withdrawn`` dossiers, at the same as-of instant as form 06 (``as_of``: form 06's
  default, the end of the last day, when None; the screens pass "now" for a running period, as for form 06);
- ``index`` — the 766 index points (``compute_index_by_child``), over the handled dossiers;
- ``index_score`` — the 766 points per 100 computable points (fairer when an indicator has nothing
  to measure in some units, e.g. no rating).

A unit with fewer dossiers than ``min_dossiers`` (or none at all) is *small sample*: it gets no rank and is listed
after the ranked units (a commune with 2 dossiers, both on time, is never first). Ties share a rank
(1, 2, 2, 4). The parent's own dossiers (handled at the parent level) are not a peer.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from motcua.quality.compute import QualityError, compute_index_by_child
from motcua.reports.form06 import ReportError, compute_form06

METRICS = ("on_time_rate", "index", "index_score")
_PRECISION = 9  # values equal to this many decimals are a tie
_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def as_of_text(date_to: dt.date, as_of: dt.datetime | None) -> str:
    """The instant the ranking counts at, written as form 06 writes its ``as_of``."""
    instant = as_of or dt.datetime.combine(date_to, dt.time(23, 59, 59), tzinfo=_TZ)
    return instant.astimezone(_TZ).isoformat(timespec="seconds")


def _peer_values(parent_code: str, date_from: dt.date, date_to: dt.date, metric: str,
                 as_of: dt.datetime | None = None) -> list[dict]:
    if metric == "on_time_rate":
        try:
            report = compute_form06(parent_code, date_from, date_to, as_of=as_of, by="child")
        except ReportError as exc:
            raise QualityError(str(exc)) from None
        return [
            {"code": row["key"], "name": row["label"], "value": row["on_time_rate"],
             "dossiers": row["received_total"] - row["withdrawn"]}
            for row in report["rows"] if row["key"] != parent_code
        ]
    children = compute_index_by_child(parent_code, date_from, date_to)
    key = "points" if metric == "index" else "score"
    return [{"code": c["code"], "name": c["name"], "value": c[key], "dossiers": int(c["facts"]["handled"])}
            for c in children.values()]


def rank_units(parent_code: str, date_from: dt.date, date_to: dt.date, metric: str = "on_time_rate",
               min_dossiers: int = 30, as_of: dt.datetime | None = None) -> list[dict]:
    """Rows ``{rank, group_size, position ("13/30"), code, name, value, dossiers, small_sample}``,
    ranked first (best first), then the small-sample units (``rank`` None, ``position`` "")."""
    if metric not in METRICS:
        raise QualityError(f"Tiêu chí xếp hạng phải là một trong: {', '.join(METRICS)}.")
    if min_dossiers < 0:
        raise QualityError("Số hồ sơ tối thiểu không được âm.")
    peers = _peer_values(parent_code, date_from, date_to, metric, as_of)
    for row in peers:
        row["small_sample"] = row["dossiers"] < max(min_dossiers, 1) or row["value"] is None
    ranked = sorted((r for r in peers if not r["small_sample"]), key=lambda r: (-r["value"], r["code"]))
    small = sorted((r for r in peers if r["small_sample"]),
                   key=lambda r: (r["value"] is None, -(r["value"] or 0), r["code"]))
    size = len(ranked)
    previous: float | None = None
    rank = 0
    for position, row in enumerate(ranked, start=1):
        value = round(row["value"], _PRECISION)
        if value != previous:
            rank, previous = position, value
        row.update(rank=rank, group_size=size, position=f"{rank}/{size}")
    for row in small:
        row.update(rank=None, group_size=size, position="")
    return [{key: row[key] for key in ("rank", "group_size", "position", "code", "name", "value", "dossiers",
                                       "small_sample")} for row in ranked + small]
