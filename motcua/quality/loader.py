"""Indicator sets as data files (JSON): one file is one version of the 766 index (``data/766-2022.json``
is the Decision's 2022 set), loaded by a data migration or ``manage.py load_indicator_set FILE``.

A file: ``code``, ``name``, ``valid_from`` (ISO date), ``valid_to`` (or null), ``legal_basis``, ``note``
and ``groups`` — each ``code``, ``name``, ``max_points`` and ``indicators``, each ``code``, ``name``,
``max_points`` and optionally ``formula`` (over the facts of ``motcua.quality.indicators``; none: not
computable from dossier data), ``threshold`` (a rate in (0, 1]), ``sample`` (the fact counting the
ratings of a rating-based indicator) and ``note``. Loading replaces the set's groups and indicators.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
SET_2022 = DATA_DIR / "766-2022.json"


class IndicatorSetFileError(ValueError):
    """A set file that cannot be loaded; the message says where."""


def read_set(path: Path | str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndicatorSetFileError(f"{path}: {exc}") from None
    check_set(data)
    return data


def check_set(data: dict[str, Any]) -> None:
    """Formulas parse over the known facts, samples are facts, thresholds are rates, each group's
    indicators add up to the group's maximum."""
    from motcua.quality.formula import FormulaError, parse
    from motcua.quality.indicators import FACT_NAMES

    for key in ("code", "name", "valid_from", "groups"):
        if key not in data:
            raise IndicatorSetFileError(f"thiếu trường {key!r}")
    for group in data["groups"]:
        total = Decimal(0)
        for ind in group["indicators"]:
            where = f"chỉ tiêu {ind.get('code')}"
            if ind.get("formula"):
                try:
                    parse(ind["formula"], FACT_NAMES)
                except FormulaError as exc:
                    raise IndicatorSetFileError(f"{where}: {exc}") from None
            if ind.get("sample") and ind["sample"] not in FACT_NAMES:
                raise IndicatorSetFileError(f"{where}: không có dữ kiện {ind['sample']!r}")
            threshold = ind.get("threshold")
            if threshold is not None and not 0 < float(threshold) <= 1:
                raise IndicatorSetFileError(f"{where}: ngưỡng phải trong (0, 1]")
            total += Decimal(str(ind["max_points"]))
        if total != Decimal(str(group["max_points"])):
            raise IndicatorSetFileError(
                f"nhóm {group['code']}: tổng điểm các chỉ tiêu {total} khác điểm tối đa {group['max_points']}")


def load_set(data: dict[str, Any], set_model: Any, group_model: Any, indicator_model: Any) -> Any:
    """Create or update the set ``data["code"]`` with exactly the file's groups and indicators. The
    models are passed in so that a migration can use its historical ones."""
    check_set(data)
    iset, _ = set_model.objects.update_or_create(
        code=data["code"],
        defaults={"name": data["name"], "valid_from": dt.date.fromisoformat(data["valid_from"]),
                  "valid_to": dt.date.fromisoformat(data["valid_to"]) if data.get("valid_to") else None,
                  "legal_basis": data.get("legal_basis", ""), "note": data.get("note", "")},
    )
    group_model.objects.filter(indicator_set=iset).exclude(code__in=[g["code"] for g in data["groups"]]).delete()
    for g_order, g in enumerate(data["groups"], start=1):
        group, _ = group_model.objects.update_or_create(
            indicator_set=iset, code=g["code"],
            defaults={"name": g["name"], "max_points": Decimal(str(g["max_points"])), "order": g_order},
        )
        indicator_model.objects.filter(group=group).exclude(code__in=[i["code"] for i in g["indicators"]]).delete()
        for i_order, ind in enumerate(g["indicators"], start=1):
            threshold = ind.get("threshold")
            indicator_model.objects.update_or_create(
                group=group, code=ind["code"],
                defaults={"name": ind["name"], "formula": ind.get("formula", ""),
                          "max_points": Decimal(str(ind["max_points"])),
                          "threshold": None if threshold is None else Decimal(str(threshold)),
                          "sample": ind.get("sample", ""), "note": ind.get("note", ""), "order": i_order},
            )
    return iset
