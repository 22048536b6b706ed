"""Supervision programmes (the list, a programme with its delegations, the form, publication) and the
"Sắp đến hạn / quá hạn" list of Law 87/2015's deadlines over the delegations the user sees."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from motcua.statemachine import LifecycleError
from motcua.supervision import deadlines, services
from motcua.supervision.forms import ProgrammeForm, errors_text
from motcua.supervision.lifecycle import Status
from motcua.supervision.views import is_council


@login_required
def programmes(request: HttpRequest) -> HttpResponse:
    items = services.visible_programmes(request.user).select_related("council_unit").order_by("-year", "pk")
    return render(request, "supervision/programmes.html", {"programmes": items, "is_council": is_council(request.user)})


@login_required
def new_programme(request: HttpRequest) -> HttpResponse:
    if not is_council(request.user):
        raise Http404("Chỉ HĐND lập chương trình giám sát.")
    form = ProgrammeForm(request.POST or None)
    error = ""
    if request.method == "POST":
        if form.is_valid():
            try:
                p = services.create_programme(actor=request.user, **form.cleaned_data)
            except LifecycleError as exc:
                if exc.field in form.fields:
                    form.add_error(exc.field, exc.message)
                    error = f"{form.fields[exc.field].label}: {exc.message}"
                else:
                    error = exc.message
            else:
                return redirect("supervision:programme", pk=p.pk)
        else:
            error = errors_text(form)
    return render(request, "supervision/programme_new.html", {"form": form, "error": error},
                  status=400 if request.method == "POST" else 200)


def _programme(request: HttpRequest, pk: int):  # noqa: ANN202
    p = services.visible_programmes(request.user).filter(pk=pk).select_related("council_unit").first()
    if p is None:
        raise Http404("Không tìm thấy chương trình giám sát.")
    return p


@login_required
def programme(request: HttpRequest, pk: int, error: str = "", status: int = 200) -> HttpResponse:
    p = _programme(request, pk)
    return render(request, "supervision/programme.html", {
        "p": p, "delegations": services.visible(request.user, p.delegations.all()).prefetch_related("units"),
        "can_act": services.council_covers(request.user, p.council_unit), "error": error}, status=status)


@login_required
@require_POST
def publish_programme(request: HttpRequest, pk: int) -> HttpResponse:
    p = _programme(request, pk)
    try:
        services.publish_programme(p, actor=request.user)
    except LifecycleError as exc:
        return programme(request, pk, error=exc.message, status=exc.status)
    return redirect("supervision:programme", pk=p.pk)


@login_required
def due(request: HttpRequest) -> HttpResponse:
    """Every deadline due soon or overdue over the delegations the user sees that are not concluded."""
    now = timezone.now()
    qs = services.visible(request.user).exclude(status=Status.CONCLUDED).prefetch_related("sessions__unit",
                                                                                          "sessions__agency")
    rows = [(d, x, s, deadlines.STATE_LABELS[s]) for d, x, s in deadlines.attention(qs, now)]
    return render(request, "supervision/due.html", {"rows": rows, "now": now})
