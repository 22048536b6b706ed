"""Recount the report rollups from the dossiers' events and compare them with what is stored."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from motcua.reports import rollups


class Command(BaseCommand):
    help = "Đếm lại mọi bảng số liệu tổng hợp (ngày, tháng, theo đơn vị) từ hồ sơ; thoát mã 1 khi không khớp."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="thay số liệu tổng hợp bằng số đếm lại")

    def handle(self, *args: object, **options: object) -> None:
        expected = rollups.recount()
        if options["rebuild"]:
            with transaction.atomic():
                for model, *_rest in rollups.TABLES.values():
                    model.objects.all().delete()
                expected.write()
            sizes = ", ".join(f"{len(rows)} {name}" for name, rows in rollups.normalised(expected).items())
            self.stdout.write(f"đã dựng lại (số dòng: {sizes})")
            return
        have = rollups.stored()
        bad = rollups.disagreements(expected, have)
        if any(bad.values()):
            want, got = rollups.normalised(expected), rollups.normalised(have)
            for name, keys in bad.items():
                for key in keys[:10]:
                    self.stderr.write(f"{name} {key}: đếm lại {want[name].get(key)}, đang lưu {got[name].get(key)}")
            summary = ", ".join(f"{len(keys)} {name}" for name, keys in bad.items())
            raise CommandError(f"verify_counters: số liệu không khớp ({summary}); chạy với --rebuild để đếm lại")
        sizes = ", ".join(f"{len(rows)} {name}" for name, rows in rollups.normalised(have).items())
        self.stdout.write(f"số liệu khớp (số dòng: {sizes})")
