"""The demo catalogue: real procedures, consistent routes, idempotent loading, diacritic-free search."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from motcua.catalog.loader import CatalogError, check_procedure
from motcua.catalog.models import Procedure, RequiredDocument, RouteStep
from motcua.catalog.search import fold, search_procedures
from motcua.demo import catalog as demo_catalog
from motcua.demo.world import load_demo_catalog


def test_demo_catalogue_has_at_least_15_procedures_at_commune_and_province_levels() -> None:
    procs = demo_catalog.PROCEDURES
    assert len(procs) >= 15
    assert len({p["code"] for p in procs}) == len(procs)
    levels = {level for p in procs for level in p["levels"]}
    assert {"commune", "province"} <= levels


@pytest.mark.parametrize("data", demo_catalog.PROCEDURES, ids=lambda d: d["code"])
def test_every_route_sums_to_the_legal_time(data: dict) -> None:
    assert sum(step[4] for step in data["steps"]) == data["legal_minutes"]
    assert data["legal_minutes"] > 0
    check_procedure(data)  # does not raise


def test_catalogue_has_inter_agency_routes_and_both_clock_policies() -> None:
    inter = [p for p in demo_catalog.PROCEDURES if len({(s[2], s[3]) for s in p["steps"]}) >= 2
             and len({s[2] for s in p["steps"] if s[2]}) >= 2]
    assert len(inter) >= 2  # steps at agencies of two levels (commune → province)
    assert {p["clock_policy"] for p in demo_catalog.PROCEDURES} == {"pause", "restart"}


def test_check_procedure_refuses_shares_that_do_not_sum() -> None:
    bad = dict(demo_catalog.PROCEDURES[0])
    bad["steps"] = bad["steps"][:-1]
    with pytest.raises(CatalogError, match="sum"):
        check_procedure(bad)


@pytest.mark.django_db
def test_load_catalog_is_idempotent_and_keeps_the_data() -> None:
    first = load_demo_catalog()
    assert first.created == len(demo_catalog.PROCEDURES)
    counts = (Procedure.objects.count(), RequiredDocument.objects.count(), RouteStep.objects.count())
    second = load_demo_catalog()
    assert second.created == 0 and second.updated == len(demo_catalog.PROCEDURES)
    assert (Procedure.objects.count(), RequiredDocument.objects.count(), RouteStep.objects.count()) == counts
    birth = Procedure.objects.get(code="1.001193")
    assert birth.name == "Đăng ký khai sinh"
    assert birth.field.name == "Hộ tịch"
    assert birth.cutoff == dt.time(15, 0)
    assert birth.legal_time_unit == "h"
    permit = Procedure.objects.get(code="1.009994")
    assert permit.clock_policy == "restart"
    assert permit.legal_minutes == 15 * 480
    for procedure in Procedure.objects.all():
        procedure.clean()  # the model's own check: shares == legal time


@pytest.mark.django_db
def test_load_catalog_command_prints_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_catalog")
    call_command("load_catalog")
    out = capsys.readouterr().out
    assert "0 thủ tục mới" in out
    assert Procedure.objects.count() == len(demo_catalog.PROCEDURES)


def test_fold_strips_vietnamese_diacritics() -> None:
    assert fold("Đăng ký  KHAI SINH") == "dang ky khai sinh"
    assert fold("Chứng thực bản sao") == "chung thuc ban sao"


@pytest.mark.django_db
def test_search_without_diacritics_finds_the_procedure() -> None:
    load_demo_catalog()
    found = search_procedures("dang ky khai sinh")
    names = [p.name for p in found]
    assert names[0] == "Đăng ký khai sinh"
    assert "Đăng ký lại khai sinh" in names  # every word present, not as a phrase: ranked after
    assert "Đăng ký kết hôn" not in names
    assert [p.code for p in search_procedures("1.000894")] == ["1.000894"]
    assert {p.code for p in search_procedures("chung thuc")} >= {"2.000815"}
    assert search_procedures("ho tich")  # by field name
    assert search_procedures("khong co thu tuc nao nhu the") == []
