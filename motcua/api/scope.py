"""What a caller may see, and with which lifecycle roles it acts on a dossier.

A local, small version of the scoping rule (``motcua/units/scoping.py`` was not there when
this was written): a superuser sees everything; otherwise each of the user's StaffRoles grants
  - an agency: dossiers of that agency, dossiers with a route step at that agency, and dossiers
    of the agency's unit that name no agency;
  - a unit: dossiers of that unit and of every unit below it.
A token sees what its user sees and acts with the token's role.
"""
from __future__ import annotations

from django.db.models import Q, QuerySet

from motcua.api.auth import Caller
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier
from motcua.units.models import AdministrativeUnit, Agency, StaffRole

LIFECYCLE_ROLES = frozenset(
    {lifecycle.COUNTER, lifecycle.SPECIALIST, lifecycle.HEAD, lifecycle.LEADER, lifecycle.APPLICANT, lifecycle.SYSTEM}
)


def _units_below(unit_ids: set[int]) -> set[int]:
    """The units given and all their descendants (following ``parent``)."""
    seen = set(unit_ids)
    frontier = set(unit_ids)
    while frontier:
        frontier = set(AdministrativeUnit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - seen
        seen |= frontier
    return seen


def _role_filter(staff_role: StaffRole) -> Q:
    if staff_role.agency_id is not None:
        return (
            Q(agency_id=staff_role.agency_id)
            | Q(steps__agency_id=staff_role.agency_id)
            | Q(agency__isnull=True, unit_id=staff_role.agency.unit_id)
        )
    return Q(unit_id__in=_units_below({staff_role.unit_id}))


def _staff_roles(user: object) -> list[StaffRole]:
    return list(StaffRole.objects.filter(user=user).select_related("agency").order_by("pk"))


def visible_dossiers(caller: Caller) -> QuerySet[Dossier]:
    qs = Dossier.objects.select_related("procedure", "unit", "agency")
    if caller.user.is_superuser:
        return qs
    roles = _staff_roles(caller.user)
    if not roles:
        return qs.none()
    condition = Q()
    for staff_role in roles:
        condition |= _role_filter(staff_role)
    return qs.filter(pk__in=Dossier.objects.filter(condition).values("pk"))


def _covering_roles(caller: Caller, dossier: Dossier) -> list[str]:
    """The user's staff roles (values) whose scope contains the dossier, in the order granted."""
    found: list[str] = []
    for staff_role in _staff_roles(caller.user):
        if staff_role.role not in found and Dossier.objects.filter(_role_filter(staff_role), pk=dossier.pk).exists():
            found.append(staff_role.role)
    return found


def roles_for(caller: Caller, dossier: Dossier) -> list[str]:
    """The lifecycle roles the caller may act with on this dossier (the token's role, or the
    session user's staff roles covering it)."""
    if caller.token is not None:
        return [caller.token.role]
    return [r for r in _covering_roles(caller, dossier) if r in LIFECYCLE_ROLES]


def role_for_action(caller: Caller, dossier: Dossier, action: str) -> str | None:
    """The caller's first role the lifecycle table allows for ``action`` now; otherwise its first
    role (the service then refuses it with the right error); None when it has no role at all."""
    roles = roles_for(caller, dossier)
    move = lifecycle.transition(dossier.status, action)
    for role in roles:
        if move is not None and role in move.roles:
            return role
    return roles[0] if roles else None


def intake_role(caller: Caller, unit: AdministrativeUnit, agency: Agency | None) -> str | None:
    """The role with which the caller submits a dossier to ``unit``/``agency``, None if it may not.

    A token uses its role; a session user needs a counter role whose scope covers the target."""
    if caller.token is not None:
        role: str | None = caller.token.role
    else:
        role = lifecycle.COUNTER if lifecycle.COUNTER in [r.role for r in _staff_roles(caller.user)] else None
    if role is None or caller.user.is_superuser:
        return role
    staff_roles = _staff_roles(caller.user)
    if caller.token is None:
        staff_roles = [r for r in staff_roles if r.role == lifecycle.COUNTER]
    for staff_role in staff_roles:
        if staff_role.agency_id is not None:
            if (agency is not None and agency.pk == staff_role.agency_id) or (
                agency is None and unit.pk == staff_role.agency.unit_id
            ):
                return role
        elif unit.pk in _units_below({staff_role.unit_id}):
            return role
    return None
