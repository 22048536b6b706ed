"""The PAR index (chỉ số cải cách hành chính): criteria sets as data (loaded from YAML files), and the
assessments of units against them — self-assessment with evidence, appraisal with a note per change,
the survey component, and the sub-criteria computed from motcua's own data, frozen with the instant."""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from motcua.parindex.lifecycle import EVENT_LABELS, STATUS_LABELS, Status
from motcua.statemachine.events import LifecycleEvent


class Method(models.TextChoices):
    SELF = "self_assessed", _("Tự đánh giá, thẩm định")
    APPRAISED = "appraised", _("Hội đồng thẩm định chấm")
    SURVEY = "survey", _("Điều tra xã hội học")
    COMPUTED = "computed", _("Tính từ dữ liệu hệ thống")


LEVELS = {"province": _("Cấp tỉnh"), "department": _("Sở, ban, ngành"), "district": _("Cấp huyện"),
          "commune": _("Cấp xã")}


class IndexSet(models.Model):
    code = models.CharField(max_length=60, unique=True)
    name = models.CharField(max_length=300)
    year = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=20, choices=list(LEVELS.items()))
    decision_number = models.CharField(max_length=60)
    decision_date = models.DateField(null=True, blank=True)
    issuer = models.CharField(max_length=300, blank=True)
    is_example = models.BooleanField(default=False)
    bands = models.JSONField(default=list, help_text=_("Xếp loại: [{band, min}] theo điểm giảm dần"))
    max_points = models.DecimalField(max_digits=7, decimal_places=2)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "bộ tiêu chí chỉ số CCHC"
        verbose_name_plural = "bộ tiêu chí chỉ số CCHC"
        ordering = ["-year", "level", "code"]
        constraints = [models.UniqueConstraint(fields=["year", "level", "decision_number"],
                                               name="index_set_year_level_decision")]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"


class Field(models.Model):
    index_set = models.ForeignKey(IndexSet, on_delete=models.CASCADE, related_name="fields")
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=300)
    order = models.PositiveSmallIntegerField()
    max_points = models.DecimalField(max_digits=7, decimal_places=2)

    class Meta:
        ordering = ["index_set", "order"]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class Criterion(models.Model):
    field = models.ForeignKey(Field, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=500)
    order = models.PositiveSmallIntegerField()
    max_points = models.DecimalField(max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = "tiêu chí"
        verbose_name_plural = "tiêu chí"
        ordering = ["field", "order"]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class SubCriterion(models.Model):
    index_set = models.ForeignKey(IndexSet, on_delete=models.CASCADE, related_name="subcriteria")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="subcriteria")
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=500)
    order = models.PositiveSmallIntegerField()
    max_points = models.DecimalField(max_digits=7, decimal_places=2)
    method = models.CharField(max_length=15, choices=Method.choices)
    metric = models.CharField(max_length=30, blank=True)
    full_at = models.DecimalField(max_digits=6, decimal_places=4, null=True, blank=True,
                                  help_text=_("Giá trị (tỷ lệ 0–1) đạt điểm tối đa; thấp hơn: tính tỷ lệ"))
    rule = models.TextField(blank=True)
    evidence_required = models.BooleanField(default=False)

    class Meta:
        verbose_name = "tiêu chí thành phần"
        verbose_name_plural = "tiêu chí thành phần"
        ordering = ["index_set", "criterion__field__order", "criterion__order", "order"]
        constraints = [models.UniqueConstraint(fields=["index_set", "code"], name="subcriterion_code_in_set")]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class Assessment(models.Model):
    index_set = models.ForeignKey(IndexSet, on_delete=models.PROTECT, related_name="assessments")
    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=15, choices=[(s.value, label) for s, label in STATUS_LABELS.items()],
                              default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1)
    last_event_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "bản tự đánh giá, thẩm định"
        verbose_name_plural = "bản tự đánh giá, thẩm định"
        ordering = ["-year", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["index_set", "unit"], name="one_assessment_per_set_unit")]

    def __str__(self) -> str:
        return f"{self.unit.name} · {self.index_set.name} ({self.year})"

    def get_absolute_url(self) -> str:
        return reverse("parindex:assessment", args=[self.pk])


class Score(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    sub = models.ForeignKey(SubCriterion, on_delete=models.PROTECT, related_name="+")
    not_applicable = models.BooleanField(default=False)
    self_score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    self_evidence = models.TextField(blank=True)
    appraised_score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    appraiser_note = models.TextField(blank=True)
    survey_score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    computed_value = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    computed_points = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assessment", "sub__criterion__field__order", "sub__criterion__order", "sub__order"]
        constraints = [models.UniqueConstraint(fields=["assessment", "sub"], name="one_score_per_sub")]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.sub.code}"

    @property
    def points(self) -> Decimal | None:
        """What counts: the appraised score, else what the method gives (survey, computed, self)."""
        if self.not_applicable:
            return None
        if self.appraised_score is not None:
            return self.appraised_score
        if self.sub.method == Method.SURVEY:
            return self.survey_score
        if self.sub.method == Method.COMPUTED:
            return self.computed_points
        return self.self_score


class AssessmentEvent(LifecycleEvent):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="events", db_index=False)
    action = models.CharField(max_length=20, choices=list(EVENT_LABELS.items()))

    class Meta:
        ordering = ["assessment", "seq"]
        constraints = [models.UniqueConstraint(fields=["assessment", "seq"], name="assessment_event_seq")]


class EvidenceDocument(models.Model):
    """A document evidencing a self score (a plan, a report, a decision), uploaded by the unit's PAR
    officer or leader while the self-assessment is open; checked like every upload (PDF, JPEG, PNG)."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to="parindex/%Y/%m/")
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_by_label = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["score", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name or self.file.name
