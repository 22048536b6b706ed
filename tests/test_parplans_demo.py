"""The PAR plans' demo (``motcua.parplans.demo.load_demo``): a commune's 2026 plan with 40 tasks, 30 done,
its internal procedures' simplification plan, the approving decisions of catalogue routes; idempotent;
the figures, the screens and the xlsx export read it back."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model

from motcua.demo.world import build_world, load_demo_catalog
from motcua.parplans import figures
from motcua.parplans.demo import load_demo
from motcua.parplans.models import ParPlan, RouteApproval, SimplificationPlan

pytestmark = pytest.mark.django_db


def test_load_demo_once_and_read_back(client) -> None:  # noqa: ANN001
    world = build_world()
    load_demo_catalog()
    made = load_demo()
    assert made == {"plans": 1, "simplification_plans": 1, "route_approvals": 2}
    assert load_demo() == dict.fromkeys(made, 0)
    unit = world.communes[-1].unit
    plan = ParPlan.objects.get(unit=unit, year=2026)
    assert plan.tasks.count() == 40 and RouteApproval.objects.count() == 2
    body = figures.figures({unit.pk}, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert (body["plan_tasks_done"], body["plan_tasks_total"], body["plan_tasks_done_on_time"]) == (30, 40, 27)
    assert (body["internal_procedures_simplified"], body["internal_procedures_planned"]) == (5, 12)
    assert body["communes_with_simplification_plan"] == 1
    # Overdue at an instant: before the first deadline none, at the end of the year the 10 not done.
    tasks = list(plan.tasks.all())
    early = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    assert figures.task_figures(tasks, early)["plan_tasks_overdue"] == 0
    assert figures.task_figures(tasks, dt.datetime(2027, 1, 1, tzinfo=dt.UTC))["plan_tasks_overdue"] == 10

    officer = get_user_model().objects.get(username=f"{world.communes[-1].slug}.cchc")
    client.force_login(officer)
    page = client.get(f"/ke-hoach-cchc/{plan.pk}/")
    assert (page.context["figures"]["plan_tasks_done"], page.context["figures"]["plan_tasks_total"]) == (30, 40)
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/ke-hoach-cchc/{plan.pk}/?format=xlsx").content)).active
    states = [row[5] for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]]
    assert (len(states), states.count("Đã hoàn thành")) == (40, 30)
    splan = SimplificationPlan.objects.get(unit=unit, year=2026)
    assert client.get(f"/ke-hoach-cchc/don-gian-hoa/{splan.pk}/").context["figures"][
        "internal_procedures_simplified"] == 5
    assert "1520/QĐ-UBND" in client.get("/ke-hoach-cchc/").content.decode()
