"""Inspections of public-service discipline (kiểm tra công vụ): plans with their targets, inspections
with their teams, findings, and evidence taken from motcua's own data.

A plan's *targets* are what it promises to inspect — an agency, a unit (a commune's People's
Committee, its one-stop section) or something motcua does not otherwise know (a school) —, each in
a *population* ("Phòng chuyên môn", "UBND cấp xã", "Trường học") so that coverage can be counted per
population as the reports quote it ("20/20 phòng", "28/81 trường"). An inspection points at the unit
*version* it inspected; its status moves only through ``services`` (the shared lifecycle writer).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from motcua.inspections.lifecycle import EVENT_LABELS, STATUS_LABELS, Status
from motcua.statemachine.events import LifecycleEvent


class InspectionPlan(models.Model):
    year = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    issuer = models.CharField(max_length=300, help_text=_("Cơ quan ban hành kế hoạch"))
    decision_number = models.CharField(max_length=60, blank=True)
    decision_date = models.DateField(null=True, blank=True)
    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="+",
                             help_text=_("Đơn vị ban hành (phạm vi kế hoạch)"))
    themes = models.TextField(blank=True, help_text=_("Nội dung kiểm tra"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"

    def get_absolute_url(self) -> str:
        return reverse("inspections:plan", args=[self.pk])


class PlanTarget(models.Model):
    class Kind(models.TextChoices):
        UNIT = "unit", _("Đơn vị hành chính")
        AGENCY = "agency", _("Cơ quan")
        SCHOOL = "school", _("Trường học")
        OTHER = "other", _("Khác")

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="targets")
    population = models.CharField(max_length=100, help_text=_("Nhóm đối tượng, ví dụ: Phòng chuyên môn, UBND cấp xã"))
    kind = models.CharField(max_length=10, choices=Kind.choices)
    unit = models.ForeignKey("units.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    agency = models.ForeignKey("units.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["plan", "population", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.agency_id:
            return self.agency.name
        if self.unit_id:
            return self.unit.name
        return self.name


class Inspection(models.Model):
    class Kind(models.TextChoices):
        PLANNED = "planned", _("Theo kế hoạch")
        UNANNOUNCED = "unannounced", _("Đột xuất")
        REINSPECTION = "reinspection", _("Kiểm tra lại")

    code = models.CharField(max_length=30, unique=True)
    plan = models.ForeignKey(InspectionPlan, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="inspections")
    target = models.ForeignKey(PlanTarget, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="inspections")
    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="+",
                             help_text=_("Đơn vị được kiểm tra (hoặc đơn vị của cơ quan được kiểm tra)"))
    agency = models.ForeignKey("units.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    target_name = models.CharField(max_length=300, blank=True, help_text=_("Đối tượng ngoài danh mục (trường học…)"))
    kind = models.CharField(max_length=15, choices=Kind.choices, default=Kind.PLANNED)
    follows = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="followed_by",
                                help_text=_("Cuộc kiểm tra trước (khi kiểm tra lại)"))
    decision_number = models.CharField(max_length=60, blank=True)
    decision_date = models.DateField(null=True, blank=True)
    decision_issuer = models.CharField(max_length=300, blank=True)
    topic = models.CharField(max_length=300)
    period_from = models.DateField(help_text=_("Thời kỳ được kiểm tra: từ ngày"))
    period_to = models.DateField(help_text=_("Thời kỳ được kiểm tra: đến ngày"))
    starts_on = models.DateField(help_text=_("Ngày bắt đầu làm việc"))
    ends_on = models.DateField(help_text=_("Ngày kết thúc làm việc"))
    status = models.CharField(max_length=15, choices=[(s.value, label) for s, label in STATUS_LABELS.items()],
                              default=Status.PLANNED)
    conclusion = models.TextField(blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    version = models.PositiveIntegerField(default=1)
    last_event_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "code"]
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["status", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.code} · {self.topic} · {self.target_label}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:inspection", args=[self.code])

    @property
    def target_label(self) -> str:
        if self.agency_id:
            return self.agency.name
        return self.target_name or self.unit.name


class InspectionEvent(LifecycleEvent):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="events", db_index=False)
    action = models.CharField(max_length=20, choices=[(k.value, label) for k, label in EVENT_LABELS.items()])

    class Meta:
        ordering = ["inspection", "seq"]
        constraints = [models.UniqueConstraint(fields=["inspection", "seq"], name="inspection_event_seq")]


class TeamMember(models.Model):
    class TeamRole(models.TextChoices):
        HEAD = "head", _("Trưởng đoàn")
        MEMBER = "member", _("Thành viên")
        SECRETARY = "secretary", _("Thư ký")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="team")
    name = models.CharField(max_length=200)
    position = models.CharField(max_length=300, blank=True)
    team_role = models.CharField(max_length=10, choices=TeamRole.choices, default=TeamRole.MEMBER)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")

    class Meta:
        ordering = ["inspection", "team_role", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_team_role_display()})"


class Finding(models.Model):
    class Severity(models.TextChoices):
        OBSERVATION = "observation", _("Nhắc nhở, lưu ý")
        SHORTCOMING = "shortcoming", _("Hạn chế, thiếu sót")
        VIOLATION = "violation", _("Vi phạm")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    theme = models.CharField(max_length=200)
    description = models.TextField()
    severity = models.CharField(max_length=15, choices=Severity.choices, default=Severity.SHORTCOMING)
    people_concerned = models.CharField(max_length=500, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["inspection", "pk"]

    def __str__(self) -> str:
        return f"{self.inspection.code}: {self.theme}"

    def get_absolute_url(self) -> str:
        return self.inspection.get_absolute_url()


class EvidenceLink(models.Model):
    """Evidence taken from motcua's own data for the inspected unit and period: the parameters it was
    computed with, a summary frozen at ``computed_at`` (and, for the tables, the xlsx as it was then),
    and the address of the live document, which shows today's figures for the same parameters."""

    class Kind(models.TextChoices):
        REPORT06 = "report06", _("Báo cáo tình hình giải quyết TTHC (mẫu 06)")
        LATE_WITHOUT_APOLOGY = "late_without_apology", _("Hồ sơ trễ hạn chưa có phiếu xin lỗi")
        LOGBOOK = "logbook", _("Sổ theo dõi hồ sơ")
        QUALITY_INDEX = "quality_index", _("Bộ chỉ số phục vụ người dân, doanh nghiệp (766)")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parameters = models.JSONField(default=dict, help_text=_("Tham số tính: mã đơn vị, từ ngày, đến ngày"))
    summary = models.JSONField(default=dict)
    file = models.FileField(upload_to="inspections/%Y/%m/", blank=True)
    url = models.CharField(max_length=500, blank=True, help_text=_("Địa chỉ của tài liệu trực tiếp (số liệu hiện tại)"))
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["inspection", "kind", "-computed_at"]

    def __str__(self) -> str:
        return f"{self.inspection.code}: {self.get_kind_display()}"


Evidence = EvidenceLink  # the name the first version used
