"""The 766 service-quality index, peer rankings, the drill-down and step timing from the shell, as JSON.

    manage.py quality_index --unit 99001 --from 2026-01-01 --to 2026-03-31
    manage.py quality_index --unit 99 --from 2026-01-01 --to 2026-12-31 --rank [--metric index] [--min-dossiers 30]
    manage.py quality_index --unit 99001 --from 2026-03-01 --to 2026-03-31 --drill 2.1
    manage.py quality_index --unit 99001 --from 2026-03-01 --to 2026-03-31 --timing 1.001193
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.quality.compute import QualityError, compute_index, dossiers_costing_points
from motcua.quality.rankings import METRICS, rank_units
from motcua.quality.timing import step_timing
from motcua.workdays import TZ


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"ngày không hợp lệ: {text!r} (dạng 2026-03-31)") from None


class Command(BaseCommand):
    help = "Chỉ số chất lượng phục vụ (766/QĐ-TTg), xếp hạng đơn vị, hồ sơ bị trừ điểm, thời gian từng bước (JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="Mã đơn vị hành chính")
        parser.add_argument("--from", dest="date_from", required=True, help="Từ ngày (YYYY-MM-DD)")
        parser.add_argument("--to", dest="date_to", required=True, help="Đến ngày (YYYY-MM-DD)")
        what = parser.add_mutually_exclusive_group()
        what.add_argument("--rank", action="store_true", help="Xếp hạng các đơn vị trực thuộc")
        what.add_argument("--drill", metavar="CHỈ_TIÊU", help="Liệt kê hồ sơ làm mất điểm của chỉ tiêu, ví dụ 2.1")
        what.add_argument("--timing", metavar="MÃ_THỦ_TỤC", help="Thời gian xử lý từng bước của một thủ tục")
        parser.add_argument("--metric", default="on_time_rate", choices=METRICS)
        parser.add_argument("--min-dossiers", type=int, default=30)

    def handle(self, *args: Any, **o: Any) -> None:
        date_from, date_to = _date(o["date_from"]), _date(o["date_to"])
        try:
            if o["rank"]:
                out: Any = rank_units(o["unit"], date_from, date_to, o["metric"], o["min_dossiers"])
            elif o["drill"]:
                qs = dossiers_costing_points(o["unit"], date_from, date_to, o["drill"])
                out = [{"code": d.code, "procedure": d.procedure.code, "unit": d.unit.code, "status": d.status,
                        "received_at": d.received_at.astimezone(TZ).isoformat() if d.received_at else None,
                        "due_at": d.due_at.astimezone(TZ).isoformat() if d.due_at else None,
                        "finished_at": d.finished_at.astimezone(TZ).isoformat() if d.finished_at else None}
                       for d in qs]
            elif o["timing"]:
                out = step_timing(o["timing"], date_from, date_to, unit_code=o["unit"])
            else:
                out = compute_index(o["unit"], date_from, date_to)
        except QualityError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2, default=str))
