"""Who may see a dossier and with which lifecycle roles a user acts on it, for the screens.

``can_see`` is ``motcua.units.scoping.can_see_dossier`` (the rule the API uses too).

``acting_roles`` is narrower than seeing: a role counts for acting on a dossier only if it is held
at the dossier's agency or at the agency of its current step (or, for a unit-scoped role, at the
dossier's unit or above it).
"""
from __future__ import annotations

from typing import Any

from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier, DossierStep
from motcua.units.models import AdministrativeUnit, Agency, StaffRole
from motcua.units.scoping import can_act_on_dossier, can_see_dossier

LIFECYCLE_ROLES = frozenset({lifecycle.COUNTER, lifecycle.SPECIALIST, lifecycle.HEAD, lifecycle.LEADER})


def staff_roles(user: Any) -> list[StaffRole]:
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_office_staff_roles", None)
    if cached is None:
        qs = StaffRole.objects.filter(user=user).select_related("agency", "unit", "agency__unit")
        cached = list(qs.order_by("pk"))
        user._office_staff_roles = cached
    return cached


def _unit_chain(unit: AdministrativeUnit | None) -> set[int]:
    """The unit and its ancestors."""
    found: set[int] = set()
    while unit is not None and unit.pk not in found:
        found.add(unit.pk)
        unit = unit.parent
    return found


def can_see(user: Any, dossier: Dossier) -> bool:
    return bool(getattr(user, "is_authenticated", False) and can_see_dossier(user, dossier))


def current_step(dossier: Dossier) -> DossierStep | None:
    if not dossier.current_step:
        return None
    return next((s for s in dossier.steps.all() if s.order == dossier.current_step), None)


def acting_roles(user: Any, dossier: Dossier) -> list[str]:
    """The user's lifecycle roles that apply to this dossier now, in the order granted (none when
    ``motcua.units.scoping.can_act_on_dossier`` says the user may not act on it)."""
    if not can_act_on_dossier(user, dossier):
        return []
    step = current_step(dossier)
    agencies = {dossier.agency_id, step.agency_id if step else None} - {None}
    units = _unit_chain(dossier.unit)
    found: list[str] = []
    for sr in staff_roles(user):
        if sr.role not in LIFECYCLE_ROLES or sr.role in found:
            continue
        if (sr.agency_id is not None and sr.agency_id in agencies) or (sr.agency_id is None and sr.unit_id in units):
            found.append(sr.role)
    return found


def role_for(action: str, roles: list[str], dossier: Dossier) -> str | None:
    """The first of ``roles`` the lifecycle table allows for ``action`` from the dossier's status."""
    move = lifecycle.transition(dossier.status, action)
    if move is None:
        return None
    return next((r for r in roles if r in move.roles), None)


def counter_agencies(user: Any) -> list[Agency]:
    """Agencies where the user works at the one-stop counter."""
    seen: dict[int, Agency] = {}
    for sr in staff_roles(user):
        if sr.role == lifecycle.COUNTER and sr.agency_id is not None:
            seen.setdefault(sr.agency_id, sr.agency)
    return list(seen.values())
