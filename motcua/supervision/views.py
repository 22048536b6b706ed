"""Supervision screens: the delegations register (filters, deadline warnings, xlsx), a delegation's
page (members, bodies, sessions, deadlines, reports, recommendations and their follow-up, history,
actions), the forms to set up a delegation and record its acts, publication, the public page and
the printable report skeleton. Programmes and the "due soon / overdue" list: ``views_programmes``."""
from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from motcua.documents.tables import response, table_xlsx
from motcua.roles import Role
from motcua.statemachine import LifecycleError
from motcua.supervision import deadlines, services
from motcua.supervision.forms import (
    DelegationForm,
    PlanSentForm,
    ProgrammeSentForm,
    RegisterFilter,
    SessionForm,
    errors_text,
)
from motcua.supervision.lifecycle import ACTION_LABELS, INPUT_LABELS, Action
from motcua.supervision.models import Delegation, Programme, Session
from motcua.units import scoping

XLSX_HEADERS = ("Mã", "Số đoàn", "Ban", "Nội dung", "Quyết định", "Thời kỳ giám sát", "Thời gian làm việc",
                "Đối tượng", "Trạng thái", "Công khai", "Số thành viên", "Số buổi làm việc", "Số báo cáo",
                "Thời hạn trễ hoặc quá hạn")


def is_council(user: Any) -> bool:
    return Role.COUNCIL in scoping.user_roles(user)


def filtered(request: HttpRequest) -> tuple[RegisterFilter, QuerySet[Delegation]]:
    """The register's delegations the user sees, filtered by year, committee, status, unit, programme."""
    form = RegisterFilter(request.GET or None)
    qs = (services.visible(request.user).select_related("council_unit", "programme")
          .prefetch_related("units", "agencies", "sessions__unit", "sessions__agency")
          .annotate(n_members=Count("members", distinct=True), n_reports=Count("reports", distinct=True)))
    if form.is_valid():
        f = form.cleaned_data
        if f["year"]:
            qs = qs.filter(decision_date__year=f["year"])
        if f["committee"].strip():
            qs = qs.filter(committee__icontains=f["committee"].strip())
        if f["status"]:
            qs = qs.filter(status=f["status"])
        if f["unit"].strip():
            qs = qs.filter(pk__in=Delegation.objects.filter(units__code=f["unit"].strip()).values("pk"))
        if f["programme"]:
            qs = qs.filter(programme_id=f["programme"])
    return form, qs


def xlsx_rows(delegations: list[Delegation], now: Any) -> list[list[object]]:
    return [[d.code, d.number, d.committee, d.topic, f"{d.decision_number} ngày {d.decision_date:%d/%m/%Y}",
             f"{d.period_from:%d/%m/%Y} – {d.period_to:%d/%m/%Y}", f"{d.starts_on:%d/%m/%Y} – {d.ends_on:%d/%m/%Y}",
             ", ".join([u.name for u in d.units.all()] + [a.name for a in d.agencies.all()]),
             d.get_status_display(), "Có" if d.published_at else "Không", d.n_members, len(d.sessions.all()),
             d.n_reports, sum(1 for x in deadlines.deadlines(d) if x.state_at(now) in ("late", "overdue"))]
            for d in delegations]


@login_required
def register(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    form, qs = filtered(request)
    delegations = list(qs)
    if request.GET.get("format") == "xlsx":
        return response(table_xlsx("Các đoàn giám sát của HĐND", XLSX_HEADERS, xlsx_rows(delegations, now)),
                        "giam-sat")
    attention = [(d, x, deadlines.STATE_LABELS[s]) for d, x, s in deadlines.attention(delegations, now)]
    query = request.GET.copy()
    query.pop("format", None)
    return render(request, "supervision/register.html", {
        "form": form, "delegations": delegations, "warnings": attention, "is_council": is_council(request.user),
        "query": query.urlencode(), "programmes": services.visible_programmes(request.user)[:20]})


@login_required
def new(request: HttpRequest) -> HttpResponse:
    if not is_council(request.user):
        raise Http404("Chỉ HĐND thành lập đoàn giám sát.")
    programmes = services.visible_programmes(request.user)
    initial = {}
    if request.GET.get("chuong_trinh", "").isdigit():
        initial["programme"] = request.GET["chuong_trinh"]
    form = DelegationForm(request.POST or None, programmes=programmes, initial=initial)
    error = ""
    if request.method == "POST":
        if form.is_valid():
            try:
                d = services.create_delegation(actor=request.user, **form.cleaned_data)
            except LifecycleError as exc:
                if exc.field in form.fields:
                    form.add_error(exc.field, exc.message)
                error = f"{form.fields[exc.field].label}: {exc.message}" if exc.field in form.fields else exc.message
            else:
                return redirect("supervision:delegation", code=d.code)
        else:
            error = errors_text(form)
    return render(request, "supervision/new.html", {"form": form, "error": error},
                  status=400 if request.method == "POST" else 200)


def _visible(request: HttpRequest, code: str) -> Delegation:
    d = services.visible(request.user, Delegation.objects.filter(code=code[:30])).select_related(
        "council_unit", "programme").first()
    if d is None:
        raise Http404("Không tìm thấy đoàn giám sát.")
    return d


def context(request: HttpRequest, d: Delegation, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    roles = services.acting_roles(request.user, d)
    offers = services.DELEGATIONS.available(d, roles, now)
    rows = [(x, x.state_at(now), deadlines.STATE_LABELS[x.state_at(now)]) for x in deadlines.deadlines(d)]
    return {
        "d": d, "members": d.members.all(), "units": d.units.all(), "agencies": d.agencies.all(),
        "sessions": d.sessions.select_related("unit", "agency"), "reports": d.reports.all(),
        "deadlines": rows, "warnings": [r for r in rows if r[1] in deadlines.WARNING_STATES],
        "recommendations": services.recommendations_of(d).select_related("addressee_unit").with_state(now),
        "events": d.events.select_related("actor"), "can_act": bool(roles), "session_form": SessionForm(),
        "plan_form": PlanSentForm(), "unpublished": services.unpublished(d) if roles else [],
        "offers": [{"action": o.action, "label": ACTION_LABELS[Action(o.action)],
                    "fields": [(n, INPUT_LABELS[n], n in o.required) for n in o.inputs]} for o in offers],
        **extra,
    }


@login_required
def delegation(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "supervision/delegation.html", context(request, _visible(request, code)))


def _back(request: HttpRequest, d: Delegation, exc: LifecycleError | None = None, message: str = "",
          status: int = 400) -> HttpResponse:
    if exc is not None:
        message, status = exc.message, exc.status
    d.refresh_from_db()
    return render(request, "supervision/delegation.html", context(request, d, error=message), status=status)


def _record(request: HttpRequest, d: Delegation, kind: str) -> HttpResponse | None:
    """The non-lifecycle forms of the page; a response when the form itself is bad."""
    if kind == "session":
        form = SessionForm(request.POST)
        if not form.is_valid():
            return _back(request, d, message=errors_text(form))
        services.add_session(d, actor=request.user, **form.cleaned_data)
    elif kind == "plan_sent":
        form = PlanSentForm(request.POST)
        if not form.is_valid():
            return _back(request, d, message=errors_text(form))
        services.record_plan_sent(d, form.cleaned_data["plan_sent_on"], actor=request.user)
    elif kind == "programme_sent":
        form = ProgrammeSentForm(request.POST)
        if not form.is_valid():
            return _back(request, d, message=errors_text(form))
        session = Session.objects.filter(delegation=d, pk=form.cleaned_data["session"]).first()
        if session is None:
            return _back(request, d, message="Buổi làm việc: không có buổi làm việc này.")
        services.record_programme_sent(session, form.cleaned_data["programme_sent_on"], actor=request.user)
    elif kind == "publish":
        services.publish(d, actor=request.user)
    else:
        version = request.POST.get("version", "")
        services.perform(d, request.POST.get("action", ""), actor=request.user,
                         expected_version=int(version) if version.isdigit() else None,
                         note=request.POST.get("note", "").strip(),
                         findings=request.POST.get("findings", "").strip(),
                         conclusion=request.POST.get("conclusion", "").strip())
    return None


@login_required
@require_POST
def act(request: HttpRequest, code: str) -> HttpResponse:
    d = _visible(request, code)
    try:
        bad = _record(request, d, request.POST.get("form", "action"))
    except LifecycleError as exc:
        return _back(request, d, exc)
    return bad or redirect("supervision:delegation", code=d.code)


def public(request: HttpRequest) -> HttpResponse:
    """What the law publishes (art. 89), and only what has been published: programmes, delegations'
    decisions and plans, reports, conclusions, recommendations with their follow-up. No login."""
    delegations = list(Delegation.objects.filter(published_at__isnull=False).select_related("council_unit")
                       .prefetch_related("units", "agencies"))
    now = timezone.now()
    return render(request, "supervision/public.html", {
        "programmes": Programme.objects.filter(published_at__isnull=False).select_related("council_unit"),
        "items": [{"d": d, "reports": d.reports.filter(published_at__isnull=False),
                   "conclusion": d.conclusion if d.conclusion_published_at else "",
                   "recommendations": services.recommendations_of(d).filter(published=True)
                   .select_related("addressee_unit").with_state(now)}
                  for d in delegations]})


@login_required
def report_pdf(request: HttpRequest, code: str) -> HttpResponse:
    from motcua.documents.render import render_template_pdf

    pdf = render_template_pdf("supervision/report_pdf.html", context(request, _visible(request, code)))
    out = HttpResponse(pdf, content_type="application/pdf")
    out["Content-Disposition"] = f'inline; filename="bao-cao-giam-sat-{code}.pdf"'
    return out
