"""What a caller may see, and with which lifecycle roles it acts on a dossier.

Visibility is ``motcua.units.scoping`` (the project's one rule: unit trees across versions,
agency-scoped and unit-scoped staff roles). A token sees and acts where its user may, with the
token's role. A session user acts with those of its staff roles that apply to the dossier
directly (the rule of ``scoping.can_act_on_dossier``, taken role by role so that the role is known).
"""
from __future__ import annotations

from django.db.models import QuerySet

from motcua.api.auth import Caller
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier
from motcua.units import scoping
from motcua.units.models import AdministrativeUnit, Agency, Role, StaffRole

LIFECYCLE_ROLES = frozenset(
    {lifecycle.COUNTER, lifecycle.SPECIALIST, lifecycle.HEAD, lifecycle.LEADER, lifecycle.APPLICANT, lifecycle.SYSTEM}
)


def visible_dossiers(caller: Caller) -> QuerySet[Dossier]:
    return scoping.visible_dossiers(caller.user, Dossier.objects.select_related("procedure", "unit", "agency"))


def _staff_roles(user: object) -> list[StaffRole]:
    return list(StaffRole.objects.filter(user=user).select_related("agency").order_by("pk"))


def _covers(staff_role: StaffRole, unit_id: int, agency_id: int | None, step_agency_ids: set[int]) -> bool:
    """Whether this one staff role may act on a dossier of ``unit_id``/``agency_id`` (inspectors never
    act; leaders scoped to a unit act on that unit only, other unit roles on its whole tree)."""
    if staff_role.role == Role.INSPECTOR:
        return False
    if staff_role.agency_id is not None:
        return (
            agency_id == staff_role.agency_id
            or (agency_id is None and unit_id == staff_role.agency.unit_id)
            or staff_role.agency_id in step_agency_ids
        )
    if staff_role.role in scoping.READ_ACROSS_TREE:
        return unit_id == staff_role.unit_id
    return unit_id in scoping.descendant_unit_ids(staff_role.unit_id)


def _step_agencies(dossier: Dossier) -> set[int]:
    return set(dossier.steps.exclude(agency=None).values_list("agency_id", flat=True))


def roles_for(caller: Caller, dossier: Dossier) -> list[str]:
    """The lifecycle roles the caller may act with on this dossier, in the order granted."""
    if caller.token is not None:
        return [caller.token.role] if scoping.can_act_on_dossier(caller.user, dossier) else []
    steps = _step_agencies(dossier)
    found: list[str] = []
    for staff_role in _staff_roles(caller.user):
        if (
            staff_role.role in LIFECYCLE_ROLES and staff_role.role not in found
            and _covers(staff_role, dossier.unit_id, dossier.agency_id, steps)
        ):
            found.append(staff_role.role)
    return found


def role_for_action(caller: Caller, dossier: Dossier, action: str) -> str | None:
    """The caller's first role the lifecycle table allows for ``action`` now; otherwise its first
    role (the service then refuses it with the right error); None when it has no role here."""
    roles = roles_for(caller, dossier)
    move = lifecycle.transition(dossier.status, action)
    for role in roles:
        if move is not None and role in move.roles:
            return role
    return roles[0] if roles else None


def intake_role(caller: Caller, unit: AdministrativeUnit, agency: Agency | None) -> str | None:
    """The role with which the caller submits a dossier to ``unit``/``agency``; None if it may not.

    A token uses its role, where its user may act; a session user needs a counter role there."""
    unit_id, agency_id = unit.pk, agency.pk if agency is not None else None
    roles = _staff_roles(caller.user)
    if caller.token is not None:
        if caller.user.is_superuser or any(_covers(r, unit_id, agency_id, set()) for r in roles):
            return caller.token.role
        return None
    counters = [r for r in roles if r.role == lifecycle.COUNTER]
    return lifecycle.COUNTER if any(_covers(r, unit_id, agency_id, set()) for r in counters) else None
