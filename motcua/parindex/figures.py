"""The PAR index figures for ``oversight_figures``: the latest appraised (or published) assessment of
the top unit given whose year falls in the period — its index (two decimals), rank and peers, and
the change of rank since the first year of the period when it was ranked then."""
from __future__ import annotations

import datetime as dt

from motcua.parindex import scoring
from motcua.parindex.models import Assessment


def figures(unit_ids: set[int] | None, start: dt.date, end: dt.date) -> dict[str, object]:
    qs = Assessment.objects.filter(status__in=scoring.RANKED, year__gte=start.year, year__lte=end.year)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    latest = qs.select_related("unit", "index_set").order_by("-year", "unit__level").first()
    if latest is None:
        return {"par_index": None, "par_rank": None, "par_peers": None, "par_rank_change": None}
    rank, peers = scoring.rank_of(latest)
    index = scoring.result(latest).index
    change = scoring.rank_change(latest, start.year) if start.year < latest.year else None
    return {"par_index": f"{index:.2f}" if index is not None else None, "par_rank": rank, "par_peers": peers,
            "par_rank_change": change, "par_year": latest.year}
