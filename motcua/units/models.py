"""Administrative units (dated versions with successors), agencies, staff roles, calendar data.

A unit *version* is one row: a code, a name, a level and a parent, valid over a date range.
When a commune moves to another district, or units merge, the old version is closed
(``valid_to``) and a new version opened; dossiers keep pointing at the version they were
received in, so history is never rewritten.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.roles import STAFF_ROLE_CHOICES, Role  # noqa: F401 - Role: one vocabulary, re-exported


class Level(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện")
    COMMUNE = "commune", _("Cấp xã")


class AdministrativeUnitQuerySet(models.QuerySet):
    def valid_on(self, day: dt.date) -> AdministrativeUnitQuerySet:
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))

    def current(self) -> AdministrativeUnitQuerySet:
        return self.filter(valid_to__isnull=True)


class AdministrativeUnit(models.Model):
    """One version of an administrative unit (province, district or commune)."""

    code = models.CharField(max_length=10, db_index=True)
    name = models.CharField(max_length=200)
    level = models.CharField(max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True, help_text=_("Ngày cuối còn hiệu lực"))
    successors = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="predecessors"
    )
    # Working sessions of this unit, e.g. "07:30-11:30,13:30-17:00"; blank = inherit.
    sessions = models.CharField(max_length=100, blank=True)

    objects = AdministrativeUnitQuerySet.as_manager()

    class Meta:
        verbose_name = "đơn vị hành chính"
        verbose_name_plural = "đơn vị hành chính"
        ordering = ["code", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="unit_code_version_unique"),
        ]
        indexes = [models.Index(fields=["level", "valid_to"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def ancestors(self, include_self: bool = True) -> list[AdministrativeUnit]:
        """The unit (with ``include_self``) and the units above it, nearest first. A cycle in the data
        ends the walk: no unit comes twice, and the unit is never its own ancestor."""
        chain: list[AdministrativeUnit] = [self] if include_self else []
        seen: set[int | None] = {self.pk}
        unit: AdministrativeUnit | None = self.parent
        while unit is not None and unit.pk not in seen:
            seen.add(unit.pk)
            chain.append(unit)
            unit = unit.parent
        return chain

    def effective_sessions(self) -> str:
        """Sessions of this unit, else of its nearest ancestor, else the national default."""
        for unit in self.ancestors():
            if unit.sessions:
                return unit.sessions
        return settings.MOTCUA_DEFAULT_SESSIONS


class CalendarOverride(models.Model):
    """An administrator's word on one date; wins over the `holidays` package.

    ``unit`` empty = national (e.g. a late government announcement of a swapped day).
    """

    date = models.DateField()
    is_working = models.BooleanField(help_text=_("Ngày làm việc (True) hay ngày nghỉ (False)"))
    reason = models.CharField(max_length=300)
    legal_basis = models.CharField(max_length=300, blank=True)
    unit = models.ForeignKey(AdministrativeUnit, null=True, blank=True, on_delete=models.CASCADE)

    class Meta:
        verbose_name = "điều chỉnh lịch làm việc"
        verbose_name_plural = "điều chỉnh lịch làm việc"
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["date", "unit"], name="override_date_unit_unique"),
            models.UniqueConstraint(
                fields=["date"], condition=Q(unit__isnull=True), name="override_national_date_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {'làm việc' if self.is_working else 'nghỉ'}: {self.reason}"


class Agency(models.Model):
    """A body that handles dossiers: a People's Committee, an office, a department..."""

    class Kind(models.TextChoices):
        PEOPLES_COMMITTEE = "ubnd", _("Ủy ban nhân dân")
        OFFICE = "office", _("Phòng chuyên môn")
        DEPARTMENT = "department", _("Sở, ban, ngành")
        SERVICE_CENTRE = "centre", _("Trung tâm Phục vụ hành chính công")
        OTHER = "other", _("Đơn vị khác")

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OFFICE)
    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="agencies")
    level = models.CharField(max_length=10, choices=Level.choices)
    has_one_stop = models.BooleanField(default=False)
    valid_from = models.DateField(default=dt.date(2000, 1, 1))
    valid_to = models.DateField(null=True, blank=True)
    successor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="predecessors"
    )

    class Meta:
        verbose_name = "cơ quan"
        verbose_name_plural = "cơ quan"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class StaffRole(models.Model):
    """A user's role, scoped to an agency (and through it, its unit) or to a whole unit."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField(max_length=20, choices=STAFF_ROLE_CHOICES)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE)
    unit = models.ForeignKey(AdministrativeUnit, null=True, blank=True, on_delete=models.CASCADE)

    class Meta:
        verbose_name = "phân quyền cán bộ"
        verbose_name_plural = "phân quyền cán bộ"
        constraints = [
            models.CheckConstraint(
                condition=Q(agency__isnull=False) | Q(unit__isnull=False), name="staffrole_scoped"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.agency or self.unit}"
