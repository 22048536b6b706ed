"""The catalogue of procedures (thủ tục hành chính): legal time, documents, route of steps."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.roles import STAFF_ROLE_CHOICES
from motcua.units.models import Level

MINUTES_PER_DAY = 8 * 60


class Field(models.Model):
    """Lĩnh vực: the area of law a procedure belongs to."""

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        verbose_name = "lĩnh vực"
        verbose_name_plural = "lĩnh vực"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClockPolicy(models.TextChoices):
    PAUSE = "pause", _("Tạm dừng, tính tiếp thời gian còn lại")
    RESTART = "restart", _("Tính lại từ đầu khi nhận đủ hồ sơ")


class Channel(models.TextChoices):
    COUNTER = "counter", _("Trực tiếp")
    POSTAL = "postal", _("Bưu chính công ích")
    ONLINE_FULL = "online_full", _("Trực tuyến toàn trình")
    ONLINE_PARTIAL = "online_partial", _("Trực tuyến một phần")


class Procedure(models.Model):
    code = models.CharField(max_length=30, unique=True, help_text=_("Mã thủ tục quốc gia, ví dụ 1.001193"))
    name = models.CharField(max_length=500)
    field = models.ForeignKey(Field, null=True, blank=True, on_delete=models.PROTECT, related_name="procedures")
    levels = models.JSONField(default=list, help_text=_("Cấp thực hiện: province / district / commune"))
    # Legal processing time in working minutes (a working day is 480 minutes).
    legal_minutes = models.PositiveIntegerField(default=0)
    legal_time_unit = models.CharField(
        max_length=1, choices=[("d", _("ngày làm việc")), ("h", _("giờ làm việc"))], default="d"
    )
    # Restart is the law's rule (Decree 61/2018 art. 19(4)); pause only where the procedure's own text says so.
    clock_policy = models.CharField(max_length=10, choices=ClockPolicy.choices, default=ClockPolicy.RESTART)
    clock_policy_basis = models.CharField(
        max_length=300, blank=True, help_text=_("Căn cứ pháp lý khi tính tiếp thời gian còn lại (tạm dừng)")
    )
    cutoff = models.TimeField(null=True, blank=True, help_text=_("Giờ tiếp nhận muộn nhất trong ngày"))
    fees = models.JSONField(default=list, blank=True, help_text=_('[{"name": ..., "amount": VND}]'))
    channels = models.JSONField(default=list)
    result_type = models.CharField(max_length=200, blank=True)
    legal_basis = models.TextField(blank=True)
    central_system_owner = models.CharField(
        max_length=2, blank=True, help_text=_("Dịch vụ công tập trung toàn quốc: hai chữ số của chủ quản hệ thống"),
    )
    is_stub = models.BooleanField(default=False, help_text=_("Tạo tự động khi nhập dữ liệu cũ"))
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "thủ tục hành chính"
        verbose_name_plural = "thủ tục hành chính"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def legal_time_label(self) -> str:
        if self.legal_time_unit == "h":
            return f"{self.legal_minutes // 60} giờ làm việc"
        days = self.legal_minutes / MINUTES_PER_DAY
        return f"{days:g} ngày làm việc"

    def clean(self) -> None:
        if self.pk:
            total = sum(self.steps.values_list("share_minutes", flat=True))
            if total and total != self.legal_minutes:
                raise ValidationError(
                    _("Tổng thời gian các bước (%(total)s phút) phải bằng thời hạn giải quyết (%(legal)s phút)."),
                    params={"total": total, "legal": self.legal_minutes},
                )


class RequiredDocument(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="documents")
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=500)
    form = models.CharField(max_length=50, default="bản chính", help_text=_("bản chính / bản sao ..."))
    count = models.PositiveSmallIntegerField(default=1)
    required = models.BooleanField(default=True)

    class Meta:
        verbose_name = "thành phần hồ sơ"
        verbose_name_plural = "thành phần hồ sơ"
        ordering = ["procedure", "order"]

    def __str__(self) -> str:
        return self.name


class RouteStep(models.Model):
    """One step of a procedure's internal route, with its share of the legal time."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=300)
    role = models.CharField(max_length=20, choices=STAFF_ROLE_CHOICES)
    # Which agency does it: at the level named, the agency whose kind is named
    # (e.g. the commune's People's Committee, or the district's office).
    agency_level = models.CharField(max_length=10, choices=Level.choices, blank=True)
    agency_kind = models.CharField(max_length=20, blank=True)
    share_minutes = models.PositiveIntegerField()

    class Meta:
        verbose_name = "bước xử lý"
        verbose_name_plural = "bước xử lý"
        ordering = ["procedure", "order"]
        constraints = [models.UniqueConstraint(fields=["procedure", "order"], name="route_step_order_unique")]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"
