"""People's Council supervision (Law 87/2015/QH13): a yearly programme, the delegations a committee
sets up, their working sessions with the bodies supervised, their reports, and — through the
follow-up register — the recommendations. The legal deadlines are computed (``deadlines.py``)."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from motcua.statemachine.events import LifecycleEvent
from motcua.supervision.lifecycle import EVENT_LABELS, STATUS_LABELS, Status


class Programme(models.Model):
    council_unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="+",
                                     help_text=_("Hội đồng nhân dân của đơn vị"))
    year = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    resolution_number = models.CharField(max_length=60, blank=True, help_text=_("Số nghị quyết thông qua chương trình"))
    resolution_date = models.DateField(null=True, blank=True, help_text=_("Ngày nghị quyết"))
    adopted_on = models.DateField(null=True, blank=True, help_text=_("Ngày HĐND thông qua chương trình"))
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "chương trình giám sát"
        verbose_name_plural = "chương trình giám sát"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"

    @property
    def proposals_deadline(self) -> dt.date:
        """Proposals reach the Standing Committee by 1 March of the year before (art. 58)."""
        return dt.date(self.year - 1, 3, 1)


class Delegation(models.Model):
    code = models.CharField(max_length=30, unique=True)
    programme = models.ForeignKey(Programme, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="delegations")
    council_unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    committee = models.CharField(max_length=300, help_text=_("Ví dụ: Ban Pháp chế HĐND tỉnh"))
    number = models.CharField(max_length=20, blank=True, help_text=_("Số hiệu đoàn"))
    decision_number = models.CharField(max_length=60)
    decision_date = models.DateField()
    topic = models.CharField(max_length=500)
    scope = models.TextField(blank=True)
    subject = models.TextField(blank=True, help_text=_("Đối tượng giám sát"))
    period_from = models.DateField(help_text=_("Thời kỳ giám sát: từ ngày"))
    period_to = models.DateField(help_text=_("Thời kỳ giám sát: đến ngày"))
    starts_on = models.DateField()
    ends_on = models.DateField()
    units = models.ManyToManyField("units.AdministrativeUnit", blank=True, related_name="+",
                                   help_text=_("Đơn vị chịu sự giám sát"))
    agencies = models.ManyToManyField("units.Agency", blank=True, related_name="+")
    plan_sent_on = models.DateField(null=True, blank=True,
                                    help_text=_("Ngày gửi nội dung, kế hoạch, đề cương báo cáo cho đối tượng"))
    reported_on = models.DateField(null=True, blank=True, help_text=_("Ngày báo cáo kết quả với Ban"))
    status = models.CharField(max_length=15, choices=[(s.value, label) for s, label in STATUS_LABELS.items()],
                              default=Status.PLANNED)
    conclusion = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True,
                                        help_text=_("Công khai quyết định, kế hoạch giám sát (Điều 89)"))
    conclusion_published_at = models.DateTimeField(null=True, blank=True, help_text=_("Công khai kết luận"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    version = models.PositiveIntegerField(default=1)
    last_event_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "đoàn giám sát"
        verbose_name_plural = "đoàn giám sát"
        ordering = ["-decision_date", "code"]

    def __str__(self) -> str:
        return f"Đoàn giám sát {self.number or self.code} – {self.committee}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:delegation", args=[self.code])


class Member(models.Model):
    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(max_length=200)
    position = models.CharField(max_length=300, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", help_text=_("Tài khoản của thành viên (nếu có)"))

    class Meta:
        ordering = ["delegation", "pk"]

    def __str__(self) -> str:
        return self.name


class Session(models.Model):
    """A working session of the delegation with one body supervised."""

    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField()
    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("units.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    programme_sent_on = models.DateField(null=True, blank=True,
                                         help_text=_("Ngày gửi chương trình, thành phần đoàn cho đối tượng"))
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["delegation", "date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} · {self.agency.name if self.agency_id else self.unit.name}"


class Report(models.Model):
    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="reports")
    date = models.DateField()
    findings = models.TextField()
    sent_at = models.DateTimeField(null=True, blank=True, help_text=_("Thời điểm gửi báo cáo đến Ban"))
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["delegation", "date"]

    def __str__(self) -> str:
        return f"Báo cáo {self.delegation.number or self.delegation.code} ngày {self.date:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return self.delegation.get_absolute_url()


class DelegationEvent(LifecycleEvent):
    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="events", db_index=False)
    action = models.CharField(max_length=15, choices=list(EVENT_LABELS.items()))

    class Meta:
        ordering = ["delegation", "seq"]
        constraints = [models.UniqueConstraint(fields=["delegation", "seq"], name="delegation_event_seq")]
