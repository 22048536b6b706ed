"""A PAR plan and an internal procedures' catalogue imported from YAML: checked whole (every bad entry named,
nothing written), then written through the services (deadlines on the unit's clock); the command's exit."""
from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.parplans import loader
from motcua.parplans.models import InternalProcedure, ParPlan, Task
from tests.factories import at, make_world

pytestmark = pytest.mark.django_db

PLAN = """
unit: "{unit}"
year: 2026
number: 18/KH-UBND
date: 2026-01-08
issuer: UBND xã Một
title: Kế hoạch cải cách hành chính năm 2026
tasks:
  - title: Rà soát thủ tục hành chính
    area: procedures
    owner: {agency}
    co_agencies: [{other}]
    output: Báo cáo
    deadline: 2026-05-01
  - title: Số hóa hồ sơ
    area: digital
    owner_name: Bộ phận một cửa
    deadline: 2026-09-30
"""


def test_a_plan_file_checked_whole_then_written() -> None:
    w = make_world()
    good = PLAN.format(unit=w.commune.code, agency=w.agency.code, other=w.other_agency.code)
    bad = good.replace("area: digital", "area: so_hoa").replace("deadline: 2026-09-30", "deadline: 30/09/2026")
    bad = bad.replace(f"owner: {w.agency.code}", "owner: KHONGCO")
    with pytest.raises(loader.FileRefused) as refused:
        loader.load_plan(bad)
    problems = refused.value.problems
    assert any(p.startswith("nhiệm vụ 1 (Rà soát thủ tục hành chính): owner") for p in problems)
    assert any(p.startswith("nhiệm vụ 2 (Số hóa hồ sơ): area 'so_hoa'") for p in problems)
    assert any("nhiệm vụ 2" in p and "deadline" in p for p in problems)
    assert ParPlan.objects.count() == 0 and Task.objects.count() == 0
    plan = loader.load_plan(good, at=at("2026-01-08 09:00"))
    first, second = plan.tasks.order_by("deadline")
    assert plan.unit == w.commune and plan.number == "18/KH-UBND"
    assert first.deadline == at("2026-05-04 17:00")  # 1 May is a holiday
    assert [a.code for a in first.co_agencies.all()] == [w.other_agency.code]
    assert second.owner_label == "Bộ phận một cửa" and second.events.get().action == "create"


def test_internal_procedures_file_and_the_command(tmp_path, capsys) -> None:  # noqa: ANN001
    w = make_world()
    path = tmp_path / "nb.yaml"
    path.write_text(f"""
unit: "{w.commune.code}"
procedures:
  - {{code: NB-01, name: Phát hành văn bản đi, steps: 5, time_limit_days: 2}}
  - {{code: NB-01, name: Trùng mã, steps: -1}}
  - {{name: Không có mã}}
""", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_parplans", str(path), "--procedures")
    err = capsys.readouterr().err
    assert "thủ tục 2 (NB-01): code: mã NB-01 đã có" in err and "thủ tục 2 (NB-01): steps" in err
    assert "thủ tục 3 (?): code: cần nhập" in err
    assert InternalProcedure.objects.count() == 0
    path.write_text(f"""
unit: "{w.commune.code}"
procedures:
  - {{code: NB-01, name: Phát hành văn bản đi, steps: 5, time_limit_days: 2, legal_basis: QĐ 1085/QĐ-TTg}}
  - {{code: NB-02, name: Tiếp nhận văn bản đến, steps: 4}}
""", encoding="utf-8")
    call_command("import_parplans", str(path), "--procedures")
    assert list(InternalProcedure.objects.values_list("code", "steps", "legal_basis")) == [
        ("NB-01", 5, "QĐ 1085/QĐ-TTg"), ("NB-02", 4, "")]
    with pytest.raises(CommandError):  # the same codes again
        call_command("import_parplans", str(path), "--procedures")
    assert InternalProcedure.objects.count() == 2
