"""The other statistics screens: dashboard, rankings, 766 index, timing, early warning; the public
dashboard without personal data; no screen answers 500 to junk query parameters."""
from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from motcua.reports.form06 import compute_form06
from motcua.workdays import TZ
from tests.stats_support import Q1_FROM, Q1_TO, Quarter, build_quarter, make_staff

pytestmark = pytest.mark.django_db
Q1 = {"period": "quarter", "year": "2026", "n": "1"}
SCREENS = ["stats:dashboard", "stats:form06", "stats:form06_dossiers", "stats:rankings", "stats:index766",
           "stats:index766_dossiers", "stats:timing", "stats:warnings"]


@pytest.fixture(autouse=True)
def setup(settings) -> None:  # noqa: ANN001
    settings.MOTCUA_REPORT_CONVENTION = "calendar"
    cache.clear()


@pytest.fixture
def quarter() -> Quarter:
    return build_quarter()


@pytest.fixture
def leader(quarter: Quarter):  # noqa: ANN201
    return make_staff("lanhdao_tinh", "leader", unit=quarter.world.province)


def test_leader_dashboard(client: Client, quarter: Quarter, leader) -> None:  # noqa: ANN001
    client.force_login(leader)
    response = client.get(reverse("stats:dashboard"), {"unit": quarter.province_code, **Q1})
    assert response.status_code == 200
    html = response.content.decode()
    report = compute_form06(quarter.province_code, Q1_FROM, Q1_TO)
    data = response.context["chart"]
    t = report["totals"]
    assert data["mix"]["values"] == [t["received_online"], t["received_direct"], t["received_postal"]]
    march = next(m for m in data["trend"] if m["label"] == "03/2026")
    march_report = compute_form06(quarter.province_code, Q1_TO.replace(day=1), Q1_TO)["totals"]
    assert march["rate"] == round(march_report["on_time_rate"] * 100, 2)
    assert "Xã Một" in html and "Xã Hai" in html  # the ranking of the leader's communes
    assert "ít hồ sơ" in html  # 12 dossiers each: below the default threshold of 30
    assert "vendor/chart.umd.min.js" in html
    assert "/thong-ke/mau-06/tai-ve.xlsx?" in html and "n=1" in html


def test_rankings_show_position_and_small_sample_mark(client: Client, quarter: Quarter, leader) -> None:  # noqa: ANN001
    client.force_login(leader)
    response = client.get(reverse("stats:rankings"), {"unit": quarter.province_code, "min": "1", **Q1})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r["group_size"] for r in rows] == [2, 2]
    html = response.content.decode()
    assert f'{rows[0]["position"]}</td>' in html and rows[0]["position"] in ("1/2",)
    response = client.get(reverse("stats:rankings"), {"unit": quarter.province_code, "min": "50", **Q1})
    assert all(r["small_sample"] for r in response.context["rows"])
    assert response.content.decode().count("badge text-bg-warning") == 2


def test_index_766_and_its_drill_down(client: Client, quarter: Quarter, leader) -> None:  # noqa: ANN001
    client.force_login(leader)
    response = client.get(reverse("stats:index766"), {"unit": quarter.province_code, **Q1})
    assert response.status_code == 200
    result = response.context["result"]
    assert result["groups"] and result["points"] > 0
    late_ind = next(i for g in result["groups"] for i in g["indicators"] if i["code"] == "2.1")
    assert late_ind["points"] < late_ind["max_points"]
    drill = client.get(reverse("stats:index766_dossiers"), {"unit": quarter.province_code, "indicator": "2.1", **Q1})
    assert drill.status_code == 200
    codes = [d.code for d in drill.context["page"]]
    assert codes and all(f"/office/dossiers/{c}/" in drill.content.decode() for c in codes)


def test_timing_chart(client: Client, quarter: Quarter, leader) -> None:  # noqa: ANN001
    client.force_login(leader)
    code = quarter.world.procedure.code
    response = client.get(reverse("stats:timing"), {"unit": quarter.province_code, "procedure": code, **Q1})
    assert response.status_code == 200
    chart = response.context["chart"]
    assert chart["labels"] == ["1. Bước 1", "2. Bước 2", "3. Bước 3"]
    assert 'id="timing-data"' in response.content.decode()
    # without a procedure the busiest one of the period is shown
    response = client.get(reverse("stats:timing"), {"unit": quarter.province_code, **Q1})
    assert response.status_code == 200 and response.context["result"] is not None


def test_early_warning_for_a_head(client: Client, quarter: Quarter) -> None:
    head = make_staff("truong_phong", "head", agency=quarter.world.agency)
    client.force_login(head)
    response = client.get(reverse("stats:warnings"))
    assert response.status_code == 200
    codes = {r["code"] for r in response.context["rows"]}
    open_overdue = [d for d in quarter.dossiers if d.agency_id == quarter.world.agency.pk
                    and d.status in ("received", "in_processing") and d.due_at is not None]
    assert open_overdue and {d.code for d in open_overdue} <= codes
    assert all(d.agency_id == quarter.world.agency.pk for d in quarter.dossiers if d.code in codes)
    # a head has no unit scope: the unit reports are closed to them
    assert client.get(reverse("stats:form06"), Q1).status_code == 403


JUNK = [
    {"from": "2026-13-45", "to": "2026-01-01"},
    {"period": "custom", "from": "2026-02-30", "to": "x"},
    {"period": "quarter", "year": "2026", "n": "9"},
    {"period": "year", "year": "99999999999"},
    {"period": "evil"},
    {"by": "evil"},
    {"unit": "không-có"},
    {"unit": "\x00"},
    {"unit": "X" * 500},
    {"metric": "evil", "min": "-3", "hours": "abc"},
    {"indicator": "'; drop table", "column": "evil", "row": "x" * 300, "as_of": "2026-99-99T99:99"},
    {"procedure": "<script>", "page": "-1"},
    {"period": "year", "year": "2030"},
]


@pytest.mark.parametrize("junk", JUNK)
def test_no_screen_answers_500_to_junk(client: Client, quarter: Quarter, leader, junk: dict) -> None:  # noqa: ANN001
    client.force_login(leader)
    for name in SCREENS:
        params = {"unit": quarter.province_code, **junk}
        response = client.get(reverse(name), params)
        assert response.status_code in (200, 400, 404), (name, response.status_code)
        if response.status_code != 200:
            assert 'data-testid="error"' in response.content.decode(), name
    for fmt in ("xlsx", "csv", "json", "pdf"):
        response = client.get(reverse("stats:form06_export", args=[fmt]), {"unit": quarter.province_code, **junk})
        assert response.status_code in (200, 400, 404), fmt
    for name in ("public_stats:dashboard", "public_stats:data_csv", "public_stats:data_json"):
        response = client.get(reverse(name), {"unit": quarter.province_code, **junk})
        assert response.status_code in (200, 400, 404), name


def test_bad_dates_give_a_clear_message(client: Client, quarter: Quarter, leader) -> None:  # noqa: ANN001
    client.force_login(leader)
    response = client.get(reverse("stats:form06"), {"unit": quarter.province_code, "from": "2026-13-45",
                                                     "to": "2026-03-31"})
    assert response.status_code == 400
    assert "ngày không hợp lệ “2026-13-45”" in response.content.decode()
    response = client.get(reverse("stats:form06"), {"unit": quarter.province_code, "by": "evil", **Q1})
    assert response.status_code == 400 and "Cách chia dòng phải là một trong" in response.content.decode()


# --- public -----------------------------------------------------------------------------------------

def _personal(quarter: Quarter) -> list[str]:
    values = []
    for person in quarter.applicants:
        values += [person.name, person.id_number, person.phone, person.email, person.address]
    values += [d.code for d in quarter.dossiers]
    return values


def test_public_dashboard_has_rates_and_no_personal_data(client: Client, quarter: Quarter) -> None:
    response = client.get(reverse("public_stats:dashboard"), {"unit": quarter.province_code, **Q1})
    assert response.status_code == 200
    html = response.content.decode()
    report = compute_form06(quarter.province_code, Q1_FROM, Q1_TO, by="child")
    assert "Xã Một" in html and "Xã Hai" in html and quarter.world.procedure.name in html
    assert f"{report['totals']['on_time_rate'] * 100:.1f}%".replace(".", ",") in html
    assert "Tỷ lệ đúng hạn = 1 −" in html and "số liệu tính đến" in html  # the method, on the page
    for value in _personal(quarter):
        assert value not in html, value


def test_open_data_downloads_have_no_personal_data(client: Client, quarter: Quarter) -> None:
    params = {"unit": quarter.province_code, **Q1}
    j = client.get(reverse("public_stats:data_json"), params)
    assert j.status_code == 200 and j["Content-Type"].startswith("application/json")
    data = json.loads(j.content)
    report = compute_form06(quarter.province_code, Q1_FROM, Q1_TO, by="child")
    assert data["totals"]["to_handle"] == report["totals"]["received_total"] - report["totals"]["withdrawn"]
    assert data["totals"]["on_time_rate"] == round(report["totals"]["on_time_rate"], 4)
    assert data["period"]["from"] == "2026-01-01" and data["as_of"].startswith("2026-03-31T23:59:59")
    assert any("Tỷ lệ đúng hạn" in line for line in data["method"])
    c = client.get(reverse("public_stats:data_csv"), params)
    assert c.status_code == 200 and c["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(c.content.decode("utf-8-sig"))))
    assert rows[0]["nhom"] == "tong" and int(rows[0]["phai_giai_quyet"]) == data["totals"]["to_handle"]
    assert {r["nhom"] for r in rows} == {"tong", "don_vi", "thu_tuc"}
    for body in (j.content.decode(), c.content.decode("utf-8-sig")):
        for value in _personal(quarter):
            assert value not in body, value



def test_public_dashboard_without_a_unit_shows_the_province_of_the_latest_dossier(client: Client,
                                                                                  quarter: Quarter) -> None:
    from motcua.dossiers.models import Dossier
    from motcua.stats.public import default_unit

    assert Dossier.objects.latest("received_at").unit.parent is not None  # a commune: the walk goes up
    assert default_unit(Q1_TO).code == quarter.province_code
    response = client.get(reverse("public_stats:dashboard"), Q1)
    assert response.status_code == 200
    assert "Xã Một" in response.content.decode()

def test_public_unknown_unit_is_404_with_a_message(client: Client, quarter: Quarter) -> None:
    response = client.get(reverse("public_stats:dashboard"), {"unit": "KHONGCO"})
    assert response.status_code == 404 and "Không có đơn vị hành chính mã" in response.content.decode()


def test_running_period_uses_now_as_the_as_of(client: Client, quarter: Quarter, leader, monkeypatch) -> None:  # noqa: ANN001
    import datetime as dt

    from motcua.stats import params

    monkeypatch.setattr(params, "now", lambda: dt.datetime(2026, 2, 20, 12, 3, tzinfo=TZ))
    client.force_login(leader)
    response = client.get(reverse("stats:form06"), {"unit": quarter.province_code, **Q1})
    report = response.context["report"]
    assert report["as_of"] == "2026-02-20T12:03:00+07:00"
    assert report == compute_form06(quarter.province_code, Q1_FROM, Q1_TO,
                                     as_of=dt.datetime(2026, 2, 20, 12, 3, tzinfo=TZ), by="child")
    response = client.get(reverse("stats:form06"), {"unit": quarter.province_code, "period": "quarter",
                                                     "year": "2026", "n": "2"})
    assert response.status_code == 400 and "chưa bắt đầu" in response.content.decode()


def test_screens_default_to_the_users_own_unit(client: Client, quarter: Quarter, leader) -> None:  # noqa: ANN001
    """A province leader sees every unit, but lands on their own province, not the first in the list."""
    client.force_login(leader)
    response = client.get(reverse("stats:dashboard"), Q1)
    assert response.status_code == 200
    assert response.context["report"]["unit"]["code"] == quarter.province_code
