"""``python manage.py oversight_figures --unit CODE --from YYYY-MM-DD --to YYYY-MM-DD``

One JSON object with the figures an inspector or a council quotes for a unit and the units under it
over the period: inspections and coverage, PAR plan tasks, recommendations, internal procedures
simplified, the PAR index and its rank (docs/architecture.md, "Commands"). Each oversight app gives
its own keys (its ``figures.figures``); an unknown unit or a bad date is one line on stderr, exit 1.
"""
from __future__ import annotations

import datetime as dt
import importlib
import json
import sys
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.units import scoping

# The apps whose ``figures`` module contributes keys, in the order of the output.
SOURCES = ("motcua.inspections", "motcua.parplans", "motcua.followup", "motcua.parindex", "motcua.supervision")
# The keys promised whatever the data (the interface); an app may add more.
PROMISED = ("inspections_done", "targets_planned", "targets_inspected", "coverage", "plan_tasks_total",
            "plan_tasks_done", "recommendations_total", "recommendations_done", "recommendations_overdue",
            "internal_procedures_planned", "internal_procedures_simplified", "par_index", "par_rank", "par_peers")


def _date(option: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"{option}: không đọc được ngày {text!r} (dạng YYYY-MM-DD, ví dụ 2024-04-30)") from None


def collect(unit_ids: set[int] | None, start: dt.date, end: dt.date) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in SOURCES:
        try:
            module = importlib.import_module(f"{name}.figures")
        except ModuleNotFoundError:
            continue
        out.update(module.figures(unit_ids, start, end))
    return {**dict.fromkeys(PROMISED), **out}  # a key no app gives is null


class Command(BaseCommand):
    help = "In các số liệu giám sát, kiểm tra, cải cách hành chính của một đơn vị trong một kỳ (JSON)."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)

        def error(message: str) -> NoReturn:
            if parser.called_from_command_line:
                sys.stderr.write(f"CommandError: {message}\n")
                sys.exit(2)
            raise CommandError(message)

        parser.error = error  # type: ignore[method-assign]
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="Mã đơn vị hành chính (đơn vị và các đơn vị trực thuộc)")
        parser.add_argument("--from", dest="start", required=True, help="Từ ngày (YYYY-MM-DD)")
        parser.add_argument("--to", dest="end", required=True, help="Đến ngày (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = _date("--from", options["start"]), _date("--to", options["end"])
        if end < start:
            raise CommandError(f"--to ({end}) trước --from ({start})")
        unit = scoping.resolve_code(options["unit"].strip(), end)
        if unit is None:
            raise CommandError(f"--unit: không có đơn vị hành chính mã {options['unit']!r}")
        figures = collect(scoping.descendant_unit_ids(unit), start, end)
        self.stdout.write(json.dumps({"unit": unit.code, "unit_name": unit.name, "from": start.isoformat(),
                                      "to": end.isoformat(), **figures}, ensure_ascii=False))
