"""The service-quality index (Decision 766/QĐ-TTg, 2022) as data, and the digests sent.

An ``IndicatorSet`` is one version of the index (the government revises it); its groups carry the
points of each area and its indicators a formula over named facts (``motcua.quality.indicators``),
a maximum and an optional threshold (docs/domain.md §8).
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorSet(models.Model):
    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=300)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    legal_basis = models.TextField(blank=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = "bộ chỉ số 766"
        verbose_name_plural = "bộ chỉ số 766"
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @classmethod
    def in_force(cls, day: dt.date) -> IndicatorSet:
        found = (cls.objects.filter(valid_from__lte=day).filter(models.Q(valid_to__isnull=True)
                 | models.Q(valid_to__gte=day)).order_by("-valid_from").first())
        if found is None:
            raise cls.DoesNotExist(f"no indicator set in force on {day.isoformat()}")
        return found


class IndicatorGroup(models.Model):
    indicator_set = models.ForeignKey(IndicatorSet, on_delete=models.CASCADE, related_name="groups")
    code = models.CharField(max_length=10)
    name = models.CharField(max_length=300)
    max_points = models.DecimalField(max_digits=6, decimal_places=2)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "nhóm chỉ số"
        verbose_name_plural = "nhóm chỉ số"
        ordering = ["indicator_set", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["indicator_set", "code"], name="quality_group_code_unique")]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class Indicator(models.Model):
    group = models.ForeignKey(IndicatorGroup, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(max_length=10, help_text=_("Ví dụ 2.1"))
    name = models.CharField(max_length=500)
    # Blank = not computable from this system's data (scored by hand elsewhere; shown as such).
    formula = models.CharField(max_length=500, blank=True)
    max_points = models.DecimalField(max_digits=6, decimal_places=2)
    # A rate (0–1): at or above it the indicator scores full marks; below, rate × max / threshold.
    threshold = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    # A rating-based indicator: the fact counting its ratings; it scores only from MOTCUA_QUALITY_MIN_SAMPLE.
    sample = models.CharField(max_length=40, blank=True,
                              help_text=_("Chỉ tiêu dựa trên đánh giá: dữ kiện đếm số đánh giá (cỡ mẫu tối thiểu)"))
    note = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["group", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["group", "code"], name="quality_indicator_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        from motcua.quality.formula import FormulaError, parse
        from motcua.quality.indicators import FACTS

        if self.formula:
            try:
                parse(self.formula, set(FACTS))
            except FormulaError as exc:
                raise ValidationError({"formula": str(exc)}) from None
        if self.sample and self.sample not in FACTS:
            raise ValidationError({"sample": _("Không có dữ kiện %(name)s.") % {"name": self.sample}})
        if self.threshold is not None and not (0 < self.threshold <= 1):
            raise ValidationError({"threshold": _("Ngưỡng là một tỷ lệ trong (0, 1].")})


class DigestSent(models.Model):
    """One at-risk digest e-mailed to one head for one agency on one day (makes send_digest idempotent)."""

    day = models.DateField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    agency = models.ForeignKey("units.Agency", on_delete=models.CASCADE)
    dossier_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "thư tổng hợp đã gửi"
        verbose_name_plural = "thư tổng hợp đã gửi"
        constraints = [models.UniqueConstraint(fields=["day", "user", "agency"], name="quality_digest_once_a_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.user} {self.agency_id}"
