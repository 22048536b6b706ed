"""`python manage.py report` — report form 06 from the shell (docs/architecture.md, "report")."""
from __future__ import annotations

import datetime as dt
import json
import re
import sys
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from motcua.reports.exports import to_csv, to_xlsx
from motcua.reports.form06 import BY_CHOICES, ReportError, compute_form06

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FORMATS = ("json", "csv", "xlsx")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(value: str, option: str) -> dt.date:
    try:
        if not _DATE.match(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        message = _("%(opt)s: ngày không hợp lệ %(v)r (dạng YYYY-MM-DD).") % {"opt": option, "v": value}
        raise CommandError(message) from None


def parse_instant(value: str) -> dt.datetime:
    """ISO 8601; without an offset the time is Asia/Ho_Chi_Minh; a bare date means the end of that day."""
    try:
        if _DATE.match(value):
            day = dt.date.fromisoformat(value)
            return dt.datetime.combine(day, dt.time.max, tzinfo=TZ)
        if not re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", value):
            raise ValueError(value)
        instant = dt.datetime.fromisoformat(value)
    except ValueError:
        message = _("--as-of: thời điểm không hợp lệ %r (ISO 8601, ví dụ 2021-09-15T17:00).") % value
        raise CommandError(message) from None
    return instant.replace(tzinfo=TZ) if instant.tzinfo is None else instant


class Command(BaseCommand):
    help = _("Báo cáo mẫu 06: tình hình, kết quả giải quyết thủ tục hành chính của một đơn vị trong một kỳ.")

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        if parser.called_from_command_line:
            # One line on stderr for a bad command line, not argparse's usage block.
            def error(message: str) -> NoReturn:
                sys.stderr.write(f"report: {message}\n")
                sys.exit(2)

            parser.error = error  # type: ignore[method-assign]
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help=_("Mã đơn vị hành chính"))
        parser.add_argument("--from", dest="date_from", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, help="YYYY-MM-DD")
        parser.add_argument("--as-of", dest="as_of", help=_("Thời điểm lấy số liệu; mặc định cuối ngày --to"))
        parser.add_argument("--by", help="|".join(BY_CHOICES))
        parser.add_argument("--format", dest="fmt", default="json", help="|".join(FORMATS))
        parser.add_argument("--output", help=_("Ghi ra tệp thay vì màn hình"))
        parser.add_argument("--units", default="as_was", help=_(
            "as_was: đơn vị như khi tiếp nhận (mặc định); today: dồn số liệu về đơn vị hành chính hiện nay"))
        parser.add_argument("--source", default="auto", help=_(
            "auto (mặc định): đọc số liệu tổng hợp khi lấy số cuối ngày --to; dossiers / rollups"))

    def handle(self, *args: Any, **options: Any) -> None:
        date_from = parse_date(options["date_from"], "--from")
        date_to = parse_date(options["date_to"], "--to")
        as_of = parse_instant(options["as_of"]) if options["as_of"] else None
        by, fmt = options["by"], options["fmt"]
        if by is not None and by not in BY_CHOICES:
            raise CommandError(_("--by phải là một trong: %s.") % ", ".join(BY_CHOICES))
        if fmt not in FORMATS:
            raise CommandError(_("--format phải là một trong: %s.") % ", ".join(FORMATS))
        try:
            report = compute_form06(options["unit"], date_from, date_to, as_of=as_of, by=by,
                                    units=options["units"], source=options["source"])
        except ReportError as exc:
            raise CommandError(str(exc)) from None
        if fmt == "xlsx":
            self._write_bytes(to_xlsx(report), options["output"])
            return
        text = json.dumps(report, ensure_ascii=False) + "\n" if fmt == "json" else to_csv(report)
        if options["output"]:
            try:
                with open(options["output"], "w", encoding="utf-8", newline="") as fh:
                    fh.write(text)
            except OSError as exc:
                raise CommandError(_("--output: không ghi được tệp %(f)s: %(e)s") % {
                    "f": options["output"], "e": exc.strerror}) from None
        else:
            self.stdout.write(text, ending="")

    def _write_bytes(self, data: bytes, output: str | None) -> None:
        if output:
            try:
                with open(output, "wb") as fh:
                    fh.write(data)
            except OSError as exc:
                raise CommandError(_("--output: không ghi được tệp %(f)s: %(e)s") % {
                    "f": output, "e": exc.strerror}) from None
            return
        target = getattr(self.stdout, "_out", None)
        buffer = getattr(target, "buffer", None)
        if buffer is None:
            raise CommandError(_("--format xlsx cần --output FILE."))
        target.flush()
        buffer.write(data)
        buffer.flush()
