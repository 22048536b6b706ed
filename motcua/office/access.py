"""What the officials' screens ask about a user: what they see (``motcua.units.scoping``) and at
which counters they work. Who may act on a dossier is ``motcua.dossiers.policy`` alone."""
from __future__ import annotations

from typing import Any

from motcua.dossiers.models import Dossier
from motcua.roles import Role
from motcua.units.models import Agency
from motcua.units.scoping import can_see_dossier, staff_roles

__all__ = ["can_see", "counter_agencies", "staff_roles"]


def can_see(user: Any, dossier: Dossier) -> bool:
    return bool(getattr(user, "is_authenticated", False) and can_see_dossier(user, dossier))


def counter_agencies(user: Any) -> list[Agency]:
    """Agencies where the user works at the one-stop counter."""
    seen: dict[int, Agency] = {}
    for sr in staff_roles(user):
        if sr.role == Role.COUNTER and sr.agency_id is not None:
            seen.setdefault(sr.agency_id, sr.agency)
    return list(seen.values())
