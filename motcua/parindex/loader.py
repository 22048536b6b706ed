"""Loading a PAR criteria set from a YAML file (docs/oversight-parindex.md has the format).

The file is checked whole before anything is written: every problem is reported with its line in
the file (a maximum missing or not a number, points that do not add up, a duplicated code, an unknown
method or metric...), and a file with any problem writes nothing. Loading the same set again (same
``code``) replaces its tree while no assessment uses it, and is refused once one does.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from motcua.parindex.models import Criterion, Field, IndexSet, Method, SubCriterion

METRICS = {"on_time_rate", "online_share", "apologies_sent", "satisfaction"}
LEVELS = {"province", "department", "district", "commune"}


class SetError(ValueError):
    """The file is refused: ``problems`` lists every bad line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Loader(yaml.SafeLoader):
    """Safe YAML whose mappings remember their line (``__line__``)."""


def _mapping(loader: _Loader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


@dataclass
class Checked:
    head: dict[str, Any]
    fields: list[dict[str, Any]] = field(default_factory=list)


def _points(node: dict[str, Any], problems: list[str], what: str) -> Decimal | None:
    line = node.get("__line__", "?")
    if "max" not in node or node["max"] in (None, ""):
        problems.append(f"dòng {line}: {what} {node.get('code', '?')}: thiếu điểm tối đa (max)")
        return None
    try:
        value = Decimal(str(node["max"]))
    except InvalidOperation:
        problems.append(f"dòng {line}: {what} {node.get('code', '?')}: điểm tối đa {node['max']!r} không phải số")
        return None
    if value < 0:
        problems.append(f"dòng {line}: {what} {node.get('code', '?')}: điểm tối đa âm")
        return None
    return value


def _code(node: dict[str, Any], seen: dict[str, int], problems: list[str], what: str) -> str:
    line = node.get("__line__", "?")
    code = str(node.get("code", "")).strip()
    if not code:
        problems.append(f"dòng {line}: {what} thiếu mã (code)")
    elif code in seen:
        problems.append(f"dòng {line}: mã {code} trùng với dòng {seen[code]}")
    else:
        seen[code] = line
    if not str(node.get("name", "")).strip():
        problems.append(f"dòng {line}: {what} {code or '?'}: thiếu tên (name)")
    return code


def _sum_check(node: dict[str, Any], own: Decimal | None, parts: list[Decimal | None], problems: list[str],
               what: str) -> None:
    if own is None or any(p is None for p in parts) or not parts:
        return
    total = sum(parts, Decimal(0))
    if total != own:
        problems.append(f"dòng {node['__line__']}: {what} {node.get('code')}: điểm tối đa {own} khác tổng các mục "
                        f"con {total}")


def check(text: str) -> Checked:
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        raise SetError([f"không đọc được YAML: {exc}"]) from None
    if not isinstance(data, dict):
        raise SetError(["tệp phải là một bảng (mapping) với code, name, year, level, decision, fields"])
    problems: list[str] = []
    for key in ("code", "name", "year", "level", "decision", "fields"):
        if key not in data:
            problems.append(f"dòng {data['__line__']}: thiếu {key}")
    if data.get("level") not in LEVELS and "level" in data:
        problems.append(f"dòng {data['__line__']}: level {data['level']!r} không thuộc {', '.join(sorted(LEVELS))}")
    decision = data.get("decision") or {}
    if "decision" in data and not (isinstance(decision, dict) and decision.get("number")):
        problems.append(f"dòng {data['__line__']}: decision cần number (số quyết định ban hành)")
    if isinstance(decision, dict) and decision.get("date") not in (None, ""):
        try:
            _date(decision["date"])
        except ValueError:
            problems.append(f"dòng {decision['__line__']}: ngày quyết định {decision['date']!r} không đúng dạng "
                            "YYYY-MM-DD")
    seen: dict[str, int] = {}
    set_total: list[Decimal | None] = []
    for f in data.get("fields") or []:
        f_max = _points(f, problems, "lĩnh vực")
        _code(f, seen, problems, "lĩnh vực")
        c_totals: list[Decimal | None] = []
        for c in f.get("criteria") or []:
            c_max = _points(c, problems, "tiêu chí")
            _code(c, seen, problems, "tiêu chí")
            s_totals: list[Decimal | None] = []
            for s in c.get("sub") or []:
                s_totals.append(_points(s, problems, "tiêu chí thành phần"))
                _code(s, seen, problems, "tiêu chí thành phần")
                method = s.get("method", "self_assessed")
                if method not in Method.values:
                    problems.append(f"dòng {s['__line__']}: phương pháp {method!r} không thuộc "
                                    f"{', '.join(Method.values)}")
                if method == Method.COMPUTED and s.get("metric") not in METRICS:
                    problems.append(f"dòng {s['__line__']}: tiêu chí tính từ dữ liệu cần metric thuộc "
                                    f"{', '.join(sorted(METRICS))}")
            _sum_check(c, c_max, s_totals, problems, "tiêu chí")
            c_totals.append(c_max)
        _sum_check(f, f_max, c_totals, problems, "lĩnh vực")
        set_total.append(f_max)
    if problems:
        raise SetError(problems)
    return Checked(head=data, fields=data["fields"])


@transaction.atomic
def load(text: str, dry_run: bool = False) -> IndexSet | None:
    checked = check(text)
    head = checked.head
    existing = IndexSet.objects.filter(code=str(head["code"])).first()
    if existing is not None and existing.assessments.exists():
        raise SetError([f"bộ chỉ số {head['code']} đã có bản đánh giá: không thay thế được; dùng mã mới"])
    if dry_run:
        return None
    decision = head["decision"]
    total = sum((Decimal(str(f["max"])) for f in checked.fields), Decimal(0))
    values = {"name": head["name"], "year": int(head["year"]), "level": head["level"],
              "decision_number": str(decision["number"]), "decision_date": _date(decision.get("date")),
              "issuer": decision.get("issuer", ""), "is_example": bool(head.get("example", False)),
              "bands": [{"band": b["band"], "min": float(b["min"])} for b in head.get("bands") or []],
              "max_points": total}
    index_set, _created = IndexSet.objects.update_or_create(code=str(head["code"]), defaults=values)
    index_set.fields.all().delete()
    SubCriterion.objects.filter(index_set=index_set).delete()
    for fo, f in enumerate(checked.fields, start=1):
        field_row = Field.objects.create(index_set=index_set, code=str(f["code"]), name=f["name"], order=fo,
                                         max_points=Decimal(str(f["max"])))
        for co, c in enumerate(f.get("criteria") or [], start=1):
            criterion = Criterion.objects.create(field=field_row, code=str(c["code"]), name=c["name"], order=co,
                                                 max_points=Decimal(str(c["max"])))
            for so, s in enumerate(c.get("sub") or [], start=1):
                SubCriterion.objects.create(
                    index_set=index_set, criterion=criterion, code=str(s["code"]), name=s["name"], order=so,
                    max_points=Decimal(str(s["max"])), method=s.get("method", Method.SELF), metric=s.get("metric", ""),
                    full_at=Decimal(str(s["full_at"])) if s.get("full_at") is not None else None,
                    rule=s.get("rule", ""), evidence_required=bool(s.get("evidence", False)))
    return index_set


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def load_file(path: Path, dry_run: bool = False) -> IndexSet | None:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SetError([f"không đọc được tệp {path}: {exc.strerror}"]) from None
    return load(text, dry_run=dry_run)
