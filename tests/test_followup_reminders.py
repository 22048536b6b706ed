"""Reminders of recommendations go through the notification outbox, before and on the deadline,
once per version, to those who answer for them."""
from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import CommandError, call_command

from motcua.followup import services
from motcua.notifications.models import Notification
from motcua.units.models import StaffRole
from tests.factories import at, make_world

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _remind(now: str) -> str:
    out = io.StringIO()
    call_command("send_followup_reminders", "--now", now, stdout=out)
    return out.getvalue().strip()


def test_reminders_before_and_on_the_deadline(settings, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    settings.TASKS = IMMEDIATE
    w = make_world()
    leader = User.objects.create_user("lanhdao", email="lanhdao@xa-mot.gov.vn", password="mat-khau-dai-1234")
    StaffRole.objects.create(user=leader, role="leader", unit=w.commune)
    other = User.objects.create_user("khac", email="khac@xa-hai.gov.vn", password="mat-khau-dai-1234")
    StaffRole.objects.create(user=other, role="leader", unit=w.other_commune)
    rec = services.recommend(source=None, addressee_unit=w.commune, text="Công khai kết quả giải quyết",
                             deadline=at("2026-03-13 17:00"), at=at("2026-03-02 09:00"), issuer_name="Đoàn kiểm tra")
    assert _remind("2026-03-05T07:30") == "0 kiến nghị sắp đến hạn, 0 thư nhắc"  # 6 working days ahead
    with django_capture_on_commit_callbacks(execute=True):
        assert _remind("2026-03-10T17:00") == "1 kiến nghị sắp đến hạn, 1 thư nhắc"  # 3 working days ahead
    assert [m.to for m in mail.outbox] == [["lanhdao@xa-mot.gov.vn"]]
    assert rec.code in mail.outbox[0].subject and "17:00 ngày 13/03/2026" in mail.outbox[0].body
    assert _remind("2026-03-11T07:30") == "1 kiến nghị sắp đến hạn, 0 thư nhắc"  # already reminded
    assert _remind("2026-03-13T07:30") == "1 kiến nghị sắp đến hạn, 1 thư nhắc"  # the day itself
    assert list(Notification.objects.filter(recommendation=rec).values_list("kind", flat=True).order_by("pk")) == [
        "followup_before", "followup_due"]
    assert _remind("2026-03-13T17:01") == "0 kiến nghị sắp đến hạn, 0 thư nhắc"  # overdue: shown, not reminded
    services.perform(rec, "respond", role="leader", at=at("2026-03-12 09:00"), note="Đang làm")
    assert _remind("2026-03-13T08:00") == "1 kiến nghị sắp đến hạn, 1 thư nhắc"  # a new version is reminded again
    with pytest.raises(CommandError, match="--now: không hiểu thời điểm"):
        call_command("send_followup_reminders", "--now", "13/03/2026")
