"""manage.py backup --to DIR: a consistent snapshot of the database, the uploaded documents and a
manifest, in DIR/motcua-<UTC time>/ (safe while the counters work)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.ops.backup import BackupError, make_backup


class Command(BaseCommand):
    help = "Sao lưu CSDL (một ảnh chụp nhất quán) và tệp đính kèm vào DIR/motcua-<thời điểm>/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", required=True, help="thư mục chứa các bản sao lưu")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            done = make_backup(Path(options["to"]))
        except (BackupError, OSError) as exc:
            raise CommandError(f"backup: {exc}") from exc
        c = done.manifest["counts"]
        self.stdout.write(f"đã sao lưu vào {done.path}: {c['dossiers']} hồ sơ, {c['events']} sự kiện, "
                          f"{c['documents']} tài liệu")
