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


@pytest.mark.django_db
def test_every_oversight_screen_opens_on_the_demo(client) -> None:  # noqa: ANN001
    from django.contrib.auth import get_user_model

    from motcua.parindex.models import IndexSet
    from motcua.parplans.models import ParPlan, SimplificationPlan

    call_command("seed_demo", dossiers=20, seed=5, stdout=io.StringIO(), stderr=io.StringIO())
    users = get_user_model().objects
    d = Delegation.objects.get(number="18")
    inspection = Inspection.objects.get(plan__year=2026)
    vu_quang = Assessment.objects.get(unit__name="Huyện Vũ Quang", year=2022)
    rec = Recommendation.objects.filter(source_kind="supervision").first()
    pages = {
        "hdnd": ["/giam-sat/", f"/giam-sat/{d.code}/", f"/giam-sat/{d.code}/bao-cao.pdf", "/kien-nghi/",
                 f"/kien-nghi/{rec.code}/"],
        "thanhtra": ["/kiem-tra/", "/kiem-tra/ke-hoach/", f"/kiem-tra/ke-hoach/{inspection.plan_id}/",
                     f"/kiem-tra/{inspection.code}/", f"/kiem-tra/{inspection.code}/bao-cao.pdf", "/kiem-tra/moi/"],
        "thamdinh": ["/chi-so-cchc/", f"/chi-so-cchc/{vu_quang.pk}/",
                     f"/chi-so-cchc/bo/{IndexSet.objects.get(year=2023).code}/xep-hang/?so_voi=2021"],
        "lambinh.cchc": ["/ke-hoach-cchc/", f"/ke-hoach-cchc/{ParPlan.objects.get().pk}/",
                         "/ke-hoach-cchc/thu-tuc-noi-bo/", "/kien-nghi/cua-don-vi/"],
        "admin": [f"/ke-hoach-cchc/don-gian-hoa/{SimplificationPlan.objects.get().pk}/", "/kien-nghi/"],
    }
    for username, urls in pages.items():
        client.force_login(users.get(username=username))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (username, url, response.status_code)
    client.force_login(users.get(username="minhquang.cchc"))  # another commune's PAR officer
    assert client.get(f"/ke-hoach-cchc/{ParPlan.objects.get().pk}/").status_code == 404
    client.logout()
    for url in ("/giam-sat/cong-khai/", "/kien-nghi/cong-khai/", "/chi-so-cchc/cong-bo/"):
        assert client.get(url).status_code == 200, url
    assert "Huyện Vũ Quang" in client.get("/chi-so-cchc/cong-bo/").content.decode()
