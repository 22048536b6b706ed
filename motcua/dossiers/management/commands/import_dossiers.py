"""``python manage.py import_dossiers FILE.csv [--dry-run] [--errors ERRORS.csv]`` (docs/architecture.md).

Imports legacy dossiers whole or not at all. Every bad row is named on stderr, one line per row
(``dòng 7, cột received_at: không phải thời điểm ISO 8601: '2021-13-01'``), and with ``--errors`` in a
CSV file (row, column, reason: one record per problem); then the command exits 1. On success it
prints ``đã nhập N hồ sơ (bỏ qua M hồ sơ đã có), tạo K thủ tục tạm``.
"""
from __future__ import annotations

import csv
import logging
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils.translation import gettext as _
from tqdm import tqdm

from motcua.dossiers.legacy import ImportFileError, import_dossiers


def count_lines(path: Path) -> int:
    """Lines in the file less the header: the progress bar's total (quoted newlines make it approximate)."""
    lines = 0
    with path.open("rb") as raw:
        while chunk := raw.read(1 << 20):
            lines += chunk.count(b"\n")
    return max(lines - 1, 0)


logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Nhập hồ sơ từ hệ thống cũ (CSV UTF-8): nhập toàn bộ hoặc không nhập gì."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Tệp CSV UTF-8 có dòng tiêu đề")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi gì")
        parser.add_argument("--errors", metavar="ERRORS.csv", help="Ghi các dòng lỗi vào tệp CSV này")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        dry_run: bool = options["dry_run"]
        with ExitStack() as stack:
            try:
                stream = stack.enter_context(path.open(encoding="utf-8-sig", newline=""))
            except FileNotFoundError:
                raise CommandError(_("%(path)s: không có tệp này") % {"path": path}) from None
            except OSError as exc:
                raise CommandError(f"{path}: {exc.strerror or exc}") from None
            errors = None
            if options["errors"]:
                try:
                    errors = csv.writer(stack.enter_context(open(options["errors"], "w", encoding="utf-8",
                                                                 newline="")))
                except OSError as exc:
                    raise CommandError(f"--errors {options['errors']}: {exc.strerror or exc}") from None
                errors.writerow(["row", "column", "reason"])
            bar, lines = None, count_lines(path)
            if sys.stderr.isatty():
                bar = stack.enter_context(tqdm(total=lines, unit=" dòng", file=sys.stderr,
                                               desc="import_dossiers", smoothing=0.1))

            def report(row: int, problems: list[tuple[str, str]]) -> None:
                parts = [_("cột %(column)s: %(reason)s") % {"column": column, "reason": reason} if column else reason
                         for column, reason in problems]
                line = _("dòng %(row)d") % {"row": row} + (", " if problems[0][0] else ": ") + "; ".join(parts)
                if bar is not None:
                    bar.write(line, file=sys.stderr)
                else:
                    self.stderr.write(line)
                if errors is not None:
                    errors.writerows([row, column, reason] for column, reason in problems)

            try:
                summary = import_dossiers(stream, dry_run=dry_run, report=report, expected_rows=lines,
                                          progress=bar.update if bar is not None else None,
                                          stage=bar.set_description_str if bar is not None else None)
            except ImportFileError as exc:
                if errors is not None:
                    errors.writerow(["", "", str(exc)])
                raise CommandError(f"{path}: {exc}") from None
            except DatabaseError as exc:
                logger.debug("import_dossiers: database error", exc_info=True)
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                raise CommandError(_("%(path)s: lỗi cơ sở dữ liệu (%(error)s); không nhập gì, chạy lại khi "
                                     "CSDL hoạt động") % {"path": path, "error": first[:300]}) from None
            except (MemoryError, OSError) as exc:
                logger.debug("import_dossiers: system error", exc_info=True)
                raise CommandError(f"{path}: {type(exc).__name__}: {str(exc)[:300]}; "
                                   + _("không nhập gì")) from None
        if summary.bad_rows:
            raise CommandError(_("%(n)d dòng lỗi; không nhập gì") % {"n": summary.bad_rows})
        if dry_run:
            self.stdout.write(_(
                "chạy thử: sẽ nhập %(n)d hồ sơ (bỏ qua %(m)d hồ sơ đã có), sẽ tạo %(k)d thủ tục tạm; "
                "không ghi gì"
            ) % {"n": summary.imported, "m": summary.skipped, "k": summary.stubs})
        else:
            self.stdout.write(_(
                "đã nhập %(n)d hồ sơ (bỏ qua %(m)d hồ sơ đã có), tạo %(k)d thủ tục tạm"
            ) % {"n": summary.imported, "m": summary.skipped, "k": summary.stubs})
