"""``python manage.py duedate`` — the clock from the shell (docs/architecture.md, "duedate").

    python manage.py duedate --received 2026-02-13T16:10 --duration 5d [--cutoff 15:00] [--unit CODE] [--explain]

Prints one line, the due instant (``2026-02-27T16:10:00+07:00``); ``--explain`` adds lines after it.
"""
from __future__ import annotations

import datetime as dt
import sys
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils.translation import gettext as _

from motcua.units.calendars import calendar_for_unit
from motcua.units.models import AdministrativeUnit
from motcua.workdays import Calendar, parse_duration, parse_time_of_day, to_local
from motcua.workdays.announcements import announcement_basis
from motcua.workdays.parsing import format_sessions


def parse_received(text: str) -> dt.datetime:
    """ISO 8601; no offset means Asia/Ho_Chi_Minh."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            _("--received: không đọc được thời điểm %(text)r (ISO 8601, ví dụ 2026-02-13T16:10)") % {"text": text}
        ) from None
    return to_local(value)


class Command(BaseCommand):
    help = "Tính thời hạn giải quyết (thời điểm hẹn trả) theo thời gian làm việc."
    # A clock question needs no URL or admin checks; unrelated breakage elsewhere must not stop it.
    requires_system_checks: list[str] = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        """Argument errors (missing --received...) as one line on stderr, like every other bad input."""
        parser = super().create_parser(prog_name, subcommand, **kwargs)

        def error(message: str) -> NoReturn:
            if parser.called_from_command_line:
                sys.stderr.write(f"CommandError: {message}\n")
                sys.exit(2)
            raise CommandError(message)

        parser.error = error  # type: ignore[method-assign]
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--received", required=True, help="Thời điểm tiếp nhận, ISO 8601 (mặc định +07:00)")
        parser.add_argument("--duration", required=True, help="Thời hạn: Nd (ngày làm việc) hoặc Nh (giờ); 0.5d")
        parser.add_argument("--cutoff", help="Giờ chốt HH:MM: nhận sau giờ này tính từ đầu ngày làm việc kế tiếp")
        parser.add_argument("--unit", help="Mã đơn vị hành chính (lịch và giờ làm việc của đơn vị)")
        parser.add_argument("--explain", action="store_true", help="In thêm diễn giải sau dòng kết quả")

    def handle(self, *args: Any, **options: Any) -> None:
        received = parse_received(options["received"])
        try:
            minutes = parse_duration(options["duration"])
        except ValueError:
            raise CommandError(
                _("--duration: thời hạn %(text)r không hợp lệ: "
                  "dùng số ngày hoặc giờ làm việc nguyên, ví dụ 5d, 4h, 0.5d")
                % {"text": options["duration"]}
            ) from None
        cutoff = options.get("cutoff")
        if cutoff is not None:
            try:
                parse_time_of_day(cutoff)
            except ValueError:
                raise CommandError(_("--cutoff: giờ chốt %(text)r không hợp lệ (HH:MM)") % {"text": cutoff}) from None
        try:
            unit = self._unit(options.get("unit"), received.date())
            calendar = calendar_for_unit(unit)
        except DatabaseError as error:
            raise CommandError(
                _("không đọc được lịch làm việc từ cơ sở dữ liệu (đã chạy migrate chưa?): %(error)s")
                % {"error": str(error).splitlines()[0] if str(error) else type(error).__name__}
            ) from None
        try:
            start = calendar.start_of_clock(received, cutoff)
            due = calendar.add_working_time(start, minutes)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(due.isoformat())
        if options["explain"]:
            self._explain(calendar, unit, received, cutoff, start, due, minutes)

    @staticmethod
    def _unit(code: str | None, on: dt.date) -> AdministrativeUnit | None:
        if not code:
            return None
        unit = AdministrativeUnit.objects.valid_on(on).filter(code=code.strip()).select_related("parent").first()
        if unit is None:
            raise CommandError(
                _("--unit: không có đơn vị hành chính mã %(code)r có hiệu lực ngày %(day)s")
                % {"code": code, "day": on.isoformat()}
            )
        return unit

    def _explain(
        self,
        calendar: Calendar,
        unit: AdministrativeUnit | None,
        received: dt.datetime,
        cutoff: str | None,
        start: dt.datetime,
        due: dt.datetime,
        minutes: int,
    ) -> None:
        write = self.stdout.write
        where = unit if unit is not None else "lịch quốc gia"
        write(f"Đơn vị: {where}; giờ làm việc {format_sessions(calendar.sessions)}")
        write(f"Tiếp nhận: {received.isoformat()}" + (f" (giờ chốt {cutoff})" if cutoff else ""))
        if start == received:
            write(f"Bắt đầu tính: {start.isoformat()} (trong giờ làm việc)")
        else:
            moved = "nhận sau giờ chốt" if cutoff and received.hour * 60 + received.minute > parse_time_of_day(cutoff) \
                else "ngoài giờ làm việc"
            write(f"Bắt đầu tính: {start.isoformat()} ({moved})")
        write(f"Thời hạn: {minutes} phút làm việc ({minutes / 480:g} ngày làm việc)")
        day = received.date()
        while day <= due.date():
            working, reason = calendar.day_status(day)
            if not working:
                basis = announcement_basis(day)
                write(f"Bỏ qua {day.isoformat()}: {reason}" + (f" (căn cứ: {basis})" if basis else ""))
            elif day.weekday() >= 5:
                write(f"Làm việc {day.isoformat()}: {reason}")
            day += dt.timedelta(days=1)
        write(f"Hẹn trả: {due.isoformat()}")
