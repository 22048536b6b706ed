"""The follow-up register: one recommendation per row, whatever body made it.

A recommendation comes from an oversight object (an inspection's finding, a council delegation's
report, a PAR appraisal: ``source``, a generic link) and is addressed to a unit *version* (and, if
named, one of its agencies). Its stored ``status`` is what its lifecycle reached (open · in
progress · done · dropped); *overdue* is computed at an instant from the deadline, never stored
(``state_at``, ``RecommendationQuerySet.with_state``). Its history is typed events, written only by
``motcua.followup.services`` through the shared lifecycle writer.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext_lazy as _

from motcua.followup.lifecycle import EVENT_LABELS, STATUS_LABELS, Status
from motcua.statemachine.events import LifecycleEvent


class State(models.TextChoices):
    """What a reader is told: the stored status, or overdue when the deadline has passed."""

    OPEN = Status.OPEN.value, _("Chưa thực hiện")
    IN_PROGRESS = Status.IN_PROGRESS.value, _("Đang thực hiện")
    OVERDUE = "overdue", _("Quá hạn")
    DONE = Status.DONE.value, _("Đã hoàn thành")
    DROPPED = Status.DROPPED.value, _("Không tiếp tục theo dõi")


class SourceKind(models.TextChoices):
    INSPECTION = "inspection", _("Kiểm tra công vụ")
    SUPERVISION = "supervision", _("Giám sát của HĐND")
    PAR = "par", _("Thẩm định chỉ số CCHC")
    OTHER = "other", _("Khác")


# The app a source model belongs to → the kind of oversight it is.
SOURCE_KINDS = {"inspections": SourceKind.INSPECTION, "supervision": SourceKind.SUPERVISION,
                "parindex": SourceKind.PAR, "parplans": SourceKind.PAR}

OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)


class RecommendationQuerySet(models.QuerySet):
    def for_source(self, obj: models.Model) -> RecommendationQuerySet:
        return self.filter(source_type=ContentType.objects.get_for_model(obj), source_id=obj.pk)

    def with_state(self, at: dt.datetime) -> RecommendationQuerySet:
        """Annotate ``state``: overdue for an open one whose deadline is before ``at``."""
        return self.annotate(state=Case(
            When(Q(status__in=OPEN_STATUSES) & Q(deadline__lt=at), then=Value(State.OVERDUE.value)),
            default="status", output_field=models.CharField(),
        ))

    def overdue_at(self, at: dt.datetime) -> RecommendationQuerySet:
        return self.filter(status__in=OPEN_STATUSES, deadline__lt=at)


class Recommendation(models.Model):
    code = models.CharField(max_length=30, unique=True)
    source_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    source_kind = models.CharField(max_length=20, choices=SourceKind.choices, default=SourceKind.OTHER)
    source_label = models.CharField(max_length=500, blank=True, help_text=_("Nguồn kiến nghị (đoàn, cuộc kiểm tra…)"))
    title = models.CharField(max_length=300)
    text = models.TextField()
    issuer_unit = models.ForeignKey("units.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", help_text=_("Đơn vị của cơ quan kiến nghị"))
    issuer_name = models.CharField(max_length=300, blank=True, help_text=_("Cơ quan, đoàn đưa ra kiến nghị"))
    addressee_unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    addressee_agency = models.ForeignKey("units.Agency", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    deadline = models.DateTimeField()
    deadline_basis = models.CharField(max_length=300, blank=True, help_text=_("Căn cứ thời hạn"))
    status = models.CharField(max_length=20, choices=[(s.value, label) for s, label in STATUS_LABELS.items()],
                              default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    published = models.BooleanField(default=False, help_text=_("Công khai kết quả theo dõi"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)
    last_event_at = models.DateTimeField(null=True, blank=True)

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        verbose_name = "kiến nghị"
        verbose_name_plural = "kiến nghị"
        ordering = ["deadline", "code"]
        indexes = [models.Index(fields=["source_type", "source_id"]), models.Index(fields=["addressee_unit", "status"]),
                   models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def state_at(self, at: dt.datetime) -> State:
        if self.status in OPEN_STATUSES and self.deadline < at:
            return State.OVERDUE
        return State(self.status)


class RecommendationEvent(LifecycleEvent):
    """One immutable line of a recommendation's history."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="events",
                                       db_index=False)
    action = models.CharField(max_length=20, choices=[(k.value, label) for k, label in EVENT_LABELS.items()])

    class Meta:
        ordering = ["recommendation", "seq"]
        constraints = [models.UniqueConstraint(fields=["recommendation", "seq"], name="recommendation_event_seq")]


class ResponseDocument(models.Model):
    """A document attached to a response (the event that carried it)."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="documents")
    event_seq = models.PositiveIntegerField()
    file = models.FileField(upload_to="followup/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recommendation", "event_seq", "pk"]

    def __str__(self) -> str:
        return self.original_name


class CodeSequence(models.Model):
    """The last number given per code prefix (``KN-2026``, ``KT-2026``, ``GS-2022``…), so that the
    oversight registers' codes are never reused (``motcua.followup.codes``)."""

    prefix = models.CharField(max_length=30, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}: {self.last}"
