"""Re-aggregating old units' figures onto today's units, through the 2025 crosswalk.

A dossier keeps the unit version it was received in. For a report "as of today's units", each
version in a current unit's tree is mapped to the row it lands in today:

- a commune version lands in the current commune that succeeded it (following successor links
  until a version in force; a commune split between several lands in the one with the lowest
  code, so that every dossier is counted exactly once);
- anything else (the province's earlier versions, legacy districts, their province-level
  agencies) lands in the current unit itself: districts no longer exist, and their work went to
  the province and the communes.

Totals are unchanged by construction: the mapping only moves dossiers between rows.
"""
from __future__ import annotations

from collections import defaultdict

from motcua.units.models import AdministrativeUnit, Level


def today_branches(top: AdministrativeUnit, scope: dict[int, int]) -> dict[int, int]:
    """unit id → id of the row it lands in today (a current child commune, or ``top`` itself)."""
    ids = set(scope)
    versions = {
        pk: (level, valid_to) for pk, level, valid_to in
        AdministrativeUnit.objects.filter(pk__in=ids).values_list("pk", "level", "valid_to")
    }
    successors: dict[int, list[int]] = defaultdict(list)
    links = AdministrativeUnit.successors.through.objects.values_list("from_administrativeunit_id",
                                                                       "to_administrativeunit_id")
    for source, target in links:
        successors[source].append(target)
    current_communes = set(
        AdministrativeUnit.objects.filter(parent_id=top.pk, level=Level.COMMUNE, valid_to__isnull=True)
        .values_list("pk", flat=True)
    )
    codes = dict(AdministrativeUnit.objects.filter(pk__in=current_communes).values_list("pk", "code"))

    def land(pk: int) -> int:
        seen: set[int] = set()
        frontier = [pk]
        while frontier:
            found = sorted((p for p in frontier if p in current_communes), key=lambda p: codes[p])
            if found:
                return found[0]
            seen.update(frontier)
            frontier = [s for p in frontier for s in successors.get(p, []) if s not in seen]
        return top.pk

    return {pk: (land(pk) if versions.get(pk, ("", None))[0] == Level.COMMUNE else top.pk) for pk in ids}
