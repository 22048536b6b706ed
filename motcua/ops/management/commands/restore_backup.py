"""manage.py restore_backup DIR --database-url URL --media-root DIR: a backup restored into an empty
database and media directory, checked against its manifest. Then, with DATABASE_URL=URL,
`manage.py verify_counters` recounts the report figures."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = "Khôi phục một bản sao lưu vào CSDL trống và thư mục tệp trống, kiểm tra theo manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="thư mục của bản sao lưu (motcua-<thời điểm>)")
        parser.add_argument("--database-url", required=True, help="CSDL đích, trống (postgres://… hoặc sqlite:///…)")
        parser.add_argument("--media-root", required=True, help="thư mục tệp đích, trống")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            done = restore(Path(options["path"]), options["database_url"], Path(options["media_root"]))
        except (BackupError, OSError) as exc:
            raise CommandError(f"restore_backup: {exc}") from exc
        c = done["counts"]
        self.stdout.write(f"đã khôi phục bản sao lưu {done['created_at']}: {c['dossiers']} hồ sơ, "
                          f"{c['events']} sự kiện, {c['documents']} tài liệu; chạy verify_counters với "
                          "DATABASE_URL mới để đếm lại số liệu")
