"""The inspection screens: the register (and xlsx), plans with their targets and coverage (and xlsx),
an inspection's page (team, findings and their recommendations, evidence, history, actions), the
forms to plan, record and attach, and the printable report skeleton (PDF)."""
from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from motcua.followup.models import Recommendation
from motcua.inspections import evidence, exports, figures, services
from motcua.inspections.forms import ActionForm, FindingForm, InspectionForm, PlanForm, RegisterFilter, TargetForm
from motcua.inspections.lifecycle import ACTION_LABELS, INPUT_LABELS, Action, Status
from motcua.inspections.models import Inspection, PlanTarget
from motcua.roles import Role
from motcua.statemachine import LifecycleError
from motcua.units import scoping


def _is_inspector(user: Any) -> bool:
    return Role.INSPECTOR in scoping.user_roles(user)


@login_required
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterFilter(request.GET or None)
    qs = services.visible(request.user).select_related("unit", "agency", "plan")
    if form.is_valid():
        data = form.cleaned_data
        if data["year"]:
            qs = qs.filter(starts_on__year=data["year"])
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["unit"]:
            unit = scoping.resolve_code(data["unit"].strip())
            qs = qs.filter(unit_id__in=scoping.descendant_unit_ids(unit)) if unit is not None else qs.none()
    if request.GET.get("format") == "xlsx":
        rows = exports.register_rows(qs)
        return exports.response(exports.table_xlsx("Sổ theo dõi các cuộc kiểm tra công vụ", exports.REGISTER_HEADERS,
                                                   rows), "kiem-tra")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "inspections/register.html", {
        "form": form, "page": page, "query": request.GET.urlencode(), "is_inspector": _is_inspector(request.user)})


@login_required
def plans(request: HttpRequest) -> HttpResponse:
    form = PlanForm(request.POST or None)
    error = ""
    if request.method == "POST":
        if not _is_inspector(request.user):
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = services.create_plan(actor=request.user, **data)
            except LifecycleError as exc:
                error = str(exc)
            else:
                return redirect("inspections:plan", pk=plan.pk)
    return render(request, "inspections/plans.html", {
        "plans": services.visible_plans(request.user).select_related("unit"), "form": form, "error": error,
        "is_inspector": _is_inspector(request.user)}, status=400 if request.method == "POST" else 200)


@login_required
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    plan = services.visible_plans(request.user).filter(pk=pk).first()
    if plan is None:
        raise Http404("Không tìm thấy kế hoạch.")
    form = TargetForm(request.POST or None)
    error = ""
    if request.method == "POST":
        if not services.inspector_covers(request.user, plan.unit):
            raise Http404
        if form.is_valid():
            try:
                services.add_target(plan, population=form.cleaned_data["population"], unit=form.cleaned_data["unit"],
                                    agency=form.cleaned_data["agency"], name=form.cleaned_data["name"],
                                    kind=form.cleaned_data["kind"] or None, actor=request.user)
            except LifecycleError as exc:
                error = str(exc)
            else:
                return redirect("inspections:plan", pk=plan.pk)
    done = Inspection.objects.filter(status=Status.CONCLUDED)
    rows = figures.coverage_of(plan.targets.all(), done)
    if request.GET.get("format") == "xlsx":
        data = exports.table_xlsx(f"Độ bao phủ của {plan}", exports.COVERAGE_HEADERS,
                                  [[r["population"], r["planned"], r["inspected"], r["percent"]] for r in rows])
        return exports.response(data, f"bao-phu-ke-hoach-{plan.pk}")
    return render(request, "inspections/plan.html", {
        "plan": plan, "targets": plan.targets.select_related("unit", "agency"), "coverage": rows, "form": form,
        "error": error, "inspections": services.visible(request.user, plan.inspections.all()).select_related(
            "unit", "agency"),
        "can_edit": services.inspector_covers(request.user, plan.unit)},
        status=400 if request.method == "POST" else 200)


@login_required
def new(request: HttpRequest) -> HttpResponse:
    if not _is_inspector(request.user):
        raise Http404("Chỉ thanh tra lập cuộc kiểm tra.")
    raw = request.GET.get("muc_tieu") or ""
    target = PlanTarget.objects.filter(pk=int(raw) if raw.isdigit() else 0, plan__in=services.visible_plans(
        request.user)).select_related("plan", "unit").first()
    if raw and target is None:
        raise Http404("Không tìm thấy đối tượng của kế hoạch.")
    form = InspectionForm(request.POST or None, initial={"unit": target.unit.code if target and target.unit else ""})
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = services.plan_inspection(target=target, actor=request.user, **data)
        except LifecycleError as exc:
            error = str(exc)
        else:
            return redirect("inspections:inspection", code=inspection.code)
    return render(request, "inspections/new.html", {"form": form, "target": target, "error": error},
                  status=400 if request.method == "POST" else 200)


def _visible(request: HttpRequest, code: str) -> Inspection:
    inspection = services.visible(request.user, Inspection.objects.filter(code=code[:30])).select_related(
        "unit", "agency", "plan").first()
    if inspection is None:
        raise Http404("Không tìm thấy cuộc kiểm tra.")
    return inspection


def _context(request: HttpRequest, inspection: Inspection) -> dict[str, Any]:
    roles = services.acting_roles(request.user, inspection)
    offers = services.INSPECTIONS.available(inspection, roles, timezone.now())
    findings = list(inspection.findings.all())
    for f in findings:
        f.recommendations = list(Recommendation.objects.for_source(f))
    return {
        "inspection": inspection, "team": inspection.team.all(), "findings": findings,
        "evidence": inspection.evidence.order_by("-computed_at", "pk"), "latest_evidence": _latest(inspection),
        "open": inspection.status in services.OPEN,
        "events": inspection.events.all(),
        "offers": [{"action": o.action, "label": ACTION_LABELS[Action(o.action)],
                    "fields": [(n, INPUT_LABELS[n], n in o.required) for n in o.inputs]} for o in offers],
        "can_act": bool(roles), "finding_form": FindingForm(),
    }


def _latest(inspection: Inspection) -> list[Any]:
    """The last attached link of each kind (the report cites these)."""
    latest: dict[str, Any] = {}
    for link in inspection.evidence.order_by("computed_at", "pk"):
        latest[link.kind] = link
    return list(latest.values())


@login_required
def inspection(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "inspections/inspection.html", _context(request, _visible(request, code)))


def _error(request: HttpRequest, inspection: Inspection, message: str, status: int) -> HttpResponse:
    return render(request, "inspections/inspection.html", {**_context(request, inspection), "error": message},
                  status=status)


@login_required
@require_POST
def act(request: HttpRequest, code: str) -> HttpResponse:
    inspection = _visible(request, code)
    form = ActionForm(request.POST)
    if not form.is_valid():
        return _error(request, inspection, "Thiếu thao tác hoặc phiên bản.", 400)
    data = form.cleaned_data
    try:
        services.perform(inspection, data["action"], actor=request.user, expected_version=data["version"],
                         note=data["note"].strip(), reason=data["reason"].strip(),
                         conclusion=data["conclusion"].strip())
    except LifecycleError as exc:
        return _error(request, inspection, str(exc), exc.status)
    return redirect("inspections:inspection", code=inspection.code)


@login_required
@require_POST
def finding(request: HttpRequest, code: str) -> HttpResponse:
    inspection = _visible(request, code)
    form = FindingForm(request.POST)
    if not form.is_valid():
        message = "; ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items())
        return _error(request, inspection, message, 400)
    try:
        services.record_finding(inspection, actor=request.user, **form.cleaned_data)
    except LifecycleError as exc:
        return _error(request, inspection, str(exc), exc.status)
    return redirect("inspections:inspection", code=inspection.code)


@login_required
@require_POST
def attach(request: HttpRequest, code: str) -> HttpResponse:
    inspection = _visible(request, code)
    try:
        evidence.attach_all(inspection, actor=request.user)
    except LifecycleError as exc:
        return _error(request, inspection, str(exc), exc.status)
    return redirect("inspections:inspection", code=inspection.code)


@login_required
def late(request: HttpRequest, code: str) -> HttpResponse:
    """The live list behind the "late without apology" evidence: today's data, same unit and period."""
    inspection = _visible(request, code)
    qs = evidence.late_without_apology_qs(inspection).select_related("procedure", "agency", "unit")
    if request.GET.get("format") == "xlsx":
        rows = [[d.code, d.procedure.name, d.agency.name if d.agency_id else d.unit.name, _local(d.received_at),
                 _local(d.due_at), _local(d.finished_at)] for d in qs]
        return exports.response(exports.table_xlsx(
            f"Hồ sơ trễ hạn chưa có phiếu xin lỗi — {inspection.target_label} "
            f"({inspection.period_from:%d/%m/%Y} – {inspection.period_to:%d/%m/%Y})", exports.LATE_HEADERS, rows),
            f"tre-han-chua-xin-loi-{inspection.code}")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "inspections/late.html", {"inspection": inspection, "page": page})


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if value else ""


@login_required
def evidence_file(request: HttpRequest, code: str, pk: int) -> FileResponse:
    item = _visible(request, code).evidence.filter(pk=pk).first()
    if item is None or not item.file:
        raise Http404("Không có tệp.")
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.file.name.rsplit("/", 1)[-1],
                        content_type=exports.XLSX)


@login_required
def report_pdf(request: HttpRequest, code: str) -> HttpResponse:
    from motcua.documents.render import render_template_pdf

    context = _context(request, _visible(request, code))
    pdf = render_template_pdf("inspections/report_pdf.html", {**context, "now": timezone.now()})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bao-cao-{code}.pdf"'
    return response
