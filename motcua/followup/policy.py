"""Who may see and who may act on a recommendation; to whom it passes when its unit is abolished.

Addressees, through time: a recommendation stays addressed to the unit *version* it was made to
(history is never rewritten); while that version is closed (``valid_to`` in the past), it is
answered by the version's successors, followed to the current ones (a district abolished on
2025-07-01 passes its recommendations to the communes that took over its territory).

Acting roles (``acting_roles``):
  - the addressee side — a leader, a head or a PAR focal officer whose unit (or whose agency's
    unit) is a current addressee; when an agency is named, a role held at another agency does not
    answer for it (a unit-level leader does);
  - the issuer side — an inspector for an inspection's recommendation, a council member or staff
    for a supervision's, an appraiser for a PAR appraisal's (any of them for other sources), whose
    scope covers the addressee or the issuing unit; and whoever made the recommendation.
Seeing (``visible``) is wider: the units of the user's scope (``motcua.units.scoping``), the units
whose recommendations passed to them, the issuing unit's staff, and the recommendation's author.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from motcua.followup.lifecycle import ACTION_LABELS, ADDRESSEE_ROLES, ISSUER_ROLES, STATUS_LABELS, TABLE
from motcua.followup.models import Recommendation, SourceKind
from motcua.roles import Role
from motcua.statemachine import Lifecycle, Offer
from motcua.units import scoping
from motcua.units.models import AdministrativeUnit
from motcua.workdays import TZ

ISSUER_BY_KIND = {SourceKind.INSPECTION: {Role.INSPECTOR}, SourceKind.SUPERVISION: {Role.COUNCIL},
                  SourceKind.PAR: {Role.APPRAISER}, SourceKind.OTHER: set(ISSUER_ROLES)}

RECOMMENDATIONS = Lifecycle("recommendation", TABLE, action_labels=ACTION_LABELS, status_labels=STATUS_LABELS)


def current_addressees(unit: AdministrativeUnit, on: dt.date | None = None) -> list[AdministrativeUnit]:
    """The unit, or, once it is closed, its successors followed to those valid on ``on``."""
    on = on or timezone.now().astimezone(TZ).date()
    found: list[AdministrativeUnit] = []
    seen: set[int] = set()
    frontier = [unit]
    while frontier:
        nxt: list[AdministrativeUnit] = []
        for u in frontier:
            if u.pk in seen:
                continue
            seen.add(u.pk)
            successors = list(u.successors.all()) if u.valid_to is not None and u.valid_to < on else []
            if successors:
                nxt.extend(successors)
            else:
                found.append(u)
        frontier = nxt
    return found


def predecessors_of(unit_ids: set[int]) -> set[int]:
    """Closed units whose recommendations pass (through successors) to one of ``unit_ids``."""
    found: set[int] = set()
    frontier = set(unit_ids)
    while frontier:
        preds = set(AdministrativeUnit.objects.filter(successors__in=frontier, valid_to__isnull=False)
                    .values_list("pk", flat=True)) - found - set(unit_ids)
        found |= preds
        frontier = preds
    return found


def visible(user: Any, queryset: QuerySet[Recommendation] | None = None) -> QuerySet[Recommendation]:
    qs = queryset if queryset is not None else Recommendation.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    ids = scoping.oversight_unit_ids(user)
    if ids is None:
        return qs
    ids = set(ids)
    return qs.filter(Q(addressee_unit_id__in=ids | predecessors_of(ids)) | Q(issuer_unit_id__in=ids)
                     | Q(created_by=user))


def can_see(user: Any, rec: Recommendation) -> bool:
    return visible(user, Recommendation.objects.filter(pk=rec.pk)).exists()


def _scope_unit_id(staff_role: Any) -> int:
    return staff_role.unit_id if staff_role.unit_id is not None else staff_role.agency.unit_id


def acting_roles(user: Any, rec: Recommendation, on: dt.date | None = None, token_role: str | None = None) -> list[str]:
    """The roles ``user`` acts with on ``rec`` (module doc); with ``token_role`` (an API token), that
    role alone, where the user holds it on the recommendation."""
    if not getattr(user, "is_authenticated", False):
        return []
    if token_role is not None:
        return [token_role] if token_role in acting_roles(user, rec, on) else []
    roles: list[str] = []
    addressees: set[int] | None = None
    issuers = ISSUER_BY_KIND.get(SourceKind(rec.source_kind), set())
    for sr in scoping.staff_roles(user):
        if sr.role in ADDRESSEE_ROLES:
            if addressees is None:
                addressees = {u.pk for u in current_addressees(rec.addressee_unit, on)}
            named_elsewhere = (rec.addressee_agency_id is not None and sr.agency_id is not None
                               and sr.agency_id != rec.addressee_agency_id)
            if _scope_unit_id(sr) in addressees and not named_elsewhere:
                roles.append(sr.role)
        elif sr.role in issuers:
            covered = scoping.descendant_unit_ids(_scope_unit_id(sr))
            if rec.addressee_unit_id in covered or rec.issuer_unit_id in covered:
                roles.append(sr.role)
    if rec.created_by_id == user.pk:
        roles.extend(sorted(issuers - set(roles)))
    return list(dict.fromkeys(roles))


def issuer_unit(user: Any) -> AdministrativeUnit | None:
    """The unit of the user's first issuer role (inspector, council, appraiser): the issuing body's unit."""
    role = next((sr for sr in scoping.staff_roles(user) if sr.role in ISSUER_ROLES), None)
    if role is None:
        return None
    return role.unit if role.unit_id is not None else role.agency.unit


def available_actions(rec: Recommendation, user: Any, at: dt.datetime | None = None) -> list[Offer]:
    return RECOMMENDATIONS.available(rec, acting_roles(user, rec), at or timezone.now())
