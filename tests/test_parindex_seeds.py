"""The seeds' PAR figures, each built through the services and read back from the screen's data, the
xlsx exports, the API, the public page and ``figures()``:
seed 004 — Vũ Quang 2022: 89.30, 12th of 13, with the reasons points were lost;
seed 001 — Mê Linh 2023: 13th of 30, up 10 places from 2021."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import User

from motcua.api.models import ApiToken
from motcua.parindex import demo, figures
from motcua.parindex.models import Assessment
from motcua.units.models import AdministrativeUnit, StaffRole
from motcua.units.scoping import descendant_unit_ids

pytestmark = pytest.mark.django_db
REASONS = {"1.3.1": ("0", "Không có sáng kiến kinh nghiệm cấp tỉnh"),
           "4.1.1": ("0", "Có cán bộ, công chức bị kiểm điểm, xem xét kỷ luật"),
           "3.1.1": ("4.30", "Số lượng lãnh đạo tại 1 đơn vị chưa đúng quy định")}


def _province(code: str, name: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.create(code=code, name=name, level="province", valid_from=dt.date(2000, 1, 1))


def _district(code: str, name: str, province: AdministrativeUnit) -> AdministrativeUnit:
    return AdministrativeUnit.objects.create(code=code, name=name, level="district", parent=province,
                                             valid_from=dt.date(2000, 1, 1), valid_to=dt.date(2025, 6, 30))


def _user(name: str, role: str, unit: AdministrativeUnit) -> User:
    user = User.objects.create_user(name, password="mat-khau-dai-1234")
    StaffRole.objects.create(user=user, role=role, unit=unit)
    return user


def _rows(content: bytes) -> tuple[str, list[tuple]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return str(sheet.cell(1, 1).value), list(sheet.iter_rows(min_row=4, values_only=True))


def test_seed004_vu_quang_2022_89_30_twelfth_of_13_with_the_reasons(client) -> None:  # noqa: ANN001
    ha_tinh = _province("Z42", "Tỉnh Thử Hà Tĩnh")
    vu_quang = _district("Z42VQ", "Huyện Vũ Quang", ha_tinh)
    others = [_district(f"Z42{n:02d}", f"Huyện {n:02d}", ha_tinh) for n in range(12)]
    index_set = demo.district_set(2022)
    demo.ranked(index_set, vu_quang, REASONS)
    for n, unit in enumerate(others[:11]):  # 100, 99.50 … 95.00: above
        demo.ranked(index_set, unit, {"2.2.1": (str(Decimal(5) - Decimal(n) / 2), "Rà soát chưa đủ")})
    demo.ranked(index_set, others[11], {"2.2.1": ("0", "Chưa rà soát"), "5.1.1": ("0", "Chưa công khai"),
                                        "2.2.2": ("0", "Không xử lý phản ánh")})  # 86.00: below
    a = Assessment.objects.get(unit=vu_quang)
    appraiser = _user("thamdinh", "appraiser", ha_tinh)
    client.force_login(appraiser)

    page = client.get(f"/chi-so-cchc/{a.pk}/")
    ctx = page.context
    assert (str(ctx["result"].index), ctx["result"].band, ctx["rank"], ctx["peers"]) == ("89.30", "B", 12, 13)
    lost = {row["code"]: (row["lost"], row["reason"]) for row in ctx["lost"]}
    assert lost == {"1.3.1": (Decimal(5), REASONS["1.3.1"][1]), "4.1.1": (Decimal(5), REASONS["4.1.1"][1]),
                    "3.1.1": (Decimal("0.70"), REASONS["3.1.1"][1])}
    body = page.content.decode()
    assert "12/13" in body and "Không có sáng kiến kinh nghiệm cấp tỉnh" in body

    title, rows = _rows(client.get("/chi-so-cchc/bo/vi-du-cap-huyen-2022/xep-hang/?format=xlsx").content)
    assert "13 đơn vị" in title and len(rows) == 13
    assert rows[11] == (12, "Huyện Vũ Quang", 89.3, "B", None)
    _title, rows = _rows(client.get(f"/chi-so-cchc/{a.pk}/?format=xlsx").content)
    assert rows[-1][8] == 89.3 and "hạng 12/13" in rows[-1][9]
    by_code = {r[0]: r for r in rows}
    assert (by_code["4.1.1"][7], by_code["4.1.1"][10]) == (0, REASONS["4.1.1"][1])

    # figures(): for the district (and below) the district's own index; for the province, none of its own.
    got = figures.figures(descendant_unit_ids(vu_quang), dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    assert (got["par_index"], got["par_rank"], got["par_peers"]) == ("89.30", 12, 13)
    assert figures.figures(descendant_unit_ids(ha_tinh), dt.date(2022, 1, 1), dt.date(2022, 12, 31))[
        "par_index"] is None
    assert figures.figures(descendant_unit_ids(vu_quang), dt.date(2023, 1, 1), dt.date(2023, 12, 31))[
        "par_index"] is None

    # The API: the ranking and the sub-criteria where points were lost.
    token = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=appraiser, role='appraiser', name='t')[1]}"}
    ranking = client.get("/api/oversight/par-sets/vi-du-cap-huyen-2022/ranking", **token).json()
    row = next(r for r in ranking if r["unit"] == "Z42VQ")
    assert (row["rank"], row["peers"], row["index"], row["assessment_id"]) == (12, 13, "89.30", a.pk)
    scores = client.get(f"/api/oversight/par-assessments/{a.pk}/scores", **token).json()
    assert {s["code"]: s["appraiser_note"] for s in scores if Decimal(str(s["lost"]))} == {
        code: reason for code, (_p, reason) in REASONS.items()}

    # Published: open to everyone at the public address, read-only.
    client.logout()
    public = client.get(f"/chi-so-cchc/cong-bo/{a.pk}/")
    assert (str(public.context["result"].index), public.context["rank"], public.context["peers"]) == ("89.30", 12, 13)
    assert 'name="csrfmiddlewaretoken"' not in public.content.decode()
    assert "Huyện Vũ Quang" in client.get("/chi-so-cchc/cong-bo/").content.decode()


def test_seed001_me_linh_2023_13th_of_30_up_10_places_from_2021(client) -> None:  # noqa: ANN001
    ha_noi = _province("Z01", "Thành phố Thử Hà Nội")
    me_linh = _district("Z01ML", "Huyện Mê Linh", ha_noi)
    others = [_district(f"Z01{n:02d}", f"Quận {n:02d}", ha_noi) for n in range(29)]
    for year, place in ((2021, 23), (2023, 13)):
        index_set = demo.district_set(year)
        rest = iter(others)
        for rank in range(1, 31):  # 100 − rank/4: distinct indexes, in rank order
            cut = str(Decimal(5) - Decimal(rank) / 8)
            demo.ranked(index_set, me_linh if rank == place else next(rest),
                        {"2.2.1": (cut, "Rà soát chưa đủ"), "2.2.2": (cut, "Xử lý phản ánh chậm")})
    a = Assessment.objects.get(unit=me_linh, year=2023)
    client.force_login(_user("hn.cchc", "par_officer", me_linh))

    page = client.get("/chi-so-cchc/bo/vi-du-cap-huyen-2023/xep-hang/?so_voi=2021")
    row = next(r for r in page.context["rows"] if r["unit"].code == "Z01ML")
    assert (row["rank"], row["peers"], row["change"]) == (13, 30, 10)
    assert "tăng 10 bậc" in page.content.decode()
    assert len(page.context["rows"]) == 30 and all(r["openable"] for r in page.context["rows"])  # all published
    _title, rows = _rows(client.get("/chi-so-cchc/bo/vi-du-cap-huyen-2023/xep-hang/?so_voi=2021&format=xlsx").content)
    # 13th: 5 − 13/8 = 3.375 kept as 3.38 on two sub-criteria, 2 × 1.62 lost.
    assert next(r for r in rows if r[1] == "Huyện Mê Linh") == (13, "Huyện Mê Linh", 96.76, "A", 10)

    detail = client.get(f"/chi-so-cchc/{a.pk}/")
    assert (detail.context["rank"], detail.context["peers"]) == (13, 30)
    assert [(e["year"], e["rank"], e["change"]) for e in detail.context["earlier"]] == [(2021, 23, 10)]
    assert "tăng 10 bậc" in detail.content.decode()
    other = Assessment.objects.get(unit=others[0], year=2023)
    assert client.get(f"/chi-so-cchc/{other.pk}/").status_code == 200  # published: open to all

    got = figures.figures(descendant_unit_ids(me_linh), dt.date(2021, 1, 1), dt.date(2023, 12, 31))
    assert (got["par_rank"], got["par_peers"], got["par_rank_change"], got["par_year"]) == (13, 30, 10, 2023)
    got = figures.figures(descendant_unit_ids(me_linh), dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert (got["par_rank"], got["par_rank_change"]) == (13, None)  # no earlier year in the period
