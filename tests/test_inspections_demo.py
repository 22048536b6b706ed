"""The inspections demo (``motcua.inspections.demo.load_demo``): a plan of the demo province with its
targets in three populations and its coverage, inspections in every status, one of a commune's one-stop
section with the evidence attached; idempotent; the screens open on it."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model

from motcua.demo.world import build_world
from motcua.followup.models import Recommendation
from motcua.inspections import figures
from motcua.inspections.demo import load_demo
from motcua.inspections.models import Inspection, InspectionPlan

pytestmark = pytest.mark.django_db


def test_load_demo_builds_a_plan_with_coverage_and_evidence_once(client) -> None:  # noqa: ANN001
    world = build_world()
    made = load_demo()
    assert made == {"plans": 1, "targets": 6, "inspections": 5, "findings": 2, "evidence": 4, "recommendations": 1}
    assert load_demo() == dict.fromkeys(made, 0)
    assert InspectionPlan.objects.count() == 1 and Inspection.objects.count() == 5
    plan = InspectionPlan.objects.get()
    assert sorted(Inspection.objects.values_list("status", flat=True)) == [
        "concluded", "concluded", "in_progress", "planned", "planned"]
    site = Inspection.objects.get(decision_number="52/QĐ-SNV")
    assert site.unit == world.communes[-1].unit and site.agency == world.communes[-1].centre
    assert sorted(site.evidence.values_list("kind", flat=True)) == [
        "late_without_apology", "logbook", "quality_index", "report06"]
    again = Inspection.objects.get(kind="reinspection")
    assert again.follows == site and again.status == "planned"
    assert Recommendation.objects.for_source(site.findings.get()).count() == 1

    body = figures.figures({world.province.pk}, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert (body["inspections_done"], body["targets_planned"], body["targets_inspected"], body["coverage"],
            body["reinspections_planned"]) == (2, 6, 2, 0.33, 1)
    expected = [("Sở, ban, ngành", 2, 1, 50), ("Trường học", 2, 0, 0), ("UBND cấp xã", 2, 1, 50)]
    assert [(r["population"], r["planned"], r["inspected"], r["percent"])
            for r in body["coverage_by_population"]] == expected

    client.force_login(get_user_model().objects.get(username="thanhtra"))
    page = client.get(f"/kiem-tra/ke-hoach/{plan.pk}/")
    assert [(r["population"], r["planned"], r["inspected"], r["percent"]) for r in page.context["coverage"]] == expected
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/kiem-tra/ke-hoach/{plan.pk}/?format=xlsx").content))
    assert list(sheet.active.iter_rows(min_row=4, values_only=True)) == expected
    assert client.get("/kiem-tra/").context["page"].paginator.count == 5
    assert client.get(f"/kiem-tra/{site.code}/").status_code == 200
    pdf = client.get(f"/kiem-tra/{site.code}/bao-cao.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
