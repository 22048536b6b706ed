"""``python manage.py load_index_set FILE [--dry-run]``: load a PAR criteria set from YAML. A file with
any problem is refused whole: every bad line is printed on stderr and nothing is written."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.parindex.loader import SetError, load_file


class Command(BaseCommand):
    help = "Nạp bộ chỉ số cải cách hành chính từ tệp YAML (kiểm tra toàn bộ trước khi ghi)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Tệp YAML của bộ chỉ số")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            index_set = load_file(Path(options["file"]), dry_run=options["dry_run"])
        except SetError as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(f"tệp bị từ chối: {len(exc.problems)} lỗi, không ghi gì") from None
        if index_set is None:
            self.stdout.write("tệp hợp lệ (chạy thử, chưa ghi)")
        else:
            self.stdout.write(f"đã nạp bộ chỉ số {index_set.code}: {index_set.subcriteria.count()} tiêu chí thành "
                              f"phần, tối đa {index_set.max_points} điểm")
