"""Form 06 on screen: scope, drill-down counts equal to the cells, every download readable."""
from __future__ import annotations

import csv
import io
import json
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.urls import reverse

from motcua.reports.exports import OFFICIAL_COLUMNS, official_row
from motcua.reports.form06 import BY_CHOICES, COUNT_KEYS, compute_form06
from motcua.stats.drill import TOTAL_ROW, dossiers_behind
from tests.stats_support import Q1_FROM, Q1_TO, Quarter, build_quarter, make_staff

pytestmark = pytest.mark.django_db
Q1 = {"period": "quarter", "year": "2026", "n": "1"}


@pytest.fixture(autouse=True)
def report_convention(settings) -> None:  # noqa: ANN001
    settings.MOTCUA_REPORT_CONVENTION = "calendar"


@pytest.fixture
def quarter() -> Quarter:
    return build_quarter()


@pytest.fixture
def leader(quarter: Quarter):  # noqa: ANN201
    """A leader of the (test) province: sees its whole tree."""
    return make_staff("lanhdao_tinh", "leader", unit=quarter.world.province)


def get(client: Client, user, name: str, **params: str):  # noqa: ANN001, ANN201
    client.force_login(user)
    return client.get(reverse(name), params)


def test_the_quarter_has_every_kind_of_cell(quarter: Quarter) -> None:
    """The data behind these tests is not trivial: every column of the totals has dossiers."""
    totals = compute_form06(quarter.province_code, Q1_FROM, Q1_TO)["totals"]
    for key in COUNT_KEYS:
        assert totals[key] > 0, key
    assert 0 < totals["on_time_rate"] < 1


def test_leader_sees_the_table_with_the_report_numbers(client: Client, quarter: Quarter, leader) -> None:  # noqa: ANN001
    response = get(client, leader, "stats:form06", unit=quarter.province_code, by="child", **Q1)
    assert response.status_code == 200
    html = response.content.decode()
    report = compute_form06(quarter.province_code, Q1_FROM, Q1_TO, by="child")
    assert report["unit"]["name"] in html
    for group in ("Tiếp nhận", "Đã giải quyết", "Đang giải quyết"):
        assert group in html
    for row in report["rows"]:
        assert row["label"] in html
    assert f'data-row="{TOTAL_ROW}"' in html
    total_received = report["totals"]["received_total"]
    assert f'>{total_received}</a></td>' in html


def test_user_without_any_scope_gets_403(client: Client, quarter: Quarter) -> None:
    nobody = make_staff("khong_quyen", "leader")
    for name in ("stats:form06", "stats:dashboard", "stats:rankings", "stats:index766", "stats:timing",
                 "stats:form06_dossiers"):
        assert get(client, nobody, name, unit=quarter.province_code, **Q1).status_code == 403, name
    url = reverse("stats:form06_export", args=["xlsx"])
    assert client.get(url, {"unit": quarter.province_code, **Q1}).status_code == 403


def test_commune_leader_gets_404_outside_their_commune(client: Client, quarter: Quarter) -> None:
    w = quarter.world
    commune_leader = make_staff("lanhdao_xa", "leader", unit=w.commune)
    for code in (w.province.code, w.other_commune.code, "KHONGCO"):
        response = get(client, commune_leader, "stats:form06", unit=code, **Q1)
        assert response.status_code == 404
        assert "trong phạm vi bạn được xem" in response.content.decode()
        response = client.get(reverse("stats:form06_export", args=["csv"]), {"unit": code, **Q1})
        assert response.status_code == 404
        response = get(client, commune_leader, "stats:form06_dossiers", unit=code, column="received_total", **Q1)
        assert response.status_code == 404
    own = get(client, commune_leader, "stats:form06", unit=w.commune.code, **Q1)
    assert own.status_code == 200 and w.commune.name in own.content.decode()
    # the default unit is their own
    assert w.commune.name in get(client, commune_leader, "stats:form06", **Q1).content.decode()


def test_anonymous_is_sent_to_login(client: Client, quarter: Quarter) -> None:
    response = client.get(reverse("stats:form06"), Q1)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("by", [None, *BY_CHOICES])
def test_drill_down_counts_equal_every_cell(quarter: Quarter, by: str | None) -> None:
    code = quarter.province_code
    report = compute_form06(code, Q1_FROM, Q1_TO, by=by)
    rows = [(TOTAL_ROW, report["totals"]), *((r["key"], r) for r in report["rows"])]
    assert by is None or len(rows) > (1 if by == "level" else 2)
    for row_key, counts in rows:
        for column in COUNT_KEYS:
            behind = dossiers_behind(code, Q1_FROM, Q1_TO, None, by, row_key, column)
            assert behind.count() == counts[column], (row_key, column)


def test_drill_down_with_a_running_as_of(quarter: Quarter) -> None:
    """As of the middle of the quarter (the state of each dossier then), on a commune."""
    import datetime as dt

    from motcua.workdays import TZ

    as_of = dt.datetime(2026, 2, 20, 12, tzinfo=TZ)
    code = quarter.world.commune.code
    report = compute_form06(code, Q1_FROM, Q1_TO, as_of=as_of, by="procedure")
    for column in COUNT_KEYS:
        assert dossiers_behind(code, Q1_FROM, Q1_TO, as_of, None, TOTAL_ROW, column).count() == \
            report["totals"][column], column


def test_cell_links_open_the_list_of_dossiers(client: Client, quarter: Quarter, leader) -> None:  # noqa: ANN001
    page = get(client, leader, "stats:form06", unit=quarter.province_code, by="child", empty="1", **Q1).content.decode()
    report = compute_form06(quarter.province_code, Q1_FROM, Q1_TO, by="child")
    links = [urlparse(h.replace("&amp;", "&")) for h in
             __import__("re").findall(r'href="(/thong-ke/mau-06/ho-so/\?[^"]+)"', page)]
    assert len(links) == (len(report["rows"]) + 1) * (len(COUNT_KEYS))
    link = next(u for u in links if parse_qs(u.query)["column"] == ["resolved_late"]
                and parse_qs(u.query)["row"] == [TOTAL_ROW])
    response = client.get(link.path + "?" + link.query)
    assert response.status_code == 200
    html = response.content.decode()
    late = dossiers_behind(quarter.province_code, Q1_FROM, Q1_TO, None, None, TOTAL_ROW, "resolved_late")
    assert late.count() == report["totals"]["resolved_late"] > 0
    for d in late:
        assert f'href="/office/dossiers/{d.code}/"' in html
    assert f'<span data-testid="dossier-count">{late.count()} hồ sơ' in html


def _xlsx_rows(content: bytes) -> tuple[list[list], int]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(values) if r[0] == "STT")
    return values, header


@pytest.mark.parametrize("by", ["child", "level", "procedure"])
def test_every_export_downloads_and_matches_the_json(client: Client, quarter: Quarter, leader, by: str) -> None:  # noqa: ANN001
    client.force_login(leader)
    params = {"unit": quarter.province_code, "by": by, **Q1}
    url = lambda fmt: reverse("stats:form06_export", args=[fmt])  # noqa: E731
    j = client.get(url("json"), params)
    assert j.status_code == 200 and j["Content-Type"].startswith("application/json")
    report = json.loads(j.content)
    assert report == compute_form06(quarter.province_code, Q1_FROM, Q1_TO, by=by)

    x = client.get(url("xlsx"), params)
    assert x["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in x["Content-Disposition"]
    values, header = _xlsx_rows(x.content)
    flat = " ".join(str(v) for r in values for v in r if v)
    for text in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số hồ sơ nhận giải quyết", "Số hồ sơ đã giải quyết",
                 "Số hồ sơ đang giải quyết", "Biểu số II.06a/VPCP/KSTT",
                 "THỦ TRƯỞNG ĐƠN VỊ", "NGƯỜI LẬP BIỂU", report["unit"]["name"].upper()):
        assert text in flat, text
    body = values[header + 4: header + 4 + len(report["rows"]) + 1]  # three header rows, one of column numbers
    for line, row in zip(body, [*report["rows"], report["totals"]], strict=True):
        assert line[1] == row.get("label", "Tổng cộng")
        for offset, key in enumerate(OFFICIAL_COLUMNS):
            assert line[2 + offset] == official_row(row)[key], key
        assert len([v for v in line if v is not None]) == 13

    c = client.get(url("csv"), params)
    assert c["Content-Type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(c.content.decode("utf-8-sig"))))
    assert [r["key"] for r in lines] == [r["key"] for r in report["rows"]] + ["total"]
    for line, row in zip(lines, [*report["rows"], report["totals"]], strict=True):
        for key in COUNT_KEYS:
            assert int(line[key]) == row[key]

    p = client.get(url("pdf"), params)
    assert p.status_code == 200 and p["Content-Type"] == "application/pdf" and p.content.startswith(b"%PDF")


def test_unknown_export_format_is_404(client: Client, quarter: Quarter, leader) -> None:  # noqa: ANN001
    client.force_login(leader)
    assert client.get(reverse("stats:form06_export", args=["exe"]), Q1).status_code == 404


def _legacy_commune_dossiers(quarter: Quarter) -> tuple[str, list]:
    """A legacy province version, district and commune (until 2025-06-30) whose commune became Xã Một
    in the 2025 reorganisation; dossiers received there in 2024, in every state."""
    import datetime as dt

    from motcua.dossiers import services
    from motcua.units.models import AdministrativeUnit
    from tests.stats_support import at

    w = quarter.world
    legacy = {"valid_from": dt.date(2004, 1, 1), "valid_to": dt.date(2025, 6, 30)}
    old_p = AdministrativeUnit.objects.create(code=w.province.code, name="Tỉnh Thử (cũ)", level="province", **legacy)
    old_p.successors.add(w.province)
    district = AdministrativeUnit.objects.create(code=f"{w.province.code}1", name="Huyện Cũ", level="district",
                                                parent=old_p, **legacy)
    commune = AdministrativeUnit.objects.create(code=f"{w.province.code}101", name="Xã Cũ", level="commune",
                                               parent=district, **legacy)
    commune.successors.add(w.commune)
    made = []
    for month in (2, 5, 9, 12):
        d = services.receive(procedure=w.procedure, unit=commune, at=at(dt.date(2024, month, 5), 9), role="counter")
        if month < 12:
            d = services.perform(d, "hand_over", role="counter", at=at(dt.date(2024, month, 5), 10))
            d = services.perform(d, "hand_over", role="specialist", at=at(dt.date(2024, month, 5), 11))
            finish = at(dt.date(2024, month, 6), 9) if month != 9 else at(dt.date(2024, month, 25), 9)
            d = services.perform(d, "resolve", role="head", at=finish)
        made.append(d)
    return w.province.code, made


@pytest.mark.parametrize("by", [None, "child", "procedure"])
def test_drill_down_on_todays_units_equals_every_cell(quarter: Quarter, by: str | None) -> None:
    """Re-aggregated onto today's units, a legacy commune's 2024 dossiers are in Xã Một's row, and the
    list behind every cell still has exactly the cell's number of dossiers."""
    import datetime as dt

    from motcua.stats.drill import supports_today_units

    if not supports_today_units():
        pytest.skip("report form 06 cannot re-aggregate onto today's units yet")
    code, made = _legacy_commune_dossiers(quarter)
    y_from, y_to = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
    today = compute_form06(code, y_from, y_to, by=by, units="today")
    as_was = compute_form06(code, y_from, y_to, by=by)
    assert today["totals"] == as_was["totals"] and today["totals"]["received_total"] == len(made)
    if by == "child":
        assert {r["key"] for r in today["rows"] if r["received_total"]} == {quarter.world.commune.code}
        assert {r["key"] for r in as_was["rows"] if r["received_total"]} == {f"{code}1"}
    for units, report in (("today", today), ("as_was", as_was)):
        for row_key, counts in [(TOTAL_ROW, report["totals"]), *((r["key"], r) for r in report["rows"])]:
            for column in COUNT_KEYS:
                behind = dossiers_behind(code, y_from, y_to, None, by, row_key, column, units=units)
                assert behind.count() == counts[column], (units, row_key, column)


def test_form06_screen_on_todays_units(client: Client, quarter: Quarter, leader) -> None:  # noqa: ANN001
    from motcua.stats.drill import supports_today_units

    if not supports_today_units():
        pytest.skip("report form 06 cannot re-aggregate onto today's units yet")
    code, made = _legacy_commune_dossiers(quarter)
    client.force_login(leader)
    params = {"unit": code, "period": "year", "year": "2024", "by": "child", "units": "today"}
    response = client.get(reverse("stats:form06"), params)
    assert response.status_code == 200
    rows = {r["key"]: r for r in response.context["report"]["rows"]}
    assert rows[quarter.world.commune.code]["received_total"] == len(made)
    html = response.content.decode()
    link = html.split(f'data-row="{quarter.world.commune.code}"')[1].split('href="')[2].split('"')[0]
    assert "units=today" in link
    drill = client.get(link.replace("&amp;", "&"))
    assert drill.status_code == 200 and drill.context["page"].paginator.count == len(made)
