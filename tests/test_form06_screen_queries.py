"""The form 06 screen of a province by commune: the same number of queries whatever the number of
communes (no query per row or per cell), and the same figures as its JSON download."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.units.models import AdministrativeUnit
from tests.stats_support import build_quarter, make_staff

pytestmark = pytest.mark.django_db
Q1 = "period=quarter&year=2026&n=1&by=child&empty=1"


@pytest.fixture(autouse=True)
def report_convention(settings) -> None:  # noqa: ANN001
    settings.MOTCUA_REPORT_CONVENTION = "calendar"


def _screen(client: Client, code: str) -> tuple[int, str]:
    client.get(f"/thong-ke/mau-06/?unit={code}&{Q1}")  # warm (sessions, caches)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/thong-ke/mau-06/?unit={code}&{Q1}")
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


def test_the_screen_makes_as_many_queries_for_forty_communes_as_for_two() -> None:
    quarter = build_quarter()
    province = quarter.world.province
    client = Client()
    client.force_login(make_staff("lanhdao_tinh", "leader", unit=province))
    few, page = _screen(client, province.code)
    assert page.count("<tr data-row=") == 2 + 1  # Xã Một, Xã Hai, and the province itself
    for n in range(40):
        AdministrativeUnit.objects.create(code=f"{province.code}7{n:03d}", name=f"Xã Thêm {n}", level="commune",
                                          parent=province, valid_from=dt.date(2025, 7, 1))
    many, page = _screen(client, province.code)
    assert page.count("<tr data-row=") >= 40 + 2
    assert many == few
    data = json.loads(client.get(f"/thong-ke/mau-06/tai-ve.json?unit={province.code}&{Q1}").content)
    late = data["totals"]["resolved_late"]
    assert 'data-row="total"' in page and f">{late}</a></td>" in page
