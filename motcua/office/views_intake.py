"""Counter intake: find the procedure, capture the applicant, tick the documents, then receive
(a dossier is created by services.receive), ask for completion (form 02) or refuse (form 03).

A walk-in that is asked to complete its documents, or refused, is NOT received (docs/domain.md §5: the
dossier is then not yet received; a refusal at intake is never counted): no dossier is created and
the screen prints the slip (form 02 / form 03) from what was captured. For an online dossier
(status ``submitted``) the same decisions are lifecycle actions on its dossier page.
"""
from __future__ import annotations

import re
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from motcua.catalog.models import Procedure
from motcua.dossiers import services
from motcua.dossiers.lifecycle import COUNTER
from motcua.office.access import counter_agencies
from motcua.office.forms import IntakeForm, SearchForm
from motcua.office.search import find_procedures
from motcua.office.views_common import lookup_code, now

KEY = re.compile(r"^[0-9a-f]{32}$")


def _counter_only(request: HttpRequest) -> list:
    agencies = counter_agencies(request.user)
    if not agencies:
        raise PermissionDenied(_("Chỉ cán bộ một cửa được tiếp nhận hồ sơ."))
    return agencies


@login_required
@require_GET
def procedure_search(request: HttpRequest) -> HttpResponse:
    """Live search (htmx) — the results list alone; the full page without htmx."""
    agencies = _counter_only(request)
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = find_procedures(query, {a.level for a in agencies})
    if request.headers.get("HX-Request"):
        return render(request, "office/_procedure_results.html", {"results": results, "q": query})
    return render(request, "office/intake.html", {"search": form, "results": results, "q": query})


@login_required
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    agencies = _counter_only(request)
    code = request.GET.get("procedure", "")
    if not code:
        form = SearchForm(request.GET)
        query = form.cleaned_data["q"] if form.is_valid() else ""
        return render(request, "office/intake.html", {
            "search": form, "results": find_procedures(query, {a.level for a in agencies}), "q": query,
        })
    code = lookup_code(code, Procedure._meta.get_field("code").max_length)
    procedure = get_object_or_404(Procedure, code=code, active=True)
    if request.method == "GET":
        form = IntakeForm(procedure=procedure, agencies=agencies, initial={
            "idempotency_key": uuid.uuid4().hex, "matter": procedure.name, "sets": 1,
        })
        return _intake_page(request, procedure, form)
    form = IntakeForm(request.POST, procedure=procedure, agencies=agencies)
    if not form.is_valid():
        return _intake_page(request, procedure, form, status=400)
    data = form.cleaned_data
    decision = data["decision"]
    if decision == IntakeForm.RECEIVE:
        key = data.get("idempotency_key") or ""
        try:
            dossier = services.receive(
                procedure=procedure, unit=data["agency"].unit, agency=data["agency"], channel="counter",
                applicant=services.Applicant(
                    name=data["applicant_name"], id_number=data["applicant_id"], phone=data["applicant_phone"],
                    email=data["applicant_email"], address=data["applicant_address"],
                ),
                matter=data["matter"] or procedure.name, sets=data["sets"],
                documents=[d.name for d in data["documents"]], actor=request.user, role=COUNTER,
                idempotency_key=f"office:{request.user.pk}:{key}" if KEY.match(key) else None,
            )
        except services.DossierError as exc:
            form.add_error(None, exc.message)
            return _intake_page(request, procedure, form, status=400)
        messages.success(request, _("Đã tiếp nhận hồ sơ %(code)s.") % {"code": dossier.code})
        return redirect(reverse("office:dossier", args=[dossier.code]) + "?received=1")
    # Not received: print the slip from what was captured; nothing is stored.
    return render(request, "office/intake_slip.html", {
        "kind": "completion" if decision == IntakeForm.COMPLETE else "refusal",
        "procedure": procedure, "agency": data["agency"], "data": data,
        "missing": form.missing_documents(), "received_docs": data["documents"], "at": now(),
    })


def _intake_page(request: HttpRequest, procedure: Procedure, form: IntakeForm, status: int = 200) -> HttpResponse:
    return render(request, "office/intake.html", {
        "procedure": procedure, "form": form, "search": SearchForm(), "steps": procedure.steps.all(),
    }, status=status)
