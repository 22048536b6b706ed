"""The PAR index's demo (idempotent, built through the loader and the services):

- the example commune set (``sets/example-commune-2025.yaml``) and a 2025 assessment of each demo
  commune with its sub-criteria computed from the demo dossiers (left in draft for the PAR officer);
- the seeds' districts ranked as the seeds say, with district sets built from the example (marked as
  examples): Vũ Quang 2022 at 89.30, 12th of 13 (points lost: no initiative, officers disciplined,
  leaders over the quota), and Mê Linh 23rd of 30 in 2021, then 13th of 30 in 2023 (up 10 places).
  The peers are the real district-level units of Hà Tĩnh (with Lộc Hà, merged in 2025, added back)
  and Hà Nội in those years where the unit data has them, topped up with demo-only units ("DEMO-…",
  closed on 30/06/2025); without the unit data, Vũ Quang, Mê Linh and their peers are demo-only units
  under the demo province.

A peer group already ranked (this or another run) is left as it is.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from motcua.parindex import loader, services
from motcua.parindex.models import IndexSet, SubCriterion
from motcua.units.models import AdministrativeUnit, Level
from motcua.workdays import TZ

EXAMPLE = Path(__file__).resolve().parent / "sets" / "example-commune-2025.yaml"
CLOSED = dt.date(2025, 6, 30)  # district-level government ended on 01/07/2025
PROVINCE_NOTE = "Theo số liệu tổng hợp của Sở Nội vụ (năm chưa dùng hệ thống)"


def _dt(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 9, tzinfo=TZ)


def example_set() -> IndexSet:
    """The shipped example set (loading it again changes nothing)."""
    return loader.load_file(EXAMPLE) or IndexSet.objects.get(year=2025, level="commune", decision_number="VÍ DỤ")


def district_set(year: int) -> IndexSet:
    """A district-level set for ``year`` built from the example (an example too)."""
    existing = IndexSet.objects.filter(code=f"vi-du-cap-huyen-{year}").first()
    if existing is not None:
        return existing
    text = EXAMPLE.read_text(encoding="utf-8").replace("code: vi-du-cap-xa-2025", f"code: vi-du-cap-huyen-{year}")
    text = text.replace("year: 2025", f"year: {year}").replace("level: commune", "level: district")
    text = text.replace("name: Bộ chỉ số CCHC cấp xã (ví dụ)", f"name: Bộ chỉ số CCHC cấp huyện {year} (ví dụ)")
    return loader.load(text)


def ranked(index_set: IndexSet, unit: AdministrativeUnit, cuts: dict[str, tuple[str, str]]) -> int:
    """A published assessment at every maximum but ``cuts`` (code → (appraised points, reason)): the
    unit self-assesses, the survey is recorded, the council appraises with its notes and publishes."""
    if index_set.assessments.filter(unit=unit).exists():
        return 0
    year = index_set.year + 1
    a = services.start(index_set, unit, at=_dt(year, 1, 10))
    subs = list(SubCriterion.objects.filter(index_set=index_set))
    services.record_table(a, "self", {s.code: s.max_points for s in subs if s.method in ("self_assessed", "appraised")},
                          at=_dt(year, 1, 15))
    services.perform(a, "submit", role="par_officer", at=_dt(year, 1, 20))
    for s in subs:
        if s.method == "survey":
            services.survey(a, s.code, s.max_points, at=_dt(year, 2, 1))
    marks = {s.code: s.max_points for s in subs}
    notes = {s.code: PROVINCE_NOTE for s in subs if s.method == "computed"}
    for code, (points, reason) in cuts.items():
        marks[code], notes[code] = Decimal(points), reason
    services.record_table(a, "appraised", marks, notes, at=_dt(year, 2, 15))
    services.perform(a, "appraise", role="appraiser", at=_dt(year, 2, 20))
    services.perform(a, "publish", role="appraiser", at=_dt(year, 3, 1))
    return 1


def _demo_province() -> AdministrativeUnit:
    from motcua.demo.world import pick_units

    return pick_units()[0]


def peers(province_name: str, unit_name: str, on: dt.date, size: int, prefix: str) -> list[AdministrativeUnit]:
    """``size`` district-level units valid on ``on``, ``unit_name`` first: the real ones of the province
    where the unit data has them, topped up with demo-only units."""
    province = AdministrativeUnit.objects.filter(name=province_name, level=Level.PROVINCE).valid_on(on).first()
    real: list[AdministrativeUnit] = []
    if province is not None:
        real = list(AdministrativeUnit.objects.filter(parent=province, level=Level.DISTRICT).valid_on(on)
                    .order_by("name"))
    if not any(u.name == unit_name for u in real):
        province, real = _demo_province(), []
    units = sorted(real, key=lambda u: u.name != unit_name)[:size]
    if not units:
        units = [_demo_unit(f"DEMO-{prefix}", unit_name, province)]
    n = 0
    while len(units) < size:
        n += 1
        units.append(_demo_unit(f"DEMO-{prefix}{n:02d}", f"Huyện mẫu {prefix} {n:02d} (demo)", province))
    return units


def _demo_unit(code: str, name: str, parent: AdministrativeUnit) -> AdministrativeUnit:
    unit = AdministrativeUnit.objects.filter(code=code, level=Level.DISTRICT).first()
    if unit is None:
        unit = AdministrativeUnit.objects.create(code=code, name=name, level=Level.DISTRICT, parent=parent,
                                                 valid_from=dt.date(2000, 1, 1), valid_to=CLOSED)
    return unit


def _loc_ha() -> None:
    """Hà Tĩnh had 13 district-level units in 2022; the unit data (the 2025 crosswalk) no longer lists Lộc
    Hà, merged into Thạch Hà on 01/01/2025: its closed version is added for the 2022 peer group (the same
    unit as ``motcua.demo.oversight`` adds)."""
    province = AdministrativeUnit.objects.filter(name="Tỉnh Hà Tĩnh", level=Level.PROVINCE).valid_on(
        dt.date(2022, 6, 30)).first()
    if province is None or AdministrativeUnit.objects.filter(name="Huyện Lộc Hà", parent=province).exists():
        return
    AdministrativeUnit.objects.create(code="DEMO-LOCHA", name="Huyện Lộc Hà", level=Level.DISTRICT, parent=province,
                                      valid_from=dt.date(2000, 1, 1), valid_to=dt.date(2024, 12, 31))


def vu_quang() -> int:
    """Seed 004: 89.30, 12th of 13 in 2022."""
    index_set = district_set(2022)
    if index_set.assessments.exists():
        return 0
    _loc_ha()
    group = peers("Tỉnh Hà Tĩnh", "Huyện Vũ Quang", dt.date(2022, 6, 30), 13, "HT")
    made = ranked(index_set, group[0], {"1.3.1": ("0", "Không có sáng kiến kinh nghiệm cấp tỉnh"),
                                        "4.1.1": ("0", "Có cán bộ, công chức bị kiểm điểm, xem xét kỷ luật"),
                                        "3.1.1": ("4.30", "Số lượng lãnh đạo tại 1 đơn vị chưa đúng quy định")})
    for n, unit in enumerate(group[1:12]):  # 11 above: 100, 99.5 … 95
        made += ranked(index_set, unit, {"2.2.1": (str(Decimal(5) - Decimal(n) / 2), "Rà soát thủ tục chưa đầy đủ")}
                       if n else {})
    made += ranked(index_set, group[12], {"2.2.1": ("0", "Chưa rà soát thủ tục"), "5.1.1": ("0", "Chưa công khai "
                                          "ngân sách"), "2.2.2": ("0", "Không xử lý phản ánh, kiến nghị")})
    return made


def me_linh() -> int:
    """Seed 001: 23rd of 30 in 2021, 13th of 30 in 2023 (up 10 places)."""
    made = 0
    group = peers("Thành phố Hà Nội", "Huyện Mê Linh", dt.date(2023, 6, 30), 30, "HN")
    for year, place in ((2021, 23), (2023, 13)):
        index_set = district_set(year)
        if index_set.assessments.exists():
            continue
        others = iter(group[1:])
        for rank in range(1, 31):  # index 100 − rank/4: distinct, in rank order
            unit = group[0] if rank == place else next(others)
            lost = Decimal(rank) / 8
            made += ranked(index_set, unit, {"2.2.1": (str(Decimal(5) - lost), "Rà soát thủ tục chưa đầy đủ"),
                                             "2.2.2": (str(Decimal(5) - lost), "Xử lý phản ánh, kiến nghị chậm")})
    return made


def communes() -> int:
    """The example set's 2025 assessments of the demo communes, sub-criteria computed from the dossiers."""
    from motcua.demo.world import pick_units

    index_set = example_set()
    made = 0
    for unit in pick_units()[1]:
        if not index_set.assessments.filter(unit=unit).exists():
            a = services.start(index_set, unit, at=_dt(2026, 1, 5))
            services.compute(a, at=_dt(2026, 1, 5))
            made += 1
    return made


def load_demo() -> dict[str, int]:
    sets_before = IndexSet.objects.count()
    made = {"commune_assessments": communes(), "vu_quang_2022": vu_quang(), "me_linh_2021_2023": me_linh()}
    return {"index_sets": IndexSet.objects.count() - sets_before, **made}
