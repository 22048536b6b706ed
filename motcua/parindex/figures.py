"""The PAR index figures for ``oversight_figures``, for the top unit given (the unit the command was
asked about; ``unit_ids`` is that unit and the units below it): its latest appraised or published
assessment whose assessed year falls in the period — the index (str, two decimals), its rank and the
number of peers, and the places moved up (negative: down) since the first year of the period in which
it was ranked in the same level's peer group (None if it was not). All None when the unit has no such
assessment, or when no unit is given (``None`` = all units: no single index)."""
from __future__ import annotations

import datetime as dt

from motcua.parindex import scoring
from motcua.parindex.models import Assessment
from motcua.units.models import AdministrativeUnit

EMPTY: dict[str, object] = {"par_index": None, "par_rank": None, "par_peers": None, "par_rank_change": None,
                            "par_year": None}


def top_unit_ids(unit_ids: set[int]) -> set[int]:
    """The units of ``unit_ids`` whose parent is not among them (the unit asked about)."""
    pairs = AdministrativeUnit.objects.filter(pk__in=unit_ids).values_list("pk", "parent_id")
    return {pk for pk, parent in pairs if parent not in unit_ids}


def figures(unit_ids: set[int] | None, start: dt.date, end: dt.date) -> dict[str, object]:
    if not unit_ids:
        return dict(EMPTY)
    qs = Assessment.objects.filter(status__in=scoring.RANKED, year__gte=start.year, year__lte=end.year,
                                   unit_id__in=top_unit_ids(unit_ids))
    latest = qs.select_related("unit", "index_set").order_by("-year", "-pk").first()
    if latest is None:
        return dict(EMPTY)
    rank, peers = scoring.rank_of(latest)
    index = scoring.result(latest).index
    earlier = [e for e in scoring.earlier_ranks(latest) if e["year"] >= start.year]
    change = earlier[-1]["change"] if earlier else None
    return {"par_index": f"{index:.2f}" if index is not None else None, "par_rank": rank, "par_peers": peers,
            "par_rank_change": change, "par_year": latest.year}
