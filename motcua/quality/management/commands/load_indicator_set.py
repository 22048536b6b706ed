"""Load (or reload) an indicator set from its data file: ``manage.py load_indicator_set [FILE]``
(default: the Decision 766 2022 set, ``motcua/quality/data/766-2022.json``)."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from motcua.quality.loader import SET_2022, IndicatorSetFileError, load_set, read_set
from motcua.quality.models import Indicator, IndicatorGroup, IndicatorSet


class Command(BaseCommand):
    help = "Nạp bộ chỉ số chất lượng phục vụ (766/QĐ-TTg) từ tệp dữ liệu JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", default=str(SET_2022), help="Tệp JSON của bộ chỉ số")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = read_set(options["file"])
            with transaction.atomic():
                iset = load_set(data, IndicatorSet, IndicatorGroup, Indicator)
        except IndicatorSetFileError as exc:
            raise CommandError(str(exc)) from None
        count = Indicator.objects.filter(group__indicator_set=iset).count()
        self.stdout.write(f"Bộ chỉ số {iset.code}: {iset.groups.count()} nhóm, {count} chỉ tiêu.")
