"""A yearly PAR plan with its tasks, and a catalogue of internal procedures, imported from a YAML file.

The file is checked whole: every bad entry is named (``nhiệm vụ 3 (Rà soát…): area …``) and nothing is
written unless all are good; then everything is written in one transaction through the services.

Plan file::

    unit: "08001"            # the unit's code (the version valid on the plan's date, else on 1 January)
    year: 2026
    number: 18/KH-UBND
    date: 2026-01-08
    issuer: UBND xã Lâm Bình
    title: Kế hoạch cải cách hành chính năm 2026
    tasks:
      - title: Rà soát, đơn giản hóa thủ tục hành chính
        area: procedures     # institutions, procedures, organisation, civil_service, public_finance, digital, other
        owner: 08001-UBND    # an agency code, or owner_name: free text
        co_agencies: [08001-CA]
        output: Báo cáo kết quả rà soát
        deadline: 2026-06-30 # the end of that working day on the unit's calendar

Internal procedures file::

    unit: "08001"
    procedures:
      - {code: NB-01, name: Phát hành văn bản đi, field: Hành chính, executing_agency: Văn phòng,
         deciding_agency: Chủ tịch UBND, steps: 5, documents: Dự thảo, time_limit_days: 2, legal_basis: …}
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.db import transaction

from motcua.parplans import services
from motcua.parplans.models import Area, InternalProcedure, ParPlan
from motcua.statemachine import LifecycleError
from motcua.units import scoping
from motcua.units.models import AdministrativeUnit, Agency

PROCEDURE_KEYS = ("field", "executing_agency", "deciding_agency", "documents", "legal_basis")


class FileRefused(ValueError):
    """The file is refused: ``problems`` lists every bad entry; nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class _Task:
    title: str
    area: str
    deadline: dt.date
    owner: Agency | None = None
    owner_name: str = ""
    co: list[Agency] = field(default_factory=list)
    output: str = ""


def _read(text: str, lists: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FileRefused([f"không đọc được YAML: {exc}"]) from None
    if not isinstance(data, dict) or not isinstance(data.get(lists), list):
        raise FileRefused([f"tệp phải là một bảng (mapping) có unit và danh sách {lists}"])
    return data


def _date(value: Any, what: str, problems: list[str]) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(f"{what}: ngày {value!r} không hợp lệ (YYYY-MM-DD)")
        return None


def _unit(data: dict[str, Any], on: dt.date, problems: list[str]) -> AdministrativeUnit | None:
    unit = scoping.resolve_code(str(data.get("unit", "")).strip(), on)
    if unit is None:
        problems.append(f"unit: không có đơn vị hành chính mã {data.get('unit')!r}")
    return unit


def check_plan(text: str) -> tuple[dict[str, Any], AdministrativeUnit | None, list[_Task]]:
    data = _read(text, "tasks")
    problems: list[str] = []
    year = data.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        problems.append(f"year: năm {year!r} không hợp lệ")
        year = 2000
    date = _date(data["date"], "date", problems) if data.get("date") else None
    unit = _unit(data, date or dt.date(year, 1, 1), problems)
    for key in ("title", "issuer"):
        if not str(data.get(key) or "").strip():
            problems.append(f"{key}: cần nhập")
    agencies = {a.code: a for a in Agency.objects.all()}
    tasks = []
    for n, raw in enumerate(data["tasks"], start=1):
        what = f"nhiệm vụ {n}"
        if not isinstance(raw, dict):
            problems.append(f"{what}: phải là một bảng (title, area, deadline…)")
            continue
        what = f"nhiệm vụ {n} ({str(raw.get('title', ''))[:40]})"
        before = len(problems)
        if not str(raw.get("title") or "").strip():
            problems.append(f"{what}: title: cần nhập")
        if raw.get("area") not in Area.values:
            problems.append(f"{what}: area {raw.get('area')!r} không thuộc {', '.join(Area.values)}")
        deadline = _date(raw.get("deadline"), f"{what}: deadline", problems) if raw.get("deadline") else None
        if deadline is None and not raw.get("deadline"):
            problems.append(f"{what}: deadline: cần nhập")
        owner = agencies.get(str(raw.get("owner"))) if raw.get("owner") else None
        if raw.get("owner") and owner is None:
            problems.append(f"{what}: owner: không có cơ quan mã {raw['owner']!r}")
        co = []
        for code in raw.get("co_agencies") or []:
            if str(code) not in agencies:
                problems.append(f"{what}: co_agencies: không có cơ quan mã {code!r}")
            else:
                co.append(agencies[str(code)])
        if len(problems) == before and deadline is not None:
            tasks.append(_Task(str(raw["title"]).strip(), raw["area"], deadline, owner,
                               str(raw.get("owner_name") or ""), co, str(raw.get("output") or "")))
    if problems:
        raise FileRefused(problems)
    return data, unit, tasks


def load_plan(text: str, *, at: dt.datetime | None = None) -> ParPlan:
    """Check the plan file whole, then write the plan and its tasks in one transaction."""
    data, unit, tasks = check_plan(text)
    assert unit is not None
    with transaction.atomic():
        try:
            plan = services.create_plan(unit=unit, year=data["year"], title=str(data["title"]),
                                        issuer=str(data["issuer"]), number=str(data.get("number") or ""),
                                        date=_date(data["date"], "date", []) if data.get("date") else None)
            for t in tasks:
                services.add_task(plan, title=t.title, area=t.area, owner=t.owner, owner_name=t.owner_name,
                                  co_agencies=t.co, expected_output=t.output, at=at,
                                  deadline=services.end_of_working_day(t.deadline, unit))
        except LifecycleError as exc:
            raise FileRefused([f"{exc.field}: {exc.message}" if exc.field else exc.message]) from None
    return plan


def load_internal_procedures(text: str) -> list[InternalProcedure]:
    """Check the catalogue file whole (codes unique in the file and new for the unit), then write it."""
    data = _read(text, "procedures")
    problems: list[str] = []
    unit = _unit(data, dt.date.today(), problems)
    existing = set(InternalProcedure.objects.filter(unit=unit).values_list("code", flat=True)) if unit else set()
    seen: set[str] = set()
    rows = []
    for n, raw in enumerate(data["procedures"], start=1):
        if not isinstance(raw, dict):
            problems.append(f"thủ tục {n}: phải là một bảng (code, name…)")
            continue
        code, name = str(raw.get("code") or "").strip(), str(raw.get("name") or "").strip()
        what = f"thủ tục {n} ({code or '?'})"
        if not code or not name:
            problems.append(f"{what}: {'code' if not code else 'name'}: cần nhập")
        if code in seen or code in existing:
            problems.append(f"{what}: code: mã {code} đã có")
        seen.add(code)
        for key in ("steps", "time_limit_days"):
            value = raw.get(key)
            if value is not None and (not isinstance(value, int) or value < 0):
                problems.append(f"{what}: {key}: {value!r} phải là số nguyên không âm")
        rows.append(raw)
    if problems:
        raise FileRefused(problems)
    with transaction.atomic():
        return [services.add_internal_procedure(
            unit=unit, code=str(r["code"]).strip(), name=str(r["name"]).strip(), steps=r.get("steps") or 0,
            time_limit_days=r.get("time_limit_days"), **{k: str(r.get(k) or "") for k in PROCEDURE_KEYS})
            for r in rows]
