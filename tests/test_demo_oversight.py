"""The demo's oversight side (seed_demo): seed 000's delegation with its recommendations half followed
up, an inspection plan with coverage, a PAR plan, the PAR assessments with the seeds' districts
ranked as the seeds say, an internal-procedure simplification plan; idempotent."""
from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from motcua.followup.models import Recommendation
from motcua.inspections.models import Inspection
from motcua.parindex import scoring
from motcua.parindex.models import Assessment
from motcua.supervision.models import Delegation


@pytest.mark.django_db
def test_seed_demo_builds_the_oversight_side() -> None:
    out = io.StringIO()
    call_command("seed_demo", dossiers=40, seed=3, stdout=out, stderr=io.StringIO())
    assert "Giám sát, kiểm tra, CCHC: supervision tạo mới, inspections tạo mới, plans tạo mới, par_index tạo mới" \
        in out.getvalue()
    d = Delegation.objects.get(number="18")
    assert (d.status, d.starts_on.isoformat(), d.ends_on.isoformat()) == ("concluded", "2022-02-20", "2022-02-21")
    assert sorted(u.name for u in d.units.all()) == ["Huyện Lâm Bình", "Xã Minh Quang"]
    states = sorted(r.state_at(timezone.now()) for r in Recommendation.objects.filter(source_kind="supervision"))
    assert states == ["done", "done", "in_progress", "overdue", "overdue"]
    inspection = Inspection.objects.get(plan__year=2026)
    assert inspection.evidence.count() == 4 and inspection.findings.count() == 1
    vu_quang = Assessment.objects.get(unit__name="Huyện Vũ Quang", year=2022)
    assert (str(scoring.result(vu_quang).index), scoring.rank_of(vu_quang)) == ("89.30", (12, 13))
    me_linh = Assessment.objects.get(unit__name="Huyện Mê Linh", year=2023)
    assert scoring.rank_of(me_linh) == (13, 30) and scoring.rank_change(me_linh, 2021) == 10
    figures = io.StringIO()
    call_command("oversight_figures", "--unit", "08", "--from", "2026-01-01", "--to", "2026-12-31", stdout=figures)
    body = json.loads(figures.getvalue())
    assert (body["targets_planned"], body["targets_inspected"], body["plan_tasks_total"],
            body["plan_tasks_done"], body["internal_procedures_planned"],
            body["internal_procedures_simplified"]) == (2, 1, 10, 6, 10, 6)
    again = io.StringIO()
    call_command("seed_demo", dossiers=40, seed=3, stdout=again, stderr=io.StringIO())
    assert "supervision đã có, inspections đã có, plans đã có, par_index đã có" in again.getvalue()
    assert Recommendation.objects.count() == 6
