"""Queue again what is pending too long, reclaim what a killed worker left, and with --failed give
the failed messages their attempts again. Safe to run at any time and as often as wanted."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.notifications.sweeper import sweep


class Command(BaseCommand):
    help = "Gửi lại thông báo còn chờ quá lâu, thu hồi tác vụ bị treo; --failed: gửi lại cả thông báo đã lỗi."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--failed", action="store_true", help="gửi lại cả các thông báo đã gửi lỗi hết số lần")

    def handle(self, *args: Any, **options: Any) -> None:
        done = sweep(failed=options["failed"])
        self.stdout.write(
            f"Đã xếp lại hàng đợi {done.requeued} thông báo chờ quá lâu, {done.reclaimed} thông báo đang gửi dở "
            f"(tiến trình gửi đã dừng), {done.tasks_reclaimed} tác vụ bị treo"
            + (f", {done.failed_requeued} thông báo đã lỗi." if options["failed"] else ".")
        )
