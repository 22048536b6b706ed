"""``python manage.py load_catalog``: load the demo catalogue of real procedures (idempotent)."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from motcua.catalog.loader import CatalogError
from motcua.demo.world import load_demo_catalog


class Command(BaseCommand):
    help = "Nạp danh mục thủ tục hành chính mẫu (chạy lại nhiều lần không tạo trùng)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_demo_catalog()
        except CatalogError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Danh mục: {result.fields} lĩnh vực, {result.created} thủ tục mới, {result.updated} thủ tục cập nhật."
        )
