"""What may this user see: the unit tree across versions, and the staff-role rules.

Unit trees across versions
  A unit's tree is the unit, its *same-level predecessors* (earlier versions of it: the legacy
  province or commune versions that became it, linked by ``successors``), and every version whose
  parent chain leads to one of those. So a current province covers the legacy provinces merged
  into it with their districts and communes, and a legacy district covers the communes that
  were under it at the time (Minh Quang before 2021 counts under Chiêm Hóa, after under Lâm
  Bình). Cross-level successor links (a legacy district → today's communes) are not followed,
  otherwise one district would pull in its neighbours. One recursive SQL query per call.

Staff roles (``StaffRole``, each scoped to an agency or to a unit)
  - scoped to an agency: the dossiers of that agency, those with a route step at that agency,
    and those of the agency's unit that name no agency;
  - scoped to a unit: the dossiers of every unit in that unit's tree;
  - inspectors and leaders read across the tree of their unit (for an agency-scoped one: the
    agency's unit); who *acts* on a dossier is narrower: ``motcua.dossiers.policy``;
  - superusers, and admins/leaders/inspectors scoped to a province-level unit, see everything
    (``None`` below): a deployment serves one province, so "the province" is "all".
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from motcua.prepared import PreparedRead
from motcua.units.models import AdministrativeUnit, Level, Role, StaffRole

READ_ACROSS_TREE = frozenset({Role.LEADER, Role.INSPECTOR})
PROVINCE_WIDE = frozenset({Role.ADMIN, Role.LEADER, Role.INSPECTOR})


def _tree_sql() -> str:
    unit = AdministrativeUnit._meta.db_table
    link = AdministrativeUnit.successors.through._meta.db_table
    return f"""
        WITH RECURSIVE
        tops(id) AS (
            SELECT id FROM {unit} WHERE id IN ({{roots}})
            UNION
            SELECT s.from_administrativeunit_id
            FROM {link} s
            JOIN tops t ON s.to_administrativeunit_id = t.id
            JOIN {unit} a ON a.id = s.from_administrativeunit_id
            JOIN {unit} b ON b.id = s.to_administrativeunit_id
            WHERE a.level = b.level
        ),
        below(id, head, depth) AS (
            SELECT id, id, 0 FROM tops
            UNION
            SELECT u.id, CASE WHEN b.depth = 0 THEN u.id ELSE b.head END, b.depth + 1
            FROM {unit} u JOIN below b ON u.parent_id = b.id
        )
        SELECT id, head FROM below
    """


def _tree(root_ids: set[int]) -> dict[int, int]:
    """Unit id → the branch it belongs to (the tops map to themselves; their descendants to the
    top's direct child they descend from)."""
    if not root_ids:
        return {}
    roots = ", ".join(str(int(pk)) for pk in sorted(root_ids))
    with connection.cursor() as cursor:
        cursor.execute(_tree_sql().format(roots=roots))
        rows = cursor.fetchall()
    tree: dict[int, int] = {}
    for pk, head in rows:
        tree.setdefault(pk, head)
    return tree


def _valid_on(on_date: dt.date) -> Q:
    return Q(valid_from__lte=on_date) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))


def descendant_unit_ids(unit: AdministrativeUnit | int, on_date: dt.date | None = None) -> set[int]:
    """The unit's tree (see the module doc): the unit, its earlier versions and everything below.
    With ``on_date``, only the versions valid on that date."""
    ids = set(_tree({unit if isinstance(unit, int) else unit.pk}))
    if on_date is None:
        return ids
    return set(AdministrativeUnit.objects.filter(_valid_on(on_date), pk__in=ids).values_list("pk", flat=True))


def resolve_code(code: str, on_date: dt.date | None = None) -> AdministrativeUnit | None:
    """The version of ``code`` valid on ``on_date`` (today when omitted), else the latest earlier
    version, else the first one; None for an unknown code."""
    day = on_date or dt.date.today()
    versions = list(AdministrativeUnit.objects.filter(code=code).order_by("valid_from"))
    if not versions:
        return None
    valid = [v for v in versions if v.valid_from <= day and (v.valid_to is None or v.valid_to >= day)]
    earlier = [v for v in versions if v.valid_from <= day]
    return (valid or earlier or versions)[-1]


def units_below(code: str, on_date: dt.date | None = None) -> dict[int, int]:
    """For reports: every unit version in the tree of the unit ``code`` as it was on ``on_date``
    (today when omitted) — including legacy versions whose parent chain leads to it or to one of
    its earlier versions. Returns unit id → branch id: the top versions map to themselves, every
    other version to the top's direct child it descends from (for "one row per child").
    Unknown code → empty dict. One query for the version, one recursive query for the tree."""
    unit = resolve_code(code, on_date)
    return _tree({unit.pk}) if unit is not None else {}


# --- users ----------------------------------------------------------------------------------------

def _roles_where(**condition: Any) -> QuerySet:
    """A user's staff roles as every rule reads them: with their scope's unit, in one order."""
    return StaffRole.objects.filter(**condition).select_related("agency__unit", "unit").order_by("pk")


# Every signed-in request reads them: compiled once per connection.
_STAFF_ROLES = PreparedRead(lambda user_id: _roles_where(user_id=user_id))
# The same rows, of the user of an API token (by its key's hash): read with the token itself.
STAFF_ROLES_BY_TOKEN = PreparedRead(lambda key_hash: _roles_where(user__api_tokens__key_hash=key_hash))


def staff_roles(user: Any) -> list[StaffRole]:
    """The user's staff roles, read once per user object (every rule of visibility and acting uses it)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_scoping_staff_roles", None)
    if cached is None:
        cached = _STAFF_ROLES.rows(user.pk)
        user._scoping_staff_roles = cached
    return cached


def keep_staff_roles(user: Any, roles: list[StaffRole]) -> None:
    """``user``'s staff roles, read elsewhere (with an API token): ``staff_roles(user)`` gives them."""
    user._scoping_staff_roles = roles


def _scope_unit(role: StaffRole) -> AdministrativeUnit:
    return role.unit if role.unit_id is not None else role.agency.unit


def holds_over(user: Any, unit: AdministrativeUnit | int, roles: Iterable[str]) -> bool:
    """The user holds one of ``roles`` with a scope (its unit, or its agency's unit) whose tree covers ``unit``."""
    wanted = set(roles)
    target = unit if isinstance(unit, int) else unit.pk
    for sr in staff_roles(user):
        if sr.role in wanted:
            scope = sr.unit_id if sr.unit_id is not None else sr.agency.unit_id
            if target in descendant_unit_ids(scope):
                return True
    return False


def user_roles(user: Any) -> set[str]:
    """The role codes the user holds (``Role`` values); superusers also count as ``admin``."""
    roles = {r.role for r in staff_roles(user)}
    if getattr(user, "is_superuser", False):
        roles.add(Role.ADMIN.value)
    return roles


def user_agency_ids(user: Any) -> set[int]:
    """The agencies the user's agency-scoped roles are held at."""
    return {r.agency_id for r in staff_roles(user) if r.agency_id is not None}


def _sees_all(user: Any) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return any(r.role in PROVINCE_WIDE and _scope_unit(r).level == Level.PROVINCE for r in staff_roles(user))


def visible_unit_ids(user: Any) -> set[int] | None:
    """Units in which the user sees every dossier; None = all units (superuser, province-wide
    role). Agency-scoped counter/specialist/head roles add no unit here: they see by agency
    (``user_agency_ids``, ``dossier_filter``)."""
    if _sees_all(user):
        return None
    roots: set[int] = set()
    for r in staff_roles(user):
        if r.unit_id is not None:
            roots.add(r.unit_id)
        elif r.role in READ_ACROSS_TREE:
            roots.add(r.agency.unit_id)
    return set(_tree(roots))


def oversight_unit_ids(user: Any) -> set[int] | None:
    """Units whose oversight records (inspections, supervision, recommendations, PAR) the user sees:
    those of ``visible_unit_ids``, and for a role held at an agency, the agency's own unit (a unit
    sees its own); None = all."""
    seen = visible_unit_ids(user)
    if seen is None:
        return None
    return seen | {r.agency.unit_id for r in staff_roles(user) if r.agency_id is not None}


def dossier_filter(user: Any) -> Q | None:
    """A condition on ``Dossier`` for what the user may see; None = no restriction.
    (It may join route steps: apply it as ``pk__in=Dossier.objects.filter(q).values("pk")``
    or use ``visible_dossiers``.)"""
    if _sees_all(user):
        return None
    condition = Q(pk__in=[])
    units = visible_unit_ids(user) or set()
    if units:
        condition |= Q(unit_id__in=units)
    for r in staff_roles(user):
        if r.agency_id is not None:
            condition |= (
                Q(agency_id=r.agency_id) | Q(steps__agency_id=r.agency_id)
                | Q(agency__isnull=True, unit_id=r.agency.unit_id)
            )
    return condition


def visible_dossiers(user: Any, queryset: QuerySet | None = None) -> QuerySet:
    """``queryset`` (all dossiers by default) narrowed to what the user may see."""
    from motcua.dossiers.models import Dossier

    qs = queryset if queryset is not None else Dossier.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    condition = dossier_filter(user)
    if condition is None:
        return qs
    return qs.filter(pk__in=Dossier.objects.filter(condition).values("pk"))


def can_see_dossier(user: Any, dossier: Any) -> bool:
    """Whether the user may read this dossier (rules in the module doc)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if _sees_all(user):
        return True
    roles = staff_roles(user)
    if not roles:
        return False
    units = visible_unit_ids(user) or set()
    if dossier.unit_id in units:
        return True
    step_agencies: set[int] | None = None
    for r in roles:
        if r.agency_id is None:
            continue
        if dossier.agency_id == r.agency_id:
            return True
        if dossier.agency_id is None and dossier.unit_id == r.agency.unit_id:
            return True
        if step_agencies is None:
            step_agencies = set(dossier.steps.exclude(agency=None).values_list("agency_id", flat=True))
        if r.agency_id in step_agencies:
            return True
    return False
