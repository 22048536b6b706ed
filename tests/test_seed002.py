"""Seed 002 (Ngân Sơn, Bắc Kạn, "đến ngày 15/9/2021"): report form 06 reproduces the district's figures.

The seed: "Cấp huyện: ... Hồ sơ phải giải quyết: 826 hồ sơ. Hồ sơ đã giải quyết đúng hạn 764, hồ sơ đã
giải quyết quá hạn 07 hồ sơ, hồ sơ đang xử lý trong hạn 54 hồ sơ, hồ sơ đang xử lý quá hạn 01 hồ sơ.
Cấp xã: ... 4231 hồ sơ. ... đúng hạn: 3831 ..., quá hạn 29 ..., trong hạn 370 ..., quá hạn 01".

The dossiers are built through the services (receive / perform with explicit instants), so the
clock computes every due instant; each scenario below only decides *when* officers act relative to
the due date the clock printed on the receipt (finish before it, on it, after it, not at all). The
expected numbers are the seed's, never recomputed by the code under test. "Hồ sơ phải giải quyết" is
read as received_total − withdrawn (withdrawn dossiers are shown apart on form 06).
"""
from __future__ import annotations

import datetime as dt
import io
import itertools
import json
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from motcua.catalog.models import Procedure, RouteStep
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.units.calendars import calendar_for_unit
from motcua.units.models import AdministrativeUnit

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = 480
AS_OF = dt.datetime(2021, 9, 15, 23, 59, 59, tzinfo=TZ)
pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # thousands of dossiers through the services

NGAN_SON_COMMUNES = [
    ("01936", "Thị trấn Nà Phặc"), ("01939", "Xã Thượng Ân"), ("01942", "Xã Bằng Vân"), ("01945", "Xã Cốc Đán"),
    ("01948", "Xã Trung Hòa"), ("01951", "Xã Đức Vân"), ("01954", "Thị trấn Vân Tùng"),
    ("01957", "Xã Thượng Quan"), ("01960", "Xã Hiệp Lực"), ("01963", "Xã Thuần Mang"),
]


def local(d: dt.datetime) -> dt.date:
    return d.astimezone(TZ).date()


def at_day(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def weekdays(start: dt.date, end: dt.date) -> list[dt.date]:
    days, day = [], start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def legacy_units() -> tuple[AdministrativeUnit, list[AdministrativeUnit], AdministrativeUnit]:
    """Ngân Sơn (062) and its communes as they were in 2021, plus Na Rì (066) as a neighbour.

    Taken from the database when the units migration has loaded them, else created here.
    """
    existing = AdministrativeUnit.objects.valid_on(dt.date(2021, 9, 15)).filter(code="062", level="district").first()
    if existing is not None:
        communes = list(existing.children.valid_on(dt.date(2021, 9, 15)).order_by("code"))
        neighbour = AdministrativeUnit.objects.valid_on(dt.date(2021, 9, 15)).get(code="066")
        return existing, communes, neighbour
    legacy = {"valid_from": dt.date(2004, 1, 1), "valid_to": dt.date(2025, 6, 30)}
    province = AdministrativeUnit.objects.create(code="06", name="Tỉnh Bắc Kạn", level="province", **legacy)
    district = AdministrativeUnit.objects.create(
        code="062", name="Huyện Ngân Sơn", level="district", parent=province, **legacy
    )
    communes = [
        AdministrativeUnit.objects.create(code=code, name=name, level="commune", parent=district, **legacy)
        for code, name in NGAN_SON_COMMUNES
    ]
    neighbour = AdministrativeUnit.objects.create(
        code="066", name="Huyện Na Rì", level="district", parent=province, **legacy
    )
    return district, communes, neighbour


def procedure(code: str, days: int, steps: list[tuple[str, str, int]]) -> Procedure:
    proc = Procedure.objects.create(code=code, name=f"Thủ tục {code}", legal_minutes=days * DAY, levels=["district"])
    for order, (name, role, share) in enumerate(steps, start=1):
        RouteStep.objects.create(procedure=proc, order=order, name=name, role=role, share_minutes=share)
    assert sum(s[2] for s in steps) == proc.legal_minutes
    return proc


class Office:
    """Officers of one unit acting through the services, at explicit instants."""

    def __init__(self, unit: AdministrativeUnit, proc: Procedure) -> None:
        self.unit, self.proc = unit, proc
        self.channels = itertools.cycle(["counter", "counter", "online", "counter", "postal"])

    def receive(self, when: dt.datetime) -> Dossier:
        channel = next(self.channels)
        if channel == "online":
            d = services.receive(procedure=self.proc, unit=self.unit, online=True, at=when - dt.timedelta(hours=1),
                                 role="applicant")
            return services.perform(d, "accept", role="counter", at=when)
        return services.receive(procedure=self.proc, unit=self.unit, channel=channel, at=when, role="counter")

    def to_head(self, d: Dossier, when: dt.datetime) -> Dossier:
        """Through the route to the head's step (counter → specialist → head when the route has three)."""
        d = services.perform(d, "hand_over", role="counter", at=when)
        while d.current_step < self.proc.steps.count():
            d = services.perform(d, "hand_over", role="specialist", at=when)
        return d

    def resolve(self, d: Dossier, when: dt.datetime, action: str = "resolve") -> Dossier:
        reason = "" if action == "resolve" else "Không đủ điều kiện theo quy định."
        return services.perform(d, action, role="head", at=when, reason=reason)

    # --- scenarios ---------------------------------------------------------------------------

    def early(self, day: dt.date) -> Dossier:
        d = self.receive(at_day(day, 9))
        d = self.to_head(d, at_day(day, 14))
        finish = at_day(local(d.due_at) - dt.timedelta(days=1), 10)
        assert finish > d.received_at
        return self.resolve(d, finish, action="refuse" if day.day == 13 else "resolve")

    def on_time(self, day: dt.date, *, exactly_at_due: bool = False) -> Dossier:
        d = self.receive(at_day(day, 10, 30))
        d = self.to_head(d, at_day(day, 15))
        # On the due date: at the due instant itself, or first thing that morning.
        finish = d.due_at if exactly_at_due else at_day(local(d.due_at), 7, 45)
        return self.resolve(d, max(finish, at_day(day, 15, 30)))

    def on_time_after_supplement(self, day: dt.date) -> Dossier:
        """The clock stops while the citizen completes the dossier: finished after the original due
        date, on the new one."""
        d = self.receive(at_day(day, 8, 30))
        d = services.perform(d, "hand_over", role="counter", at=at_day(day, 9))
        original_due = d.due_at
        d = services.perform(d, "request_supplement", role="specialist", at=at_day(day, 11),
                             note="Bổ sung bản sao giấy tờ.")
        d = services.perform(d, "supply", role="counter", at=at_day(day + dt.timedelta(days=14), 9))
        assert local(d.due_at) > local(original_due)
        while d.current_step < self.proc.steps.count():
            d = services.perform(d, "hand_over", role="specialist", at=at_day(day + dt.timedelta(days=14), 10))
        d = self.resolve(d, at_day(local(d.due_at), 8))
        assert local(d.finished_at) > local(original_due)
        return d

    def late(self, day: dt.date) -> Dossier:
        d = self.receive(at_day(day, 9))
        d = self.to_head(d, at_day(day, 9, 30))
        return self.resolve(d, at_day(local(d.due_at) + dt.timedelta(days=1), 9))

    def late_after_apology(self, day: dt.date) -> Dossier:
        """An apology with a new date, met: still late against the original due date."""
        d = self.receive(at_day(day, 9))
        d = self.to_head(d, at_day(day, 9, 30))
        d = services.perform(d, "apologize", role="head", at=at_day(day, 10),
                             new_due_at=calendar_for_unit(d.unit).add_working_time(
                                 d.due_at, min(5 * 480, d.procedure.legal_minutes)),
                             reason="Cần xác minh thực địa.")
        assert d.extended_due_at is not None
        finish = at_day(local(d.due_at) + dt.timedelta(days=2), 9)
        assert finish < d.extended_due_at
        return self.resolve(d, finish)

    def open_at(self, when: dt.datetime, state: str) -> Dossier:
        """Received at ``when``; at the as-of instant still with an officer, waiting for the citizen,
        or finished only after the as-of instant."""
        d = self.receive(when)
        if state == "received":
            return d
        d = services.perform(d, "hand_over", role="counter", at=when + dt.timedelta(minutes=20))
        if state == "supplement":
            return services.perform(d, "request_supplement", role="specialist", at=when + dt.timedelta(minutes=40),
                                    note="Bổ sung giấy tờ.")
        if state == "finished_later":
            while d.current_step < self.proc.steps.count():
                d = services.perform(d, "hand_over", role="specialist", at=when + dt.timedelta(minutes=30))
            return self.resolve(d, dt.datetime(2021, 9, 17, 9, tzinfo=TZ))
        return d

    def withdrawn(self, day: dt.date) -> Dossier:
        d = self.receive(at_day(day, 9))
        return services.perform(d, "withdraw", role="counter", at=at_day(day + dt.timedelta(days=1), 9))


def spread(days: list[dt.date], n: int) -> Iterator[dt.date]:
    """n days taken evenly from ``days``."""
    for i in range(n):
        yield days[i * len(days) // n]


def build_row(offices: list[Office], resolved_in_time: int, late: int, within: int, overdue: int) -> dict[str, int]:
    """Dossiers for one form-06 row; returns how many of each scenario were built."""
    office = itertools.cycle(offices)
    made: dict[str, int] = {}

    def count(name: str, n: int = 1) -> None:
        made[name] = made.get(name, 0) + n

    # Carried over from 2020: received in December, open on 1 January, finished on time in January.
    carried = max(1, resolved_in_time // 25)
    for day in spread(weekdays(dt.date(2020, 12, 29), dt.date(2020, 12, 31)), carried):
        d = next(office).on_time(day)
        assert d.finished_at >= dt.datetime(2021, 1, 1, tzinfo=TZ)  # open at the start of the period
    count("carried_over", carried)
    supplemented = max(1, resolved_in_time // 40)
    for day in spread(weekdays(dt.date(2021, 3, 1), dt.date(2021, 7, 30)), supplemented):
        next(office).on_time_after_supplement(day)
    rest = resolved_in_time - carried - supplemented
    for i, day in enumerate(spread(weekdays(dt.date(2021, 1, 4), dt.date(2021, 8, 27)), rest)):
        o = next(office)
        if i % 5 == 0:
            o.on_time(day, exactly_at_due=i % 10 == 0)
        else:
            o.early(day)
    apologised = (late + 1) // 2
    for day in spread(weekdays(dt.date(2021, 2, 1), dt.date(2021, 8, 20)), apologised):
        next(office).late_after_apology(day)
    for day in spread(weekdays(dt.date(2021, 2, 1), dt.date(2021, 8, 20)), late - apologised):
        next(office).late(day)
    states = itertools.cycle(["received", "processing", "supplement", "finished_later"])
    for i in range(within):
        # Received 13–15 September: due on or after the 15th, the reporting day.
        day = weekdays(dt.date(2021, 9, 13), dt.date(2021, 9, 15))[i % 3]
        next(office).open_at(at_day(day, 8 + i % 8, 30 if i % 8 < 7 else 0), next(states))
    for _ in range(overdue):
        # Received 30 August, due before the 15th; finished only on the 17th (after the as-of instant).
        next(office).open_at(at_day(dt.date(2021, 8, 30), 9), "finished_later")
    return made


def _call(*args: str) -> str:
    buf = io.StringIO()
    call_command("report", *args, stdout=buf)
    return buf.getvalue()


def report(unit_code: str) -> dict:
    return json.loads(_call("--unit", unit_code, "--from", "2021-01-01", "--to", "2021-09-15", "--by", "level",
                            "--format", "json"))


# The official layout's headers (group, column) → the figure; read from the sheet, not from the code.
# The official sheet "Biểu số II.06a/VPCP/KSTT": (group, sub-group, column) read down the three header rows.
XLSX_HEADERS = {
    ("Số hồ sơ nhận giải quyết", None, "Tổng số"): "received_total",
    ("Kết quả giải quyết", "Số hồ sơ đã giải quyết", "Trả trước hạn"): "resolved_early",
    ("Kết quả giải quyết", "Số hồ sơ đã giải quyết", "Trả đúng thời hạn"): "resolved_on_time",
    ("Kết quả giải quyết", "Số hồ sơ đã giải quyết", "Trả quá hạn"): "resolved_late",
    ("Kết quả giải quyết", "Số hồ sơ đang giải quyết", "Chưa đến hạn"): "in_progress_within",
    ("Kết quả giải quyết", "Số hồ sơ đang giải quyết", "Quá hạn"): "in_progress_overdue",
}


def xlsx_row(unit_code: str, label: str, tmp_path) -> dict[str, int]:  # noqa: ANN001
    """The figures of one row of the xlsx export, read back with openpyxl by the sheets' own headers: the
    official sheet's 13 columns, and the withdrawn from the second sheet."""
    import openpyxl

    path = tmp_path / "form06.xlsx"
    _call("--unit", unit_code, "--from", "2021-01-01", "--to", "2021-09-15", "--by", "level", "--format", "xlsx",
          "--output", str(path))
    book = openpyxl.load_workbook(path)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    top = next(i for i, r in enumerate(rows) if "Số hồ sơ nhận giải quyết" in r)
    assert rows[top + 3][:13] == tuple(f"({n})" for n in range(1, 14))
    group = mid = None
    columns = {}
    for col, (head, middle, sub) in enumerate(zip(rows[top], rows[top + 1], rows[top + 2], strict=True)):
        if head:
            group, mid = head, None
        mid = middle or (mid if sub else None)
        key = XLSX_HEADERS.get((group, mid, sub or middle)) or XLSX_HEADERS.get((group, None, middle))
        if key:
            columns[key] = col
    line = next(r for r in rows if label in r)
    cells = {key: line[col] for key, col in columns.items()}
    extra = list(book.worksheets[1].iter_rows(values_only=True))
    head = next(r for r in extra if "Rút hồ sơ" in r)
    cells["withdrawn"] = next(r for r in extra if label in r)[head.index("Rút hồ sơ")]
    return cells


DISTRICT_ROUTE = [("Tiếp nhận", "counter", DAY // 2), ("Thẩm định", "specialist", 3 * DAY),
                  ("Phê duyệt", "head", DAY + DAY // 2)]
COMMUNE_ROUTE = [("Tiếp nhận", "counter", DAY // 2), ("Giải quyết", "head", 2 * DAY + DAY // 2)]


def test_seed_002_district_row(tmp_path):
    """826 to handle: 764 resolved on time (early or on the due date), 7 late, 54 within time, 1 overdue."""
    district, communes, neighbour = legacy_units()
    district_proc = procedure("1.000001", 5, DISTRICT_ROUTE)
    at_district = Office(district, district_proc)
    made = build_row([at_district], resolved_in_time=764, late=7, within=54, overdue=1)
    at_district.withdrawn(dt.date(2021, 5, 10))
    at_district.withdrawn(dt.date(2021, 6, 14))
    # Not handled in the period: finished, or withdrawn, before 1 January; received after the 15th;
    # handled by the neighbouring district; a commune's dossier is on the commune row, not this one.
    at_district.early(dt.date(2020, 11, 2))
    at_district.withdrawn(dt.date(2020, 12, 1))
    at_district.receive(at_day(dt.date(2021, 9, 16), 8))
    Office(neighbour, district_proc).early(dt.date(2021, 4, 5))
    Office(communes[0], procedure("1.000002", 3, COMMUNE_ROUTE)).early(dt.date(2021, 4, 5))

    out = report(district.code)
    assert out["unit"] == {"code": "062", "name": "Huyện Ngân Sơn"}
    assert out["as_of"] == AS_OF.isoformat()
    rows = {r["key"]: r for r in out["rows"]}
    assert list(rows) == ["district", "commune"]
    assert rows["district"]["label"] == "Cấp huyện"
    assert rows["commune"]["received_total"] == 1
    row = rows["district"]
    print(json.dumps(row, ensure_ascii=False))
    assert row["received_total"] - row["withdrawn"] == 826
    assert row["withdrawn"] == 2
    assert row["resolved_early"] + row["resolved_on_time"] == 764
    assert row["resolved_late"] == 7
    assert row["in_progress_within"] == 54
    assert row["in_progress_overdue"] == 1
    assert row["carried_over"] == made["carried_over"] > 0
    assert row["resolved_early"] > 0 and row["resolved_on_time"] > 0
    assert row["on_time_rate"] == pytest.approx(1 - 8 / 826)
    cells = xlsx_row(district.code, "Cấp huyện", tmp_path)
    assert cells["received_total"] - cells["withdrawn"] == 826
    assert cells["resolved_early"] + cells["resolved_on_time"] == 764
    assert (cells["resolved_late"], cells["in_progress_within"], cells["in_progress_overdue"]) == (7, 54, 1)


def test_seed_002_commune_row(tmp_path):
    """4,231 to handle across the district's communes: 3,831 on time, 29 late, 370 within time, 1 overdue."""
    district, communes, _neighbour = legacy_units()
    commune_proc = procedure("1.000002", 3, COMMUNE_ROUTE)
    build_row([Office(c, commune_proc) for c in communes], resolved_in_time=3831, late=29, within=370, overdue=1)

    out = report(district.code)
    rows = {r["key"]: r for r in out["rows"]}
    assert list(rows) == ["commune"] and rows["commune"]["label"] == "Cấp xã"
    row = rows["commune"]
    print(json.dumps(row, ensure_ascii=False))
    assert row["received_total"] - row["withdrawn"] == 4231
    assert row["resolved_early"] + row["resolved_on_time"] == 3831
    assert row["resolved_late"] == 29
    assert row["in_progress_within"] == 370
    assert row["in_progress_overdue"] == 1
    # Every commune has its share, and the communes together make the row.
    by_child = json.loads(_call("--unit", district.code, "--from", "2021-01-01", "--to", "2021-09-15", "--by", "child"))
    children = {r["key"]: r["received_total"] for r in by_child["rows"]}
    assert set(children) == {district.code, *(c.code for c in communes)}
    assert children[district.code] == 0 and all(children[c.code] > 300 for c in communes)
    assert sum(children.values()) == row["received_total"]
    cells = xlsx_row(district.code, "Cấp xã", tmp_path)
    assert cells["received_total"] - cells["withdrawn"] == 4231
    assert cells["resolved_early"] + cells["resolved_on_time"] == 3831
    assert (cells["resolved_late"], cells["in_progress_within"], cells["in_progress_overdue"]) == (29, 370, 1)
