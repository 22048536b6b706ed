"""PAR plans and internal procedures: plans and their tasks (filters, overdue computed, actions,
figures, xlsx), the internal procedures (xlsx), simplification plans and their items (figures, xlsx),
the approving decisions of the catalogue's routes."""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from motcua.documents.tables import response, table_xlsx
from motcua.parplans import figures, services
from motcua.parplans.lifecycle import ACTION_LABELS, INPUT_LABELS, STATUS_LABELS, Action
from motcua.parplans.models import Area, InternalProcedure, ProcedureProposal, RouteApproval, SimplificationPlan, Task
from motcua.statemachine import LifecycleError
from motcua.workdays import TZ


def _units_q(request: HttpRequest, field: str) -> dict[str, Any]:
    ids = services.visible_units(request.user)
    return {} if ids is None else {f"{field}__in": ids}


@login_required
def plans(request: HttpRequest) -> HttpResponse:
    return render(request, "parplans/plans.html", {
        "plans": services.visible_plans(request.user).select_related("unit"),
        "simplifications": SimplificationPlan.objects.filter(**_units_q(request, "unit_id")).select_related("unit"),
        "approvals": RouteApproval.objects.select_related("procedure")[:50],
        "proposals": ProcedureProposal.objects.filter(**_units_q(request, "unit_id")).select_related(
            "procedure", "unit")[:50],
    })


class TaskFilter(forms.Form):
    state = forms.ChoiceField(required=False, choices=[("", "Tất cả"), ("overdue", "Quá hạn"),
                                                       *[(s.value, label) for s, label in STATUS_LABELS.items()]])
    area = forms.ChoiceField(required=False, choices=[("", "Tất cả"), *Area.choices])
    owner = forms.CharField(required=False, max_length=30)


def _task_rows(tasks: list[Task], at: Any, user: Any) -> list[dict[str, Any]]:
    rows = []
    for t in tasks:
        offers = services.TASKS.available(t, services.acting_roles(user, t), at)
        rows.append({"task": t, "overdue": t.overdue_at(at),
                     "offers": [{"action": o.action, "label": ACTION_LABELS[Action(o.action)],
                                 "fields": [(n, INPUT_LABELS[n], n in o.required) for n in o.inputs]}
                                for o in offers]})
    return rows


@login_required
def plan(request: HttpRequest, pk: int, error: str = "", status: int = 200) -> HttpResponse:
    plan = services.visible_plans(request.user).filter(pk=pk).select_related("unit").first()
    if plan is None:
        raise Http404("Không tìm thấy kế hoạch.")
    now = timezone.now()
    form = TaskFilter(request.GET or None)
    qs = plan.tasks.select_related("owner", "plan")
    if form.is_valid():
        qs = services.tasks_filter(qs, form.cleaned_data["state"], now)
        if form.cleaned_data["area"]:
            qs = qs.filter(area=form.cleaned_data["area"])
        if form.cleaned_data["owner"]:
            qs = qs.filter(owner__code=form.cleaned_data["owner"])
    tasks = list(qs)
    if request.GET.get("format") == "xlsx":
        rows = [[t.title, t.get_area_display(), t.owner_label, t.expected_output,
                 f"{t.deadline.astimezone(TZ):%d/%m/%Y}", "Quá hạn" if t.overdue_at(now) else t.get_status_display(),
                 f"{t.completed_at.astimezone(TZ):%d/%m/%Y}" if t.completed_at else "", t.evidence] for t in tasks]
        return response(table_xlsx(f"{plan} — nhiệm vụ", ("Nhiệm vụ", "Lĩnh vực", "Cơ quan chủ trì", "Sản phẩm",
                                                          "Thời hạn", "Tình trạng", "Ngày hoàn thành", "Minh chứng"),
                                   rows), f"ke-hoach-cchc-{plan.pk}")
    return render(request, "parplans/plan.html", {
        "plan": plan, "form": form, "rows": _task_rows(tasks, now, request.user), "error": error,
        "figures": figures.task_figures(list(plan.tasks.select_related("owner")), now),
        "query": request.GET.urlencode()}, status=status)


@login_required
@require_POST
def task_action(request: HttpRequest, pk: int) -> HttpResponse:
    task = Task.objects.filter(pk=pk, plan__in=services.visible_plans(request.user)).first()
    if task is None:
        raise Http404("Không tìm thấy nhiệm vụ.")
    try:
        version = int(request.POST.get("version", ""))
        services.perform(task, request.POST.get("action", ""), actor=request.user, expected_version=version,
                         note=request.POST.get("note", "").strip(), reason=request.POST.get("reason", "").strip(),
                         evidence=request.POST.get("evidence", "").strip())
    except ValueError:
        return plan(request, task.plan_id, error="Thiếu phiên bản của nhiệm vụ.", status=400)
    except LifecycleError as exc:
        return plan(request, task.plan_id, error=str(exc), status=exc.status)
    return redirect("parplans:plan", pk=task.plan_id)


@login_required
def internal_procedures(request: HttpRequest) -> HttpResponse:
    qs = InternalProcedure.objects.filter(**_units_q(request, "unit_id")).select_related("unit")
    if request.GET.get("format") == "xlsx":
        rows = [[p.code, p.name, p.field, p.executing_agency, p.deciding_agency, p.steps, p.time_limit_days,
                 p.legal_basis, p.unit.name] for p in qs]
        return response(table_xlsx("Danh mục thủ tục hành chính nội bộ", ("Mã", "Tên", "Lĩnh vực", "Cơ quan thực hiện",
                                   "Cơ quan quyết định", "Số bước", "Thời hạn (ngày làm việc)", "Căn cứ", "Đơn vị"),
                                   rows), "thu-tuc-noi-bo")
    return render(request, "parplans/internal_procedures.html", {"procedures": qs})


@login_required
def simplification(request: HttpRequest, pk: int) -> HttpResponse:
    splan = SimplificationPlan.objects.filter(pk=pk, **_units_q(request, "unit_id")).select_related("unit").first()
    if splan is None:
        raise Http404("Không tìm thấy phương án.")
    items = list(splan.items.select_related("procedure"))
    if request.GET.get("format") == "xlsx":
        rows = [[i.procedure.code, i.procedure.name, i.get_proposal_display(), i.get_state_display(),
                 i.days_before, i.days_after, i.steps_before, i.steps_after, "x" if i.simplified else ""]
                for i in items]
        return response(table_xlsx(f"{splan}", ("Mã", "Thủ tục nội bộ", "Phương án", "Tình trạng", "Thời hạn trước",
                                                "Thời hạn sau", "Số bước trước", "Số bước sau", "Đã cắt giảm"), rows),
                        f"don-gian-hoa-{splan.pk}")
    return render(request, "parplans/simplification.html", {
        "plan": splan, "items": items, "figures": figures.simplification_figures(items)})


