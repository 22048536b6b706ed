"""Item 6: report 06 in the official layout ("Biểu số II.06a/VPCP/KSTT", Circular 01/2020/TT-VPCP) and no
rate for a unit with nothing handled."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from motcua.units.models import AdministrativeUnit
from tests.stats_support import make_staff
from tests.test_report_command import BASE, district, run  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

OFFICIAL_HEADINGS = [
    "STT", "Lĩnh vực, công việc giải quyết theo cấp",
    "Tổng số", "Trực tuyến", "Trực tiếp, dịch vụ bưu chính", "Từ kỳ trước chuyển qua",
    "Tổng số", "Trả trước hạn", "Trả đúng thời hạn", "Trả quá hạn",
    "Tổng số", "Chưa đến hạn", "Quá hạn",
]


@pytest.fixture
def empty_commune(district: AdministrativeUnit) -> AdministrativeUnit:  # noqa: F811
    legacy = {"valid_from": dt.date(2004, 1, 1), "valid_to": dt.date(2025, 6, 30)}
    return AdministrativeUnit.objects.create(code="ZY102", name="Xã Trống", level="commune", parent=district,
                                             **legacy)


def _read(path) -> openpyxl.Workbook:  # noqa: ANN001
    return openpyxl.load_workbook(path)


def test_report06_official_layout_xlsx_has_13_columns_in_the_official_order(district, tmp_path):  # noqa: F811
    target = tmp_path / "mau06.xlsx"
    run(*BASE, "--by", "child", "--format", "xlsx", "--output", str(target))
    book = _read(target)
    sheet = book.worksheets[0]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    numbers = next(i for i, row in enumerate(cells) if row[0] == "(1)")
    assert cells[numbers][:13] == [f"({n})" for n in range(1, 14)]
    assert all(v in (None, "") for row in cells for v in row[13:]), "nothing beyond the 13 official columns"
    text = {str(v) for row in cells for v in row if v is not None}
    assert "Biểu số II.06a/VPCP/KSTT" in " ".join(text)
    # the headings, each column read top to bottom over the header block (merged cells give None below)
    headings = []
    for col in range(13):
        parts = [cells[r][col] for r in range(numbers) if cells[r][col] and r >= numbers - 4]
        headings.append(parts[-1])
    assert headings == OFFICIAL_HEADINGS
    for group in ("Số hồ sơ nhận giải quyết", "Trong đó", "Số hồ sơ đã giải quyết", "Số hồ sơ đang giải quyết"):
        assert group in text
    # direct and postal in one column; the district row: 2 received at the counter, resolved 1 early/on time, 1 late
    rows = {row[1]: row for row in cells[numbers + 1:] if row[1]}
    assert rows["Huyện Thử"][2:13] == [2, 0, 2, 0, 2, 0, 1, 1, 0, 0, 0]
    assert rows["Xã Thử"][2:13] == [1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1]
    assert rows["Tổng cộng"][2] == 3
    # the extras on a second sheet: postal apart, withdrawn, on-time rate
    extra = book.worksheets[1]
    extra_text = {str(c.value) for row in extra.iter_rows() for c in row if c.value is not None}
    for heading in ("Bưu chính công ích", "Rút hồ sơ", "Tỷ lệ đúng hạn"):
        assert heading in extra_text


def test_report06_official_layout_no_rate_for_a_unit_with_nothing_handled(district, empty_commune, tmp_path):  # noqa: F811
    out = json.loads(run(*BASE, "--by", "child"))
    rows = {r["key"]: r for r in out["rows"]}
    assert rows["ZY102"]["received_total"] == 0
    assert rows["ZY102"]["on_time_rate"] is None
    assert rows["ZY101"]["on_time_rate"] == 0.0
    lines = {line[0]: line for line in csv.reader(io.StringIO(run(*BASE, "--by", "child", "--format", "csv")))}
    assert lines["ZY102"][-1] == ""
    empty = json.loads(run("--unit", "ZY102", "--from", "2021-01-01", "--to", "2021-09-15"))
    assert empty["totals"]["on_time_rate"] is None
    target = tmp_path / "mau06.xlsx"
    run(*BASE, "--by", "child", "--format", "xlsx", "--output", str(target))
    extra = _read(target).worksheets[1]
    line = next(row for row in extra.iter_rows(values_only=True) if "Xã Trống" in row)
    assert "—" in line and 1 not in line[2:]


def test_report06_official_layout_screen_shows_a_dash_not_100_percent(district, empty_commune):  # noqa: F811
    client = Client()
    client.force_login(make_staff("lanhdao_huyen", "leader", unit=district))
    query = {"unit": "ZY1", "period": "custom", "from": "2021-01-01", "to": "2021-09-15", "by": "child"}
    response = client.get(reverse("stats:form06"), {**query, "empty": "1"})  # empty rows shown on request
    assert response.status_code == 200
    html = response.content.decode()
    body = html[html.index("<tbody"):]
    row = body[body.index("Xã Trống"):]
    row = row[:row.index("</tr>")]
    assert 'data-col="on_time_rate">—<' in row
    assert "100" not in row


def test_report06_official_layout_empty_units_are_hidden_by_default_with_a_switch(
        district, empty_commune):  # noqa: ANN001, F811
    client = Client()
    client.force_login(make_staff("lanhdao_huyen2", "leader", unit=district))
    query = {"unit": "ZY1", "period": "custom", "from": "2021-01-01", "to": "2021-09-15", "by": "child"}
    html = client.get(reverse("stats:form06"), query).content.decode()
    body = html[html.index("<tbody"):html.index("</tbody>")]
    assert "Xã Trống" not in body and "Tổng cộng" in body
    assert "dòng không có hồ sơ nào được ẩn" in html and 'data-testid="show-empty"' in html
    shown = client.get(reverse("stats:form06"), {**query, "empty": "1"}).content.decode()
    assert "Xã Trống" in shown[shown.index("<tbody"):shown.index("</tbody>")]
