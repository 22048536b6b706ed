"""PAR plans and internal procedures: plans and their tasks (filters, overdue computed, actions,
figures, xlsx), the internal procedures (xlsx), simplification plans and their items (figures, xlsx),
the approving decisions of the catalogue's routes."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from motcua.documents.tables import response, table_xlsx
from motcua.parplans import figures, services, views_procedures
from motcua.parplans.lifecycle import ACTION_LABELS, INPUT_LABELS, STATUS_LABELS, Action
from motcua.parplans.models import Area, InternalProcedure, ProcedureProposal, RouteApproval, SimplificationPlan, Task
from motcua.statemachine import LifecycleError
from motcua.workdays import TZ


def _units_q(request: HttpRequest, field: str) -> dict[str, Any]:
    ids = services.visible_units(request.user)
    return {} if ids is None else {f"{field}__in": ids}


class PlanForm(forms.Form):
    unit = forms.CharField(label="Mã đơn vị", max_length=10)
    year = forms.IntegerField(label="Năm", min_value=2000, max_value=2100)
    title = forms.CharField(label="Tên kế hoạch", max_length=300)
    issuer = forms.CharField(label="Cơ quan ban hành", max_length=300)
    number = forms.CharField(label="Số kế hoạch", max_length=60, required=False)


class TaskForm(forms.Form):
    title = forms.CharField(label="Nhiệm vụ", max_length=500)
    area = forms.ChoiceField(label="Lĩnh vực", choices=Area.choices)
    owner = forms.CharField(label="Mã cơ quan chủ trì", max_length=30, required=False)
    owner_name = forms.CharField(label="Hoặc tên cơ quan chủ trì", max_length=300, required=False)
    co_agencies = forms.CharField(label="Mã cơ quan phối hợp (cách nhau dấu phẩy)", max_length=300, required=False)
    expected_output = forms.CharField(label="Sản phẩm", max_length=500, required=False)
    deadline = forms.DateField(label="Thời hạn (hết giờ làm việc ngày)", widget=forms.DateInput(attrs={"type": "date"}))


def _errors(form: forms.Form) -> str:
    labels = {name: field.label for name, field in form.fields.items()}
    return "; ".join(f"{labels.get(f, f)}: {' '.join(e)}" for f, e in form.errors.items())


def _year(request: HttpRequest) -> int:
    """The year of the figures panel: ``?year=`` when it is one, else the current year."""
    text = request.GET.get("year", "")
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else timezone.localdate().year


@login_required
def plans(request: HttpRequest, extra_error: str = "") -> HttpResponse:
    """The plans, simplification plans, approved routes and proposals; ``extra_error`` when another form of
    the page (``views_procedures``) refused its input."""
    posted = request.method == "POST" and not extra_error
    form = PlanForm(request.POST if posted else None)
    error = ""
    if posted:
        if form.is_valid():
            from motcua.units import scoping

            unit = scoping.resolve_code(form.cleaned_data["unit"].strip())
            if unit is None:
                error = f"Không có đơn vị hành chính mã {form.cleaned_data['unit']}."
            elif not services.can_manage(request.user, unit):
                raise Http404("Bạn không lập kế hoạch cho đơn vị này.")
            else:
                try:
                    plan = services.create_plan(unit=unit, year=form.cleaned_data["year"],
                                                title=form.cleaned_data["title"], issuer=form.cleaned_data["issuer"],
                                                number=form.cleaned_data["number"])
                except LifecycleError as exc:
                    error = str(exc)
                else:
                    return redirect("parplans:plan", pk=plan.pk)
        else:
            error = _errors(form)
    year = _year(request)
    return render(request, "parplans/plans.html", {
        "form": form, "error": error, "year": year, "extra_error": extra_error,
        "route_form": views_procedures.RouteApprovalForm(), "proposal_form": views_procedures.ProposalForm(),
        "may_record_routes": views_procedures.may_record_routes(request.user),
        "figures": figures.figures(services.visible_units(request.user), dt.date(year, 1, 1), dt.date(year, 12, 31)),
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
    qs = plan.tasks.select_related("owner", "plan").prefetch_related("co_agencies")
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
                 f"{t.completed_at.astimezone(TZ):%d/%m/%Y}" if t.completed_at else "", t.evidence,
                 "; ".join(a.name for a in t.co_agencies.all())] for t in tasks]
        return response(table_xlsx(f"{plan} — nhiệm vụ", ("Nhiệm vụ", "Lĩnh vực", "Cơ quan chủ trì", "Sản phẩm",
                                                          "Thời hạn", "Tình trạng", "Ngày hoàn thành", "Minh chứng",
                                                          "Cơ quan phối hợp"),
                                   rows), f"ke-hoach-cchc-{plan.pk}")
    return render(request, "parplans/plan.html", {
        "plan": plan, "form": form, "rows": _task_rows(tasks, now, request.user), "error": error,
        "task_form": TaskForm(), "can_manage": services.can_manage(request.user, plan.unit),
        "figures": figures.task_figures(list(plan.tasks.select_related("owner")), now),
        "query": request.GET.urlencode()}, status=status)


@login_required
@require_POST
def add_task(request: HttpRequest, pk: int) -> HttpResponse:
    plan_obj = services.visible_plans(request.user).filter(pk=pk).select_related("unit").first()
    if plan_obj is None or not services.can_manage(request.user, plan_obj.unit):
        raise Http404("Không tìm thấy kế hoạch.")
    form = TaskForm(request.POST)
    if not form.is_valid():
        return plan(request, pk, error=_errors(form), status=400)
    data = form.cleaned_data
    owner = None
    if data["owner"].strip():
        from motcua.units.models import Agency

        owner = Agency.objects.filter(code=data["owner"].strip()).first()
        if owner is None:
            return plan(request, pk, error=f"Mã cơ quan chủ trì: không có cơ quan mã {data['owner']}.", status=400)
    from motcua.units.models import Agency

    codes = [c.strip() for c in data["co_agencies"].split(",") if c.strip()]
    co = list(Agency.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {a.code for a in co})
    if missing:
        return plan(request, pk, error=f"Mã cơ quan phối hợp: không có cơ quan mã {', '.join(missing)}.", status=400)
    try:
        services.add_task(plan_obj, title=data["title"], area=data["area"], owner=owner, owner_name=data["owner_name"],
                          expected_output=data["expected_output"], co_agencies=co,
                          deadline=services.end_of_working_day(data["deadline"], plan_obj.unit))
    except LifecycleError as exc:
        return plan(request, pk, error=str(exc), status=exc.status)
    return redirect("parplans:plan", pk=pk)


@login_required
def task(request: HttpRequest, pk: int, error: str = "", status: int = 200) -> HttpResponse:
    visible = Task.objects.filter(pk=pk, plan__in=services.visible_plans(request.user))
    t = visible.select_related("plan", "owner").first()
    if t is None:
        raise Http404("Không tìm thấy nhiệm vụ.")
    return render(request, "parplans/task.html", {"task": t, "row": _task_rows([t], timezone.now(), request.user)[0],
                                                  "events": t.events.all(), "documents": t.documents.all(),
                                                  "co_agencies": t.co_agencies.all(), "error": error,
                                                  "can_attach": bool(services.acting_roles(request.user, t))},
                  status=status)


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
    year = _year(request)
    return render(request, "parplans/internal_procedures.html", {
        "procedures": qs, "year": year,
        "figures": figures.figures(services.visible_units(request.user), dt.date(year, 1, 1), dt.date(year, 12, 31))})


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


