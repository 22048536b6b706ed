"""Which units a user may report on (``motcua.units.scoping``) and the unit picker's choices.

A user reports on the units they see every dossier of (``visible_unit_ids``): a unit-scoped role
gives its unit's tree; leaders and inspectors see their unit's tree (for an agency-scoped one, the
agency's unit); superusers and province-wide roles see everything. Agency-scoped counter,
specialist and head roles see by agency, not by unit: they get the early-warning list only.
A unit outside the user's scope is answered exactly like an unknown code (404), so the screens do
not confirm which codes exist.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from motcua.units.models import AdministrativeUnit, Level, Role
from motcua.units.scoping import READ_ACROSS_TREE, resolve_code, staff_roles, visible_unit_ids

MAX_CODE = AdministrativeUnit._meta.get_field("code").max_length


class UnitNotFound(LookupError):
    """Unknown unit code, or one the user may not see; the message is for the user."""


def _valid_on(day: dt.date) -> Q:
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))


def require_reporter(user: Any) -> set[int] | None:
    """The user's visible unit ids (None = all); PermissionDenied when the user sees no unit."""
    visible = visible_unit_ids(user)
    if visible is not None and not visible:
        raise PermissionDenied(_("Tài khoản chưa được phân quyền xem số liệu của đơn vị nào."))
    return visible


def allowed_unit(user: Any, code: str, on_date: dt.date) -> AdministrativeUnit:
    """The version of ``code`` for a report ending ``on_date``, if the user may report on it."""
    code = code.strip()
    if not code or "\x00" in code or len(code) > MAX_CODE:
        raise UnitNotFound(_("Mã đơn vị không hợp lệ."))
    visible = require_reporter(user)
    unit = resolve_code(code, on_date)
    if unit is None or (visible is not None and unit.pk not in visible):
        raise UnitNotFound(_("Không có đơn vị mã “%s” trong phạm vi bạn được xem.") % code)
    return unit


def root_units(user: Any, on_date: dt.date) -> list[AdministrativeUnit]:
    """The top units of the user's scope as they were on ``on_date``: the units of their roles first
    (the default of every screen), then, for see-all users, the provinces in force then."""
    visible = require_reporter(user)
    codes: list[str] = []
    for role in staff_roles(user):
        if role.unit_id is not None:
            unit = role.unit
        elif role.role in READ_ACROSS_TREE or role.role == Role.ADMIN:
            unit = role.agency.unit
        else:
            continue
        if unit.code not in codes:
            codes.append(unit.code)
    found = [u for u in (resolve_code(code, on_date) for code in codes) if u is not None]
    if visible is None:
        found += [u for u in AdministrativeUnit.objects.filter(_valid_on(on_date), level=Level.PROVINCE)
                  .order_by("code") if u.code not in codes]
    return found


def unit_choices(user: Any, selected: AdministrativeUnit | None, date_from: dt.date,
                 date_to: dt.date) -> list[tuple[str, str]]:
    """(code, label) for the picker: the user's top units, the selected one and its children in
    force during the period (marked with a dash)."""
    units = root_units(user, date_to)
    children: list[tuple[str, str]] = []  # (code, name): a province has a hundred communes, no model needed
    if selected is not None:
        units.append(selected)
        children = list(AdministrativeUnit.objects.filter(parent__code=selected.code, valid_from__lte=date_to).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=date_from)).order_by("code").values_list("code", "name"))
    seen: set[str] = set()
    out = []
    for code, name, prefix in [(u.code, u.name, "") for u in units] + [(c, n, "— ") for c, n in children]:
        if code not in seen:
            seen.add(code)
            out.append((code, f"{prefix}{name} ({code})"))
    return out
