"""``manage.py send_followup_reminders [--now 2026-03-05T07:30] [--days 3] [--dry-run]``: remind the
addressees of recommendations whose deadline is near or today (``motcua.followup.reminders``). Run
daily from cron; running it twice sends nothing twice."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.followup import reminders
from motcua.workdays import TZ


def _parse_now(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--now: không hiểu thời điểm {text!r} (dạng 2026-03-05T07:30)") from None
    return value.replace(tzinfo=TZ) if value.tzinfo is None else value


class Command(BaseCommand):
    help = "Nhắc hạn thực hiện kiến nghị (trước hạn và đúng ngày hết hạn) qua thư điện tử."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="Thời điểm coi là hiện tại (mặc định: bây giờ)")
        parser.add_argument("--days", type=int, help="Nhắc trước bao nhiêu ngày làm việc (mặc định 3)")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ đếm, không gửi")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options.get("days")
        if days is not None and days < 0:
            raise CommandError(f"--days: phải từ 0 trở lên, nhận {days}")
        sent = reminders.send(_parse_now(options.get("now")), days, dry_run=options["dry_run"])
        self.stdout.write(f"{sent.recommendations} kiến nghị sắp đến hạn, {sent.messages} thư nhắc"
                          + (" (chạy thử, chưa gửi)" if options["dry_run"] else ""))
