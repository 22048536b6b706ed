"""Loading a PAR criteria set from a YAML file (docs/oversight-parindex.md has the format).

The file is checked whole before anything is written: every problem is reported with its line in
the file (a maximum missing or not a number, points that do not add up, a duplicated code, an unknown
method or metric...), and a file with any problem writes nothing. A set is identified by its year,
level and decision number: loading it again replaces its tree while no assessment uses it; once one
does, the same content changes nothing and a different content is refused.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from motcua.parindex.models import LEVELS, Criterion, Field, IndexSet, Method, SubCriterion

METRICS = {"on_time_rate", "online_share", "apologies_sent", "satisfaction"}


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


def _entries(node: dict[str, Any], key: str, problems: list[str], what: str) -> list[dict[str, Any]]:
    """The list under ``key``: every entry must be a mapping, and the list must not be empty."""
    items = node.get(key)
    line = node.get("__line__", "?")
    label = f"{what} {node.get('code', '')}".strip()
    if not isinstance(items, list) or not items:
        problems.append(f"dòng {line}: {label}: cần danh sách {key} không rỗng")
        return []
    good = []
    for item in items:
        if isinstance(item, dict):
            good.append(item)
        else:
            problems.append(f"dòng {line}: {label}: mục {item!r} trong {key} phải là một bảng (code, name, max...)")
    return good


def _sub_check(s: dict[str, Any], problems: list[str]) -> None:
    line = s["__line__"]
    method = s.get("method", "self_assessed")
    if method not in Method.values:
        problems.append(f"dòng {line}: phương pháp {method!r} không thuộc {', '.join(Method.values)}")
    if method == Method.COMPUTED and s.get("metric") not in METRICS:
        problems.append(f"dòng {line}: tiêu chí tính từ dữ liệu cần metric thuộc {', '.join(sorted(METRICS))}")
    if s.get("full_at") is not None:
        try:
            full_at = Decimal(str(s["full_at"]))
        except InvalidOperation:
            full_at = Decimal(-1)
        if not Decimal(0) < full_at <= Decimal(1):
            problems.append(f"dòng {line}: full_at {s['full_at']!r} phải là tỷ lệ lớn hơn 0 và không quá 1")


def _bands_check(data: dict[str, Any], problems: list[str]) -> None:
    bands = data.get("bands")
    if bands is None:
        return
    if not isinstance(bands, list) or not bands:
        problems.append(f"dòng {data['__line__']}: bands phải là danh sách {{band, min}}")
        return
    for b in bands:
        ok = isinstance(b, dict) and str(b.get("band", "")).strip()
        try:
            ok = ok and 0 <= float(b["min"]) <= 100
        except (KeyError, TypeError, ValueError):
            ok = False
        if not ok:
            problems.append(f"dòng {b.get('__line__', data['__line__']) if isinstance(b, dict) else data['__line__']}: "
                            f"xếp loại {b!r} cần band và min (0–100)")


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
    if "year" in data and not (isinstance(data["year"], int) and 2000 <= data["year"] <= 2100):
        problems.append(f"dòng {data['__line__']}: năm {data['year']!r} không hợp lệ")
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
    _bands_check(data, problems)
    seen: dict[str, int] = {}
    fields = _entries(data, "fields", problems, "bộ chỉ số") if "fields" in data else []
    for f in fields:
        f_max = _points(f, problems, "lĩnh vực")
        _code(f, seen, problems, "lĩnh vực")
        c_totals: list[Decimal | None] = []
        for c in _entries(f, "criteria", problems, "lĩnh vực"):
            c_max = _points(c, problems, "tiêu chí")
            _code(c, seen, problems, "tiêu chí")
            s_totals: list[Decimal | None] = []
            for s in _entries(c, "sub", problems, "tiêu chí"):
                s_totals.append(_points(s, problems, "tiêu chí thành phần"))
                _code(s, seen, problems, "tiêu chí thành phần")
                _sub_check(s, problems)
            _sum_check(c, c_max, s_totals, problems, "tiêu chí")
            c_totals.append(c_max)
        _sum_check(f, f_max, c_totals, problems, "lĩnh vực")
    if problems:
        raise SetError(problems)
    return Checked(head=data, fields=fields)


def _head(checked: Checked) -> dict[str, Any]:
    head, decision = checked.head, checked.head["decision"]
    return {"code": str(head["code"]), "name": str(head["name"]), "year": int(head["year"]), "level": head["level"],
            "decision_number": str(decision["number"]), "decision_date": _date(decision.get("date")),
            "issuer": str(decision.get("issuer", "")), "is_example": bool(head.get("example", False)),
            "bands": [{"band": str(b["band"]), "min": float(b["min"])} for b in head.get("bands") or []],
            "max_points": sum((Decimal(str(f["max"])) for f in checked.fields), Decimal(0))}


def _file_rows(checked: Checked) -> list[tuple]:
    """The tree as comparable rows (field, criterion, sub-criterion and every stored attribute)."""
    rows = []
    for f in checked.fields:
        for c in f["criteria"]:
            for s in c["sub"]:
                full_at = Decimal(str(s["full_at"])).quantize(Decimal("0.0001")) if s.get("full_at") is not None \
                    else None
                rows.append((str(f["code"]), str(f["name"]), Decimal(str(f["max"])), str(c["code"]), str(c["name"]),
                             Decimal(str(c["max"])), str(s["code"]), str(s["name"]), Decimal(str(s["max"])),
                             s.get("method", Method.SELF), s.get("metric", "") or "", full_at, s.get("rule", "") or "",
                             bool(s.get("evidence", False))))
    return rows


def _stored_rows(index_set: IndexSet) -> list[tuple]:
    rows = []
    for s in index_set.subcriteria.select_related("criterion__field").order_by(
            "criterion__field__order", "criterion__order", "order"):
        c, f = s.criterion, s.criterion.field
        rows.append((f.code, f.name, f.max_points, c.code, c.name, c.max_points, s.code, s.name, s.max_points,
                     s.method, s.metric, s.full_at, s.rule, s.evidence_required))
    return rows


@transaction.atomic
def load(text: str, dry_run: bool = False) -> IndexSet | None:
    """Load (or reload) a set. A set is the same set when its year, level and decision number are the
    same: its tree is replaced while no assessment uses it; once one does, loading the same content
    again changes nothing and a different content is refused."""
    checked = check(text)
    values = _head(checked)
    key = {k: values[k] for k in ("year", "level", "decision_number")}
    existing = IndexSet.objects.select_for_update().filter(**key).first()
    other = IndexSet.objects.filter(code=values["code"]).exclude(pk=getattr(existing, "pk", None)).first()
    if other is not None:
        raise SetError([f"mã bộ chỉ số {values['code']} đã dùng cho bộ {other.name} ({other.year}, {other.level}, "
                        f"quyết định {other.decision_number}): dùng mã khác"])
    if existing is not None and existing.assessments.exists():
        same_head = all(getattr(existing, k) == v for k, v in values.items())
        if same_head and _stored_rows(existing) == _file_rows(checked):
            return None if dry_run else existing
        raise SetError([f"bộ chỉ số {existing.code} đã có bản đánh giá: không thay đổi được các tiêu chí; "
                        "ban hành bộ mới (quyết định khác)"])
    if dry_run:
        return None
    if existing is None:
        index_set = IndexSet.objects.create(**values)
    else:
        index_set = existing
        for name, value in values.items():
            setattr(index_set, name, value)
        index_set.save()
        index_set.fields.all().delete()
        SubCriterion.objects.filter(index_set=index_set).delete()
    for fo, f in enumerate(checked.fields, start=1):
        field_row = Field.objects.create(index_set=index_set, code=str(f["code"]), name=f["name"], order=fo,
                                         max_points=Decimal(str(f["max"])))
        for co, c in enumerate(f["criteria"], start=1):
            criterion = Criterion.objects.create(field=field_row, code=str(c["code"]), name=c["name"], order=co,
                                                 max_points=Decimal(str(c["max"])))
            for so, s in enumerate(c["sub"], start=1):
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
