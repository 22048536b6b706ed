"""Who sees which dossiers, and the unit trees reports use (motcua/units/scoping.py).

Dossier rows are created directly as fixtures: only their unit and agency matter here."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.contrib.auth import get_user_model

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.policy import acting_roles
from motcua.units.loader import LEGACY_TO
from motcua.units.models import AdministrativeUnit as Unit
from motcua.units.models import Agency, Level, Role, StaffRole
from motcua.units.scoping import (
    can_see_dossier,
    descendant_unit_ids,
    units_below,
    user_agency_ids,
    user_roles,
    visible_dossiers,
    visible_unit_ids,
)

pytestmark = pytest.mark.django_db
_seq = itertools.count(1)


def legacy(code: str) -> Unit:
    return Unit.objects.get(code=code, valid_to=LEGACY_TO)


def current(code: str) -> Unit:
    return Unit.objects.get(code=code, valid_to__isnull=True)


def agency(unit: Unit, kind: str = Agency.Kind.PEOPLES_COMMITTEE) -> Agency:
    n = next(_seq)
    return Agency.objects.create(code=f"A{n}", name=f"UBND {unit.name}", kind=kind, unit=unit, level=unit.level)


def user(*roles: tuple[str, Agency | Unit], superuser: bool = False) -> object:
    u = get_user_model().objects.create_user(f"u{next(_seq)}", password="x", is_superuser=superuser)
    for role, scope in roles:
        if isinstance(scope, Agency):
            StaffRole.objects.create(user=u, role=role, agency=scope)
        else:
            StaffRole.objects.create(user=u, role=role, unit=scope)
    return u


@pytest.fixture
def procedure() -> Procedure:
    return Procedure.objects.create(code="1.000001", name="Thủ tục thử")


def dossier(procedure: Procedure, unit: Unit, agency: Agency | None = None) -> Dossier:
    return Dossier.objects.create(
        code=f"D{next(_seq)}", regime="2025", procedure=procedure, unit=unit, agency=agency,
        level=unit.level, channel="counter", status="received",
    )


# --- trees --------------------------------------------------------------------------------------

def test_units_below_a_legacy_district_as_units_were() -> None:
    minh_quang_chiem_hoa = Unit.objects.get(code="02302", valid_to=dt.date(2021, 5, 31))
    minh_quang_lam_binh = legacy("02302")
    lam_binh = units_below("071", dt.date(2021, 9, 15))
    assert legacy("071").pk in lam_binh
    assert minh_quang_lam_binh.pk in lam_binh and minh_quang_chiem_hoa.pk not in lam_binh
    assert set(lam_binh) == {legacy("071").pk} | set(legacy("071").children.values_list("pk", flat=True))
    chiem_hoa = units_below("073", dt.date(2020, 1, 1))
    assert minh_quang_chiem_hoa.pk in chiem_hoa and minh_quang_lam_binh.pk not in chiem_hoa
    # branch of each version: itself for the top, else the top's direct child
    assert chiem_hoa[minh_quang_chiem_hoa.pk] == minh_quang_chiem_hoa.pk


def test_units_below_a_legacy_province_follows_parent_chains() -> None:
    tree = units_below("08", dt.date(2021, 9, 15))
    province = legacy("08")
    communes = Unit.objects.filter(level=Level.COMMUNE, parent__parent=province)
    districts = Unit.objects.filter(parent=province)
    assert set(tree) == {province.pk} | set(districts.values_list("pk", flat=True)) | set(
        communes.values_list("pk", flat=True)
    )
    minh_quang_chiem_hoa = Unit.objects.get(code="02302", valid_to=dt.date(2021, 5, 31))
    assert tree[minh_quang_chiem_hoa.pk] == legacy("073").pk  # counted under Chiêm Hóa
    assert tree[legacy("02302").pk] == legacy("071").pk  # later under Lâm Bình


def test_units_below_todays_province_includes_the_legacy_units_it_replaced() -> None:
    tree = units_below("08", dt.date(2026, 1, 1))
    new = current("08")
    assert new.pk in tree and legacy("08").pk in tree and legacy("02").pk in tree  # Hà Giang merged in
    assert legacy("071").pk in tree and legacy("02302").pk in tree
    assert set(new.children.values_list("pk", flat=True)) <= set(tree)
    assert legacy("06").pk not in tree  # Bắc Kạn went to Thái Nguyên
    assert Unit.objects.get(code="062").pk not in tree
    # a legacy district rolls up under itself, not under a new commune
    assert tree[legacy("02302").pk] == legacy("071").pk


def test_units_below_unknown_code_is_empty() -> None:
    assert units_below("999") == {}


def test_units_below_costs_two_queries(django_assert_max_num_queries) -> None:  # noqa: ANN001
    with django_assert_max_num_queries(2):
        tree = units_below("08", dt.date(2026, 1, 1))
    old_communes = Unit.objects.filter(parent__parent__code__in=["08", "02"], valid_to__lte=LEGACY_TO)
    assert len(tree) > current("08").children.count() + old_communes.count()


def test_descendants_of_a_current_commune_include_its_earlier_versions() -> None:
    minh_quang = current("02302")
    ids = descendant_unit_ids(minh_quang)
    assert legacy("02302").pk in ids
    assert Unit.objects.get(code="02302", valid_to=dt.date(2021, 5, 31)).pk in ids
    assert legacy("071").pk not in ids  # cross-level links are not followed
    assert descendant_unit_ids(minh_quang, on_date=dt.date(2026, 1, 1)) == {minh_quang.pk}
    # in 2020: the legacy communes that later went (wholly or partly) into today's Minh Quang
    merged = Unit.objects.filter(level=Level.COMMUNE, successors=minh_quang)
    in_2020 = Unit.objects.valid_on(dt.date(2020, 1, 1))
    expected = set(in_2020.filter(pk__in=merged).values_list("pk", flat=True))
    expected |= set(in_2020.filter(successors__in=merged).values_list("pk", flat=True))
    assert descendant_unit_ids(minh_quang, on_date=dt.date(2020, 1, 1)) == expected
    assert Unit.objects.get(code="02302", valid_to=dt.date(2021, 5, 31)).pk in expected


def can_act_on_dossier(user: object, dossier: Dossier) -> bool:
    return bool(acting_roles(user, dossier))


# --- users ---------------------------------------------------------------------------------------

def test_commune_officer_sees_own_commune_only(procedure: Procedure) -> None:
    a, b = current("02302"), current("02296")  # Xã Minh Quang, Xã Bình An (Tuyên Quang)
    ubnd_a, ubnd_b = agency(a), agency(b)
    officer = user((Role.COUNTER, ubnd_a))
    own, other = dossier(procedure, a, ubnd_a), dossier(procedure, b, ubnd_b)
    assert can_see_dossier(officer, own)
    assert not can_see_dossier(officer, other)
    assert can_act_on_dossier(officer, own) and not can_act_on_dossier(officer, other)
    assert list(visible_dossiers(officer)) == [own]
    assert user_agency_ids(officer) == {ubnd_a.pk}
    assert user_roles(officer) == {Role.COUNTER}
    assert visible_unit_ids(officer) == set()


def test_agency_role_sees_unit_dossiers_without_agency_and_routed_steps(procedure: Procedure) -> None:
    a = current("02302")
    ubnd_a, office = agency(a), agency(a, Agency.Kind.OFFICE)
    officer = user((Role.SPECIALIST, office))
    no_agency = dossier(procedure, a)
    other_agency = dossier(procedure, a, ubnd_a)
    routed = dossier(procedure, a, ubnd_a)
    DossierStep.objects.create(dossier=routed, order=1, name="Thẩm định", role="specialist", agency=office,
                               share_minutes=60)
    assert can_see_dossier(officer, no_agency)
    assert not can_see_dossier(officer, other_agency)
    assert can_see_dossier(officer, routed)
    assert set(visible_dossiers(officer)) == {no_agency, routed}


def test_unit_role_sees_units_below(procedure: Procedure) -> None:
    lam_binh = legacy("071")
    specialist = user((Role.SPECIALIST, lam_binh))
    minh_quang_2022 = dossier(procedure, legacy("02302"))
    minh_quang_2020 = dossier(procedure, Unit.objects.get(code="02302", valid_to=dt.date(2021, 5, 31)))
    chiem_hoa_commune = dossier(procedure, legacy("073").children.exclude(code__in=["02302", "02299"]).first())
    assert can_see_dossier(specialist, minh_quang_2022)
    assert not can_see_dossier(specialist, minh_quang_2020)  # then under Chiêm Hóa
    assert not can_see_dossier(specialist, chiem_hoa_commune)
    assert set(visible_dossiers(specialist)) == {minh_quang_2022}


def test_inspector_reads_across_tree_but_never_acts(procedure: Procedure) -> None:
    district = legacy("071")
    inspector = user((Role.INSPECTOR, agency(district)))
    commune_dossier = dossier(procedure, legacy("02302"), agency(legacy("02302")))
    assert can_see_dossier(inspector, commune_dossier)
    assert not can_act_on_dossier(inspector, commune_dossier)
    assert legacy("02302").pk in visible_unit_ids(inspector)


def test_leader_reads_tree_acts_only_at_own_level(procedure: Procedure) -> None:
    district = legacy("071")
    ubnd = agency(district)
    leader = user((Role.LEADER, ubnd))
    own = dossier(procedure, district, ubnd)
    below = dossier(procedure, legacy("02302"), agency(legacy("02302")))
    assert can_see_dossier(leader, own) and can_act_on_dossier(leader, own)
    assert can_see_dossier(leader, below) and not can_act_on_dossier(leader, below)


def test_province_wide_roles_and_superusers_see_all(procedure: Procedure) -> None:
    province = current("08")
    leader = user((Role.LEADER, agency(province)))
    admin = user((Role.ADMIN, province))
    root = user(superuser=True)
    far = dossier(procedure, current("00082"))  # Hà Nội
    for u in (leader, admin, root):
        assert visible_unit_ids(u) is None
        assert can_see_dossier(u, far)
    assert Role.ADMIN in user_roles(root)
    # a province-level specialist is not province-wide: only the province's tree
    specialist = user((Role.SPECIALIST, province))
    assert not can_see_dossier(specialist, far)
    assert can_see_dossier(specialist, dossier(procedure, legacy("02302")))  # legacy Tuyên Quang rolls up


def test_no_role_sees_nothing(procedure: Procedure) -> None:
    nobody = user()
    d = dossier(procedure, current("02302"))
    assert not can_see_dossier(nobody, d)
    assert list(visible_dossiers(nobody)) == []
    assert visible_unit_ids(nobody) == set()
