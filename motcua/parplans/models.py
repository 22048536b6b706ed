"""Yearly PAR plans with their tasks; internal administrative procedures with their simplification
plans; the decisions that approved the catalogue's procedure routes (electronic processes)."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from motcua.parplans.lifecycle import EVENT_LABELS, STATUS_LABELS, Status
from motcua.statemachine.events import LifecycleEvent


class Area(models.TextChoices):
    INSTITUTIONS = "institutions", _("Cải cách thể chế")
    PROCEDURES = "procedures", _("Cải cách thủ tục hành chính")
    ORGANISATION = "organisation", _("Cải cách tổ chức bộ máy")
    CIVIL_SERVICE = "civil_service", _("Cải cách chế độ công vụ")
    PUBLIC_FINANCE = "public_finance", _("Cải cách tài chính công")
    DIGITAL = "digital", _("Xây dựng, phát triển Chính phủ điện tử, Chính phủ số")
    OTHER = "other", _("Chỉ đạo, điều hành và nhiệm vụ khác")


class ParPlan(models.Model):
    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    number = models.CharField(max_length=60, blank=True, help_text=_("Số kế hoạch"))
    date = models.DateField(null=True, blank=True)
    issuer = models.CharField(max_length=300)
    title = models.CharField(max_length=300)

    class Meta:
        ordering = ["-year", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"

    def get_absolute_url(self) -> str:
        return reverse("parplans:plan", args=[self.pk])


class Task(models.Model):
    plan = models.ForeignKey(ParPlan, on_delete=models.CASCADE, related_name="tasks")
    area = models.CharField(max_length=20, choices=Area.choices)
    title = models.CharField(max_length=500)
    owner = models.ForeignKey("units.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    owner_name = models.CharField(max_length=300, blank=True, help_text=_("Cơ quan chủ trì (ngoài danh mục)"))
    co_agencies = models.ManyToManyField("units.Agency", blank=True, related_name="+")
    expected_output = models.CharField(max_length=500, blank=True)
    deadline = models.DateTimeField()
    status = models.CharField(max_length=15, choices=[(s.value, label) for s, label in STATUS_LABELS.items()],
                              default=Status.NOT_STARTED)
    completed_at = models.DateTimeField(null=True, blank=True)
    evidence = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    last_event_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "deadline", "pk"]
        indexes = [models.Index(fields=["plan", "status", "deadline"])]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_label(self) -> str:
        return self.owner.name if self.owner_id else self.owner_name

    def overdue_at(self, at: dt.datetime) -> bool:
        return self.status in (Status.NOT_STARTED, Status.IN_PROGRESS) and self.deadline < at

    def on_time(self) -> bool:
        return self.status == Status.DONE and self.completed_at is not None and self.completed_at <= self.deadline


class TaskEvent(LifecycleEvent):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events", db_index=False)
    action = models.CharField(max_length=15, choices=list(EVENT_LABELS.items()))

    class Meta:
        ordering = ["task", "seq"]
        constraints = [models.UniqueConstraint(fields=["task", "seq"], name="par_task_event_seq")]


class TaskDocument(models.Model):
    """A document evidencing a task's output (a report, a decision), uploaded by those who act on the task."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to="parplans/%Y/%m/")
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    description = models.CharField(max_length=300, blank=True, verbose_name=_("Mô tả"))
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_by_label = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["task", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name or self.file.name


class InternalProcedure(models.Model):
    """An internal administrative procedure (within or between state bodies)."""

    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=30)
    name = models.CharField(max_length=500)
    field = models.CharField(max_length=200, blank=True)
    executing_agency = models.CharField(max_length=300, blank=True)
    deciding_agency = models.CharField(max_length=300, blank=True)
    steps = models.PositiveSmallIntegerField(default=0)
    documents = models.TextField(blank=True)
    time_limit_days = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("Ngày làm việc"))
    legal_basis = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["unit", "code"]
        constraints = [models.UniqueConstraint(fields=["unit", "code"], name="internal_procedure_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SimplificationPlan(models.Model):
    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    decision_number = models.CharField(max_length=60, blank=True)
    decision_date = models.DateField(null=True, blank=True)
    approved_on = models.DateField(null=True, blank=True, help_text=_("Ngày được phê duyệt"))

    class Meta:
        ordering = ["-year", "unit"]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"

    def get_absolute_url(self) -> str:
        return reverse("parplans:simplification", args=[self.pk])


class SimplificationItem(models.Model):
    class Proposal(models.TextChoices):
        ABOLISH = "abolish", _("Bãi bỏ")
        SIMPLIFY = "simplify", _("Đơn giản hóa")
        KEEP = "keep", _("Giữ nguyên")

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Đề xuất")
        APPROVED = "approved", _("Đã được phê duyệt")
        DONE = "done", _("Đã thực thi")

    plan = models.ForeignKey(SimplificationPlan, on_delete=models.CASCADE, related_name="items")
    procedure = models.ForeignKey(InternalProcedure, on_delete=models.PROTECT, related_name="simplifications")
    proposal = models.CharField(max_length=10, choices=Proposal.choices)
    days_before = models.PositiveSmallIntegerField(null=True, blank=True)
    days_after = models.PositiveSmallIntegerField(null=True, blank=True)
    steps_before = models.PositiveSmallIntegerField(null=True, blank=True)
    steps_after = models.PositiveSmallIntegerField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PROPOSED)

    class Meta:
        ordering = ["plan", "procedure__code"]
        constraints = [models.UniqueConstraint(fields=["plan", "procedure"], name="simplification_once_per_plan")]

    def __str__(self) -> str:
        return f"{self.procedure}: {self.get_proposal_display()}"

    @property
    def simplified(self) -> bool:
        """Counted as cut: abolished or simplified, and approved or carried out."""
        return self.proposal != self.Proposal.KEEP and self.state != self.State.PROPOSED


class RouteApproval(models.Model):
    """The decision that approved an administrative procedure's electronic process (its route)."""

    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.CASCADE, related_name="route_approvals")
    decision_number = models.CharField(max_length=60)
    decision_date = models.DateField()
    issuer = models.CharField(max_length=300)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["procedure", "-decision_date"]

    def __str__(self) -> str:
        return f"{self.procedure.code}: {self.decision_number} ngày {self.decision_date:%d/%m/%Y}"


class ProcedureProposal(models.Model):
    """A proposal to simplify an administrative procedure, citing where its time goes (the measured
    step timing of the dossiers, frozen when the proposal is made)."""

    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.PROTECT,
                                  related_name="simplification_proposals")
    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    proposal = models.TextField()
    timing_from = models.DateField()
    timing_to = models.DateField()
    cited_timing = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-computed_at"]

    def __str__(self) -> str:
        return f"{self.procedure.code}: {self.proposal[:60]}"
