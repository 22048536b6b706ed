"""Administrative procedures on the PAR plans' page: record the decision approving a procedure's electronic
process (its route in the catalogue), and propose a simplification citing the measured step times of the
procedure's dossiers in a unit over a period (frozen with the instant they were computed)."""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from motcua.catalog.models import Procedure
from motcua.parplans import services
from motcua.statemachine import LifecycleError
from motcua.units import scoping
from motcua.units.models import AdministrativeUnit, Level


class RouteApprovalForm(forms.Form):
    procedure = forms.CharField(label="Mã thủ tục", max_length=30)
    decision_number = forms.CharField(label="Số quyết định", max_length=60)
    decision_date = forms.DateField(label="Ngày quyết định", widget=forms.DateInput(attrs={"type": "date"}))
    issuer = forms.CharField(label="Người, cơ quan ban hành", max_length=300)
    note = forms.CharField(label="Ghi chú", max_length=500, required=False)


class ProposalForm(forms.Form):
    procedure = forms.CharField(label="Mã thủ tục", max_length=30)
    unit = forms.CharField(label="Mã đơn vị", max_length=10)
    timing_from = forms.DateField(label="Số liệu từ ngày", widget=forms.DateInput(attrs={"type": "date"}))
    timing_to = forms.DateField(label="Đến ngày", widget=forms.DateInput(attrs={"type": "date"}))
    proposal = forms.CharField(label="Nội dung đề xuất", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


def may_record_routes(user: Any) -> bool:
    """The administrator, or a PAR officer or leader of a province (routes are approved by the province)."""
    if "admin" in scoping.user_roles(user):
        return True
    for sr in scoping.staff_roles(user):
        if sr.role in ("par_officer", "leader"):
            unit_id = sr.unit_id if sr.unit_id is not None else sr.agency.unit_id
            if AdministrativeUnit.objects.filter(pk=unit_id, level=Level.PROVINCE).exists():
                return True
    return False


def _errors(form: forms.Form) -> str:
    labels = {name: field.label for name, field in form.fields.items()}
    return "; ".join(f"{labels.get(f, f)}: {' '.join(e)}" for f, e in form.errors.items())


def _page(request: HttpRequest, error: str) -> HttpResponse:
    from motcua.parplans.views import plans

    response = plans(request, extra_error=error)
    response.status_code = 400
    return response


@login_required
@require_POST
def route_approval(request: HttpRequest) -> HttpResponse:
    if not may_record_routes(request.user):
        raise Http404("Chỉ quản trị hoặc đầu mối CCHC cấp tỉnh ghi nhận quyết định phê duyệt quy trình.")
    form = RouteApprovalForm(request.POST)
    if not form.is_valid():
        return _page(request, _errors(form))
    data = form.cleaned_data
    try:
        services.record_route_approval(Procedure.objects.filter(code=data["procedure"].strip()).first(),
                                       decision_number=data["decision_number"], decision_date=data["decision_date"],
                                       issuer=data["issuer"], note=data["note"])
    except LifecycleError as exc:
        return _page(request, str(exc))
    return redirect("parplans:plans")


@login_required
@require_POST
def proposal(request: HttpRequest) -> HttpResponse:
    form = ProposalForm(request.POST)
    if not form.is_valid():
        return _page(request, _errors(form))
    data = form.cleaned_data
    unit = scoping.resolve_code(data["unit"].strip(), data["timing_to"])
    if unit is None:
        return _page(request, f"Mã đơn vị: không có đơn vị hành chính mã {data['unit']}.")
    if not services.can_manage(request.user, unit):
        raise Http404("Bạn không đề xuất cho đơn vị này.")
    procedure = Procedure.objects.filter(code=data["procedure"].strip()).first()
    if procedure is None:
        return _page(request, f"Mã thủ tục: không có thủ tục mã {data['procedure']}.")
    try:
        services.propose_for_procedure(procedure, unit, data["proposal"], data["timing_from"], data["timing_to"])
    except LifecycleError as exc:
        field = {"timing_from": "Số liệu từ ngày", "proposal": "Nội dung đề xuất"}.get(exc.field or "", "")
        return _page(request, f"{field}: {exc}" if field else str(exc))
    return redirect("parplans:plans")
