"""``manage.py import_parplans FILE [--procedures]``: a PAR plan with its tasks (or, with ``--procedures``,
a unit's internal procedures) from a YAML file (format: ``motcua/parplans/loader.py``). Every bad entry is
printed on stderr and nothing is written (exit 1)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.parplans import loader


class Command(BaseCommand):
    help = "Nhập kế hoạch CCHC (kèm nhiệm vụ) hoặc danh mục thủ tục nội bộ từ tệp YAML."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--procedures", action="store_true", help="tệp là danh mục thủ tục nội bộ")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"không đọc được {path}: {exc}") from None
        try:
            if options["procedures"]:
                made = loader.load_internal_procedures(text)
                self.stdout.write(f"đã nhập {len(made)} thủ tục nội bộ")
            else:
                plan = loader.load_plan(text)
                self.stdout.write(f"đã nhập kế hoạch {plan.pk}: {plan} với {plan.tasks.count()} nhiệm vụ")
        except loader.FileRefused as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(f"tệp bị từ chối: {len(exc.problems)} lỗi, không ghi gì") from None
