"""Reminders of recommendations, before and on their deadline, through the notification outbox.

``manage.py send_followup_reminders`` (daily, from cron) writes one outbox row per recipient: the
e-mail of each user who answers for the recommendation (``policy.acting_roles`` on the addressee
side: leaders, heads and PAR focal officers of the current addressee units). Two kinds:
``followup_before`` when the deadline is at most ``MOTCUA_FOLLOWUP_REMIND_DAYS`` working days ahead
(default 3), ``followup_due`` on the deadline's own day. Each goes once per recommendation version
(an extended deadline is reminded again); delivery is the outbox's queued task with its retries.
Overdue needs no job: it is computed when read.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.followup import policy
from motcua.followup.lifecycle import ADDRESSEE_ROLES
from motcua.followup.models import OPEN_STATUSES, Recommendation
from motcua.notifications.models import Notification
from motcua.units.calendars import calendar_for_unit
from motcua.units.models import StaffRole
from motcua.workdays import MINUTES_PER_WORKING_DAY, TZ


@dataclass
class Sent:
    recommendations: int = 0
    messages: int = 0


def _kind(rec: Recommendation, now: dt.datetime, days: int) -> str | None:
    if rec.deadline < now:
        return None  # overdue: shown as such everywhere, not reminded
    if rec.deadline.astimezone(TZ).date() == now.astimezone(TZ).date():
        return "followup_due"
    calendar = calendar_for_unit(rec.addressee_unit)
    if calendar.working_time_between(now, rec.deadline) <= days * MINUTES_PER_WORKING_DAY:
        return "followup_before"
    return None


def recipients(rec: Recommendation) -> list[str]:
    units = {u.pk for u in policy.current_addressees(rec.addressee_unit)}
    roles = StaffRole.objects.filter(role__in=ADDRESSEE_ROLES).select_related("user", "agency")
    emails = set()
    for sr in roles:
        unit_id = sr.unit_id if sr.unit_id is not None else sr.agency.unit_id
        if unit_id in units and sr.user.is_active and sr.user.email:
            if rec.addressee_agency_id and sr.agency_id and sr.agency_id != rec.addressee_agency_id:
                continue
            emails.add(sr.user.email)
    return sorted(emails)


def send(now: dt.datetime | None = None, days: int | None = None, dry_run: bool = False) -> Sent:
    now = now or timezone.now()
    days = days if days is not None else int(getattr(settings, "MOTCUA_FOLLOWUP_REMIND_DAYS", 3))
    sent = Sent()
    horizon = now + dt.timedelta(days=days * 3 + 10)  # wide enough for any run of holidays; exact test below
    candidates = (Recommendation.objects.filter(status__in=OPEN_STATUSES, deadline__gte=now, deadline__lte=horizon)
                  .select_related("addressee_unit").order_by("deadline", "pk"))
    from motcua.notifications.tasks import queue_new

    for rec in candidates:
        kind = _kind(rec, now, days)
        if kind is None:
            continue
        sent.recommendations += 1
        local = rec.deadline.astimezone(TZ)
        subject = f"[Một cửa] Kiến nghị {rec.code} đến hạn {local:%H:%M %d/%m/%Y}"
        body = (f"Kiến nghị {rec.code} ({rec.issuer_name or rec.source_label}): {rec.title}\n"
                f"Thời hạn thực hiện: {local:%H:%M ngày %d/%m/%Y}. Đề nghị báo cáo kết quả thực hiện trên hệ thống.")
        for email in recipients(rec):
            if dry_run:
                sent.messages += 1
                continue
            try:
                with transaction.atomic():
                    note = Notification.objects.create(recommendation=rec, event_seq=rec.version, kind=kind,
                                                       channel=Notification.Channel.EMAIL, recipient=email,
                                                       subject=subject, body=body)
                    queue_new([note])
            except IntegrityError:
                continue  # already reminded of this version
            sent.messages += 1
    return sent
