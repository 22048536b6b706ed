"""``python manage.py recompute_due --date 2026-11-24 [--date …] [--unit CODE] [--reason TEXT]``

Replays the due instants of the open dossiers whose clock runs over the dates given, on the calendar
as it now is (docs/domain.md §6). Saving a calendar override in the admin does this by itself; the
command is for a change the database did not see (an announcement that came with a new release) or
to finish a queued recompute by hand. Each dossier whose due instants move gets a ``recompute_due``
event with the reason.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.dossiers import recalendar
from motcua.units.models import AdministrativeUnit
from motcua.workdays.announcements import ANNOUNCEMENTS


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"--date: không đọc được ngày {text!r} (dạng YYYY-MM-DD, ví dụ 2026-11-24)") from None


def _default_reason(days: list[dt.date]) -> str:
    parts = []
    for day in days:
        known = next((a for a in ANNOUNCEMENTS if a[0] == day), None)
        detail = f" ({known[2]}; căn cứ: {known[3]})" if known else ""
        parts.append(f"{day:%d/%m/%Y}{detail}")
    return "Lịch làm việc thay đổi: ngày " + ", ".join(parts) + "."


class Command(BaseCommand):
    help = "Tính lại thời hạn của hồ sơ đang giải quyết sau khi lịch làm việc thay đổi."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", action="append", required=True,
                            help="Ngày đã thay đổi (YYYY-MM-DD), lặp lại được")
        parser.add_argument("--unit", help="Mã đơn vị hành chính (đơn vị và các đơn vị trực thuộc); bỏ trống: cả nước")
        parser.add_argument("--reason", help="Lý do và căn cứ ghi vào lịch sử hồ sơ")

    def handle(self, *args: Any, **options: Any) -> None:
        days = sorted({_day(text) for text in options["date"]})
        unit_id = None
        if options.get("unit"):
            unit = AdministrativeUnit.objects.current().filter(code=options["unit"].strip()).first()
            if unit is None:
                raise CommandError(f"--unit: không có đơn vị hành chính đang hiệu lực mã {options['unit']!r}")
            unit_id = unit.pk
        reason = (options.get("reason") or "").strip() or _default_reason(days)
        step = 0

        def progress(done: int, total: int) -> None:
            nonlocal step
            if done == total or done - step >= 500:
                step = done
                self.stderr.write(f"đã xét {done}/{total} hồ sơ")

        outcome = recalendar.recompute(days, unit_id, reason, progress=progress)
        self.stdout.write(
            f"đã xét {outcome.examined} hồ sơ đang giải quyết, tính lại thời hạn {outcome.changed} hồ sơ"
            + (f"; {outcome.imported} hồ sơ nhập từ hệ thống cũ giữ thời hạn cũ" if outcome.imported else "")
        )
