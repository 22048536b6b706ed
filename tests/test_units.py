"""The real administrative units loaded by migration units.0002 (see motcua/units/loader.py)."""
from __future__ import annotations

import datetime as dt
import re
import sqlite3
import unicodedata
from collections import Counter

import pytest
from django.conf import settings

from motcua.units.loader import (
    CURRENT_FROM,
    LEGACY_TO,
    current_units_from_vietnam_provinces,
    move_unit,
    package_dir,
)
from motcua.units.models import AdministrativeUnit as Unit
from motcua.units.models import Level

pytestmark = pytest.mark.django_db

LEGACY = {"valid_to": LEGACY_TO}
CURRENT = {"valid_to__isnull": True}


def package_counts() -> dict[str, int]:
    """Distinct codes per level, straight from the package's database (not through our loader)."""
    path = package_dir("vietnamadminunits") / "data" / "dataset.db"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        p, d, w = conn.execute(
            "SELECT COUNT(DISTINCT provinceCode), COUNT(DISTINCT districtCode), COUNT(DISTINCT wardCode) "
            "FROM admin_units_legacy"
        ).fetchone()
    return {"province": p, "district": d, "commune": w}


def test_current_units_are_34_provinces_and_3321_communes() -> None:
    # Decision 19/2025/QĐ-TTg: 34 provinces, 3,321 communes, no districts.
    assert Unit.objects.filter(level=Level.PROVINCE, **CURRENT).count() == 34
    assert Unit.objects.filter(level=Level.COMMUNE, **CURRENT).count() == 3321
    assert not Unit.objects.filter(level=Level.DISTRICT, **CURRENT).exists()
    assert set(Unit.objects.filter(**CURRENT).values_list("valid_from", flat=True)) == {CURRENT_FROM}
    # province → commune directly
    communes = Unit.objects.filter(level=Level.COMMUNE, **CURRENT)
    assert not communes.exclude(parent__level=Level.PROVINCE).exists()
    assert not communes.exclude(parent__valid_to__isnull=True).exists()


def test_legacy_units_are_the_last_state_before_2025_07() -> None:
    # The package holds the tree as it stood on 2025-06-30: 63 provinces, 696 districts (not the
    # ~705 of 2019: 2019–2025 mergers removed some) and 10,035 communes. Five island districts
    # (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo) have no communes.
    expected = package_counts()
    assert expected == {"province": 63, "district": 696, "commune": 10035}
    for level, count in expected.items():
        codes = Unit.objects.filter(level=level, **LEGACY).values_list("code", flat=True)
        assert codes.count() == count, level
    # one extra version each for Minh Quang and Phúc Sơn (under Chiêm Hóa before the move)
    assert Unit.objects.filter(level=Level.COMMUNE, valid_from__lt=CURRENT_FROM).count() == 10035 + 2
    empty = Unit.objects.filter(level=Level.DISTRICT, **LEGACY, children__isnull=True)
    assert sorted(empty.values_list("name", flat=True)) == [
        "Huyện Bạch Long Vĩ", "Huyện Côn Đảo", "Huyện Cồn Cỏ", "Huyện Hoàng Sa", "Huyện Lý Sơn",
    ]


def test_codes_are_zero_padded_by_level() -> None:
    widths = {Level.PROVINCE: 2, Level.DISTRICT: 3, Level.COMMUNE: 5}
    for level, width in widths.items():
        codes = set(Unit.objects.filter(level=level).values_list("code", flat=True))
        assert codes and all(len(c) == width and c.isdigit() for c in codes), level


def test_ngan_son_district() -> None:
    # docs/architecture.md, "report": report --unit 062 → "Huyện Ngân Sơn"
    ngan_son = Unit.objects.get(code="062")
    assert ngan_son.name == "Huyện Ngân Sơn"
    assert ngan_son.level == Level.DISTRICT
    assert (ngan_son.parent.code, ngan_son.parent.name) == ("06", "Tỉnh Bắc Kạn")
    assert ngan_son.valid_to == LEGACY_TO
    assert ngan_son.children.count() == 10
    # Bắc Kạn went into Thái Nguyên (19) in 2025; the district's successors are the new
    # communes its communes went into, and that province.
    successors = list(ngan_son.successors.all())
    assert {(s.code, s.level) for s in successors if s.level == Level.PROVINCE} == {("19", Level.PROVINCE)}
    communes = [s for s in successors if s.level == Level.COMMUNE]
    assert communes and all(c.parent.code == "19" and c.valid_to is None for c in communes)
    went_to = Unit.objects.filter(predecessors__parent=ngan_son).distinct()
    assert set(went_to) == set(communes)


def test_legacy_province_successor() -> None:
    bac_kan = Unit.objects.get(code="06")
    assert [(s.code, s.name) for s in bac_kan.successors.all()] == [("19", "Tỉnh Thái Nguyên")]
    tuyen_quang = Unit.objects.get(code="08", valid_to=LEGACY_TO)
    ha_giang = Unit.objects.get(code="02")
    new_tuyen_quang = Unit.objects.get(code="08", valid_to__isnull=True)
    assert set(new_tuyen_quang.predecessors.filter(level=Level.PROVINCE)) == {tuyen_quang, ha_giang}
    # legacy districts also point at the province they went into
    assert new_tuyen_quang.predecessors.filter(level=Level.DISTRICT, code="071").exists()


def test_every_legacy_commune_has_a_current_successor() -> None:
    last = Unit.objects.filter(level=Level.COMMUNE, **LEGACY)
    assert not last.filter(successors__isnull=True).exists()
    assert not Unit.objects.filter(level=Level.COMMUNE, **CURRENT, predecessors__isnull=True).exists()


def test_split_legacy_commune_has_several_successors() -> None:
    # Phường Vĩnh Niệm (Lê Chân, Hải Phòng) was divided between two new wards.
    vinh_niem = Unit.objects.get(name="Phường Vĩnh Niệm", parent__name="Quận Lê Chân")
    names = sorted(vinh_niem.successors.values_list("name", flat=True))
    assert names == ["Phường An Biên", "Phường Lê Chân"]


def test_current_codes_follow_the_published_list() -> None:
    # Statistics Office list behind Decision 19/2025 (Công văn 1027/CTK-CSCL): Phường Cửa Nam is
    # 00082 and Phường Hoàng Mai 00331; the draft codes in vietnam-provinces differ.
    assert Unit.objects.get(code="00082", **CURRENT).name == "Phường Cửa Nam"
    assert Unit.objects.get(code="00331", **CURRENT).name == "Phường Hoàng Mai"
    assert Unit.objects.get(code="02302", **CURRENT).name == "Xã Minh Quang"
    # the code 00082 also names a legacy commune that went into Cửa Nam: dates tell them apart
    legacy_00082 = Unit.objects.get(code="00082", **LEGACY)
    assert legacy_00082.successors.filter(code="00082", **CURRENT).exists()


def _plain(name: str) -> str:
    name = "".join(c for c in unicodedata.normalize("NFD", name.lower()) if unicodedata.category(c) != "Mn")
    return re.sub(r"[^a-z0-9đ]+", " ", name).strip()


def test_same_communes_as_vietnam_provinces() -> None:
    # Cross-check with the other package: same communes per province (names up to tone-mark
    # placement and spacing), even where the codes differ.
    theirs = Counter((p, _plain(n)) for p, n in current_units_from_vietnam_provinces().values())
    ours = Counter(
        (p, _plain(n))
        for p, n in Unit.objects.filter(level=Level.COMMUNE, **CURRENT).values_list("parent__code", "name")
    )
    assert ours == theirs


def test_lam_binh_move_keeps_history() -> None:
    # Seed 000: Minh Quang and Phúc Sơn moved from Chiêm Hóa to Lâm Bình (NQ 1262/NQ-UBTVQH14).
    for name in ("Xã Minh Quang", "Xã Phúc Sơn"):
        versions = list(Unit.objects.filter(name=name, parent__parent__code="08").order_by("valid_from"))
        assert [(v.parent.name, v.valid_from, v.valid_to) for v in versions] == [
            ("Huyện Chiêm Hóa", dt.date(2000, 1, 1), dt.date(2021, 5, 31)),
            ("Huyện Lâm Bình", dt.date(2021, 6, 1), LEGACY_TO),
        ]
        before, after = versions
        assert before.code == after.code
        assert list(before.successors.all()) == [after]
        assert Unit.objects.valid_on(dt.date(2020, 1, 1)).get(code=before.code) == before
        assert Unit.objects.valid_on(dt.date(2022, 2, 20)).get(code=before.code) == after
    assert Unit.objects.get(code="02302", **LEGACY).successors.get().name == "Xã Minh Quang"


def test_move_unit_closes_and_opens_versions() -> None:
    ngan_son = Unit.objects.get(code="062")
    na_phac = ngan_son.children.get(name="Thị trấn Nà Phặc")
    cho_don = Unit.objects.get(code="063")  # another Bắc Kạn district
    new = move_unit(na_phac, cho_don, dt.date(2024, 1, 1))
    na_phac.refresh_from_db()
    assert na_phac.valid_to == dt.date(2023, 12, 31)
    assert na_phac.parent == ngan_son
    assert (new.code, new.name, new.parent, new.valid_from, new.valid_to) == (
        na_phac.code, na_phac.name, cho_don, dt.date(2024, 1, 1), LEGACY_TO,
    )
    assert list(na_phac.successors.all()) == [new]
    # the 2025 successor links now start from the version that existed on 2025-06-30
    assert list(new.successors.values_list("code", "valid_from")) == [("01936", CURRENT_FROM)]
    with pytest.raises(ValueError):
        move_unit(na_phac, cho_don, dt.date(2024, 6, 1))  # already closed by then


def test_move_unit_moves_children_with_a_district() -> None:
    ngan_son = Unit.objects.get(code="062")
    thai_nguyen_legacy = Unit.objects.get(code="19", valid_to=LEGACY_TO)
    new = move_unit(ngan_son, thai_nguyen_legacy, dt.date(2022, 1, 1))
    assert new.children.count() == 10
    assert not ngan_son.children.filter(valid_to=LEGACY_TO).exists()
    for old_child in ngan_son.children.all():
        assert old_child.valid_to == dt.date(2021, 12, 31)
        assert old_child.successors.get(parent=new).code == old_child.code


def test_move_unit_refuses_a_parent_at_the_wrong_level() -> None:
    minh_quang = Unit.objects.get(code="02302", **LEGACY)
    with pytest.raises(ValueError):
        move_unit(minh_quang, Unit.objects.get(code="02299", **LEGACY), dt.date(2022, 1, 1))
    with pytest.raises(ValueError):  # a current province did not exist in 2022
        move_unit(minh_quang, Unit.objects.get(code="08", **CURRENT), dt.date(2022, 1, 1))



def test_ancestors_are_the_unit_then_the_units_above_it_nearest_first() -> None:
    ngan_son = Unit.objects.get(code="062")
    na_phac = ngan_son.children.get(name="Thị trấn Nà Phặc")
    bac_kan = Unit.objects.get(code="06", **LEGACY)
    assert na_phac.ancestors() == [na_phac, ngan_son, bac_kan]
    assert na_phac.ancestors(include_self=False) == [ngan_son, bac_kan]
    assert bac_kan.ancestors() == [bac_kan]
    assert bac_kan.ancestors(include_self=False) == []


def test_ancestors_and_sessions_end_at_a_cycle_in_bad_data() -> None:
    ngan_son = Unit.objects.get(code="062")
    na_phac = ngan_son.children.get(name="Thị trấn Nà Phặc")
    bac_kan = Unit.objects.get(code="06", **LEGACY)
    Unit.objects.filter(pk=bac_kan.pk).update(parent=na_phac)  # province under its own commune
    na_phac = Unit.objects.get(pk=na_phac.pk)
    assert na_phac.ancestors() == [na_phac, ngan_son, bac_kan]
    assert na_phac.ancestors(include_self=False) == [ngan_son, bac_kan]
    assert na_phac.effective_sessions() == settings.MOTCUA_DEFAULT_SESSIONS
    Unit.objects.filter(pk=bac_kan.pk).update(sessions="07:00-11:00,13:00-17:00")
    assert Unit.objects.get(pk=na_phac.pk).effective_sessions() == "07:00-11:00,13:00-17:00"

def test_admin_lists_and_searches_units(client) -> None:  # noqa: ANN001
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", password="x")
    client.force_login(root)
    response = client.get("/admin/units/administrativeunit/", {"q": "062"})
    assert response.status_code == 200
    assert "Huyện Ngân Sơn" in response.content.decode()
    response = client.get("/admin/units/administrativeunit/", {"level": "district", "current": "no", "q": "Lâm Bình"})
    assert response.status_code == 200 and "Huyện Lâm Bình" in response.content.decode()
    for model in ("calendaroverride", "agency", "staffrole"):
        assert client.get(f"/admin/units/{model}/").status_code == 200
    unit = Unit.objects.get(code="062")
    assert client.get(f"/admin/units/administrativeunit/{unit.pk}/change/").status_code == 200
