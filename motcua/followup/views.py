"""The follow-up register's screens: the register (and its xlsx), a recommendation's page with its
history and the actions the user may take, a new recommendation, the unit's "what is asked of us
and by when", and the public page of published follow-up results."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from motcua.followup import exports, policy, services
from motcua.followup.forms import ActionForm, NewRecommendationForm, RegisterFilter, end_of_working_day
from motcua.followup.lifecycle import ACTION_LABELS, ADDRESSEE_ROLES, EVENT_LABELS, INPUT_LABELS, ISSUER_ROLES, Action
from motcua.followup.models import OPEN_STATUSES, Recommendation, State
from motcua.statemachine import Forbidden, LifecycleError
from motcua.units import scoping
from motcua.units.calendars import calendar_for_unit
from motcua.workdays import MINUTES_PER_WORKING_DAY

STATE_BADGES = {State.OPEN: "text-bg-secondary", State.IN_PROGRESS: "text-bg-info", State.OVERDUE: "text-bg-danger",
                State.DONE: "text-bg-success", State.DROPPED: "text-bg-light"}


def _filtered(request: HttpRequest, qs: QuerySet[Recommendation], now: dt.datetime) -> tuple[RegisterFilter, QuerySet]:
    form = RegisterFilter(request.GET or None)
    qs = qs.with_state(now).select_related("addressee_unit", "addressee_agency")
    if form.is_valid():
        data = form.cleaned_data
        if data["state"]:
            qs = qs.filter(state=data["state"])
        if data["kind"]:
            qs = qs.filter(source_kind=data["kind"])
        if data["unit"]:
            qs = qs.filter(addressee_unit__code=data["unit"].strip())
        if data["q"]:
            qs = qs.filter(Q(title__icontains=data["q"]) | Q(text__icontains=data["q"]) | Q(code__iexact=data["q"]))
        if data["deadline_to"]:
            qs = qs.filter(deadline__date__lte=data["deadline_to"])
    return form, qs.order_by("deadline", "code")


def _row(rec: Recommendation) -> dict[str, Any]:
    state = State(rec.state)
    return {"rec": rec, "state": state, "state_label": state.label, "badge": STATE_BADGES[state]}


@login_required
def register(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    form, qs = _filtered(request, policy.visible(request.user), now)
    if request.GET.get("format") == "xlsx":
        return exports.register_response(list(qs), now)
    counts = {State(s).label: n for s, n in _state_counts(qs)}
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "followup/register.html", {
        "form": form, "page": page, "rows": [_row(r) for r in page], "counts": counts, "now": now,
        "can_recommend": bool(scoping.user_roles(request.user) & ISSUER_ROLES),
        "query": request.GET.urlencode(),
    })


def _state_counts(qs: QuerySet[Recommendation]) -> list[tuple[str, int]]:
    from django.db.models import Count

    return [(row["state"], row["n"]) for row in qs.order_by().values("state").annotate(n=Count("pk"))]


def _visible(request: HttpRequest, code: str) -> Recommendation:
    rec = policy.visible(request.user, Recommendation.objects.filter(code=code[:30])).select_related(
        "addressee_unit", "addressee_agency", "issuer_unit").first()
    if rec is None:
        raise Http404("Không tìm thấy kiến nghị.")
    return rec


def _page(request: HttpRequest, rec: Recommendation, error: str = "", status: int = 200,
          form: ActionForm | None = None) -> HttpResponse:
    now = timezone.now()
    offers = policy.available_actions(rec, request.user, now)
    state = rec.state_at(now)
    return render(request, "followup/recommendation.html", {
        "rec": rec, "state": state, "badge": STATE_BADGES[state], "events": rec.events.select_related("actor"),
        "event_labels": EVENT_LABELS, "documents": rec.documents.all(), "error": error, "form": form,
        "offers": [{"action": o.action, "label": ACTION_LABELS[Action(o.action)],
                    "fields": [(name, INPUT_LABELS[name], name in o.required) for name in o.inputs]}
                   for o in offers],
        "addressees": policy.current_addressees(rec.addressee_unit), "left": _time_left(rec, now),
        "source_url": _source_url(rec),
    }, status=status)


def _time_left(rec: Recommendation, now: dt.datetime) -> str:
    if rec.status not in OPEN_STATUSES:
        return ""
    calendar = calendar_for_unit(rec.addressee_unit)
    if rec.deadline < now:
        days = calendar.working_time_between(rec.deadline, now) / MINUTES_PER_WORKING_DAY
        return f"Quá hạn {days:.1f} ngày làm việc"
    days = calendar.working_time_between(now, rec.deadline) / MINUTES_PER_WORKING_DAY
    return f"Còn {days:.1f} ngày làm việc"


def _source_url(rec: Recommendation) -> str:
    source = rec.source if rec.source_type_id else None
    getter = getattr(source, "get_absolute_url", None)
    return getter() if callable(getter) else ""


@login_required
def recommendation(request: HttpRequest, code: str) -> HttpResponse:
    return _page(request, _visible(request, code))


@login_required
@require_POST
def act(request: HttpRequest, code: str) -> HttpResponse:
    rec = _visible(request, code)
    form = ActionForm(request.POST, request.FILES)
    if not form.is_valid():
        message = "; ".join(f"{form.fields[f].label or f}: {' '.join(e)}" for f, e in form.errors.items())
        return _page(request, rec, error=message, status=400, form=form)
    data = form.cleaned_data
    new_deadline = None
    if data.get("new_deadline"):
        try:
            new_deadline = end_of_working_day(data["new_deadline"], rec.addressee_unit)
        except ValidationError as exc:
            return _page(request, rec, error=" ".join(exc.messages), status=400, form=form)
    try:
        services.perform(rec, data["action"], actor=request.user, expected_version=data["version"],
                         note=data["note"].strip(), reason=data["reason"].strip(), new_deadline=new_deadline,
                         documents=data["documents"])
    except LifecycleError as exc:
        return _page(request, rec, error=str(exc), status=exc.status, form=form)
    return redirect("followup:recommendation", code=rec.code)


@login_required
def document(request: HttpRequest, code: str, pk: int) -> FileResponse:
    rec = _visible(request, code)
    doc = rec.documents.filter(pk=pk).first()
    if doc is None:
        raise Http404("Không tìm thấy tài liệu.")
    return FileResponse(doc.file.open("rb"), as_attachment=True, filename=doc.original_name,
                        content_type=doc.content_type or "application/octet-stream")


@login_required
def new(request: HttpRequest) -> HttpResponse:
    if not scoping.user_roles(request.user) & ISSUER_ROLES:
        raise Http404("Chỉ thanh tra, HĐND và cơ quan thẩm định ban hành kiến nghị.")
    try:
        source = services.resolve_source(request.GET.get("nguon", ""))
    except LifecycleError:
        raise Http404("Nguồn kiến nghị không tồn tại.") from None
    form = NewRecommendationForm(request.POST or None, initial={"addressee_unit": request.GET.get("don_vi", ""),
                                                                  "issuer_name": request.GET.get("ben_kien_nghi", "")})
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        seen = scoping.oversight_unit_ids(request.user)
        if seen is not None and data["addressee_unit"].pk not in seen:
            form.add_error("addressee_unit", "Đơn vị này ngoài phạm vi của bạn.")
        else:
            try:
                rec = services.recommend(
                    source=source, addressee_unit=data["addressee_unit"], addressee_agency=data["addressee_agency"],
                    title=data["title"], text=data["text"], deadline=data["deadline_at"],
                    deadline_basis=data["deadline_basis"], issuer_name=data["issuer_name"],
                    issuer_unit=policy.issuer_unit(request.user), actor=request.user, published=data["published"])
            except (LifecycleError, Forbidden) as exc:
                error = str(exc)
            else:
                return redirect("followup:recommendation", code=rec.code)
    return render(request, "followup/new.html", {"form": form, "source": source, "error": error},
                  status=400 if request.method == "POST" else 200)


@login_required
def ours(request: HttpRequest) -> HttpResponse:
    """What is asked of the user's units, and by when: open recommendations they answer for."""
    now = timezone.now()
    units = {sr.unit_id if sr.unit_id is not None else sr.agency.unit_id
             for sr in scoping.staff_roles(request.user) if sr.role in ADDRESSEE_ROLES}
    units |= policy.predecessors_of(units)
    qs = (Recommendation.objects.filter(addressee_unit_id__in=units, status__in=OPEN_STATUSES).with_state(now)
          .select_related("addressee_unit").order_by("deadline"))
    rows = [dict(_row(r), left=_time_left(r, now)) for r in qs if policy.acting_roles(request.user, r)]
    return render(request, "followup/ours.html", {"rows": rows, "now": now})


def public(request: HttpRequest) -> HttpResponse:
    """Published follow-up results, for everyone (no names of officials)."""
    now = timezone.now()
    qs = (Recommendation.objects.filter(published=True).with_state(now).select_related("addressee_unit")
          .order_by("-created_at"))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "followup/public.html", {"page": page, "rows": [_row(r) for r in page]})
