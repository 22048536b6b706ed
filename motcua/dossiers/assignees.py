"""Who a dossier's step may be assigned to ("giao cho"): an officer holding an acting role where the step is.

Used by the services (the ``assign`` action and a hand-over that names its officer) to refuse a user
who does not work at the receiving agency, and by the screens to list the officers to choose from.
The receiving agency is the current (or next) step's agency, else the dossier's; for a dossier and a
step that name no agency, a role held at the dossier's unit counts.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from motcua.people import person_name
from motcua.roles import ACTING_STAFF_ROLES
from motcua.statemachine import InvalidInput
from motcua.units.models import Agency, StaffRole

MAX_USERNAME = 150


def resolve(named: Any) -> Any:
    """The user named: a user object, or a username (exact, then case-insensitive); None when blank.
    An unknown username is refused with a message naming it."""
    if named is None or named == "":
        return None
    if not isinstance(named, str):
        return named
    username = named.strip()
    if not username or len(username) > MAX_USERNAME or "\x00" in username:
        raise InvalidInput("Tên đăng nhập của cán bộ được giao không hợp lệ.", field="assignee")
    users = get_user_model().objects.filter(is_active=True)
    user = users.filter(username=username).first() or users.filter(username__iexact=username).first()
    if user is None:
        raise InvalidInput(f"Không có cán bộ nào có tên đăng nhập “{username}”.", field="assignee")
    return user


def _where(agency: Agency | None, unit_id: int | None) -> Q:
    if agency is not None:
        return Q(agency_id=agency.pk)
    return Q(unit_id=unit_id, agency__isnull=True)


def check(user: Any, agency: Agency | None, unit_id: int | None) -> None:
    """Refuse ``user`` unless it holds an acting role at ``agency`` (or, with no agency, at the unit)."""
    held = StaffRole.objects.filter(_where(agency, unit_id), user=user, role__in=list(ACTING_STAFF_ROLES))
    if not held.exists():
        place = agency.name if agency is not None else "đơn vị của hồ sơ"
        raise InvalidInput(
            f"Cán bộ {person_name(user)} ({user.get_username()}) không giữ vai trò xử lý hồ sơ tại {place}; "
            "chỉ giao được cho cán bộ của cơ quan nhận hồ sơ.", field="assignee")


def officers(agencies: Iterable[Agency]) -> QuerySet:
    """Active users holding an acting role at one of ``agencies``, by name."""
    ids = [a.pk for a in agencies if a is not None]
    roles = StaffRole.objects.filter(agency_id__in=ids, role__in=list(ACTING_STAFF_ROLES)).values("user_id")
    return get_user_model().objects.filter(is_active=True, pk__in=roles).order_by("last_name", "first_name",
                                                                                    "username")
