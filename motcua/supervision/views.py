"""Supervision screens: the delegations register (filters, deadline warnings, xlsx), a delegation's
page (members, bodies, sessions, deadlines, reports, recommendations and their follow-up, history,
actions), the forms to set up a delegation and record its acts, publication, the public page and
the printable report skeleton."""
from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from motcua.documents.tables import response, table_xlsx
from motcua.roles import Role
from motcua.statemachine import LifecycleError
from motcua.supervision import deadlines, services
from motcua.supervision.forms import DelegationForm, PlanSentForm, SessionForm
from motcua.supervision.lifecycle import ACTION_LABELS, INPUT_LABELS, STATUS_LABELS, Action
from motcua.supervision.models import Delegation, Programme
from motcua.units import scoping


def _is_council(user: Any) -> bool:
    return Role.COUNCIL in scoping.user_roles(user)


@login_required
def register(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    qs = services.visible(request.user).select_related("council_unit").prefetch_related("units")
    year, status, unit = request.GET.get("year", ""), request.GET.get("status", ""), request.GET.get("unit", "")
    if year.isdigit():
        qs = qs.filter(decision_date__year=int(year))
    if status in STATUS_LABELS:
        qs = qs.filter(status=status)
    if unit.strip():
        qs = qs.filter(units__code=unit.strip())
    delegations = list(qs)
    if request.GET.get("format") == "xlsx":
        rows = [[d.code, d.number, d.committee, d.topic, f"{d.decision_number} ngày {d.decision_date:%d/%m/%Y}",
                 f"{d.period_from:%d/%m/%Y} – {d.period_to:%d/%m/%Y}", f"{d.starts_on:%d/%m/%Y} – {d.ends_on:%d/%m/%Y}",
                 ", ".join(u.name for u in d.units.all()), d.get_status_display(),
                 "Có" if d.published_at else "Không"] for d in delegations]
        return response(table_xlsx("Các đoàn giám sát của HĐND", ("Mã", "Số đoàn", "Ban", "Nội dung", "Quyết định",
                                                                  "Thời kỳ giám sát", "Thời gian làm việc",
                                                                  "Đối tượng", "Trạng thái", "Công khai"), rows),
                        "giam-sat")
    warnings = [(d, x, deadlines.STATE_LABELS[s]) for d in delegations for x, s in deadlines.warnings(d, now)]
    return render(request, "supervision/register.html", {
        "delegations": delegations, "warnings": warnings, "statuses": STATUS_LABELS, "is_council": _is_council(
            request.user), "query": request.GET.urlencode(), "programmes": Programme.objects.all()[:20]})


@login_required
def new(request: HttpRequest) -> HttpResponse:
    if not _is_council(request.user):
        raise Http404("Chỉ HĐND thành lập đoàn giám sát.")
    form = DelegationForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            d = services.create_delegation(actor=request.user, **form.cleaned_data)
        except LifecycleError as exc:
            error = str(exc)
        else:
            return redirect("supervision:delegation", code=d.code)
    return render(request, "supervision/new.html", {"form": form, "error": error},
                  status=400 if request.method == "POST" else 200)


def _visible(request: HttpRequest, code: str) -> Delegation:
    d = services.visible(request.user, Delegation.objects.filter(code=code[:30])).select_related(
        "council_unit", "programme").first()
    if d is None:
        raise Http404("Không tìm thấy đoàn giám sát.")
    return d


def _context(request: HttpRequest, d: Delegation, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    roles = services.acting_roles(request.user, d)
    offers = services.DELEGATIONS.available(d, roles, now)
    return {
        "d": d, "members": d.members.all(), "units": d.units.all(), "agencies": d.agencies.all(),
        "sessions": d.sessions.select_related("unit", "agency"), "reports": d.reports.all(),
        "deadlines": [(x, x.state_at(now), deadlines.STATE_LABELS[x.state_at(now)]) for x in deadlines.deadlines(d)],
        "recommendations": services.recommendations_of(d).select_related("addressee_unit").with_state(now),
        "events": d.events.all(), "can_act": bool(roles), "session_form": SessionForm(), "plan_form": PlanSentForm(),
        "offers": [{"action": o.action, "label": ACTION_LABELS[Action(o.action)],
                    "fields": [(n, INPUT_LABELS[n], n in o.required) for n in o.inputs]} for o in offers],
        **extra,
    }


@login_required
def delegation(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "supervision/delegation.html", _context(request, _visible(request, code)))


def _back(request: HttpRequest, d: Delegation, exc: LifecycleError | None = None, message: str = "",
          status: int = 400) -> HttpResponse:
    if exc is not None:
        message, status = str(exc), exc.status
    return render(request, "supervision/delegation.html", _context(request, d, error=message), status=status)


@login_required
@require_POST
def act(request: HttpRequest, code: str) -> HttpResponse:
    d = _visible(request, code)
    kind = request.POST.get("form", "action")
    try:
        if kind == "session":
            form = SessionForm(request.POST)
            if not form.is_valid():
                return _back(request, d, message="; ".join(f"{form.fields[f].label}: {' '.join(e)}"
                                                           for f, e in form.errors.items()))
            services.add_session(d, actor=request.user, **form.cleaned_data)
        elif kind == "plan_sent":
            form = PlanSentForm(request.POST)
            if not form.is_valid():
                return _back(request, d, message="Ngày gửi không hợp lệ.")
            services.record_plan_sent(d, form.cleaned_data["plan_sent_on"], actor=request.user)
        elif kind == "publish":
            services.publish(d, actor=request.user)
        else:
            version = request.POST.get("version", "")
            services.perform(d, request.POST.get("action", ""), actor=request.user,
                             expected_version=int(version) if version.isdigit() else None,
                             note=request.POST.get("note", "").strip(),
                             findings=request.POST.get("findings", "").strip(),
                             conclusion=request.POST.get("conclusion", "").strip())
    except LifecycleError as exc:
        return _back(request, d, exc)
    return redirect("supervision:delegation", code=d.code)


def public(request: HttpRequest) -> HttpResponse:
    """What the law publishes (art. 89): programmes, delegations, reports, conclusions, follow-up."""
    delegations = list(Delegation.objects.filter(published_at__isnull=False).select_related("council_unit")
                       .prefetch_related("units"))
    now = timezone.now()
    return render(request, "supervision/public.html", {
        "programmes": Programme.objects.filter(published_at__isnull=False),
        "items": [{"d": d, "reports": d.reports.filter(published_at__isnull=False),
                   "recommendations": services.recommendations_of(d).filter(published=True).with_state(now)}
                  for d in delegations]})


@login_required
def report_pdf(request: HttpRequest, code: str) -> HttpResponse:
    from motcua.documents.render import render_template_pdf

    pdf = render_template_pdf("supervision/report_pdf.html", _context(request, _visible(request, code)))
    out = HttpResponse(pdf, content_type="application/pdf")
    out["Content-Disposition"] = f'inline; filename="bao-cao-giam-sat-{code}.pdf"'
    return out


