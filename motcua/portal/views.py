"""The citizens' portal: the published catalogue (with QR codes) and online submission."""
from __future__ import annotations

import math

import segno
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from motcua.catalog.models import Field, Procedure
from motcua.catalog.search import search_procedures
from motcua.dossiers import applicant as rules
from motcua.dossiers import services
from motcua.dossiers.applicant import form_check
from motcua.dossiers.models import Dossier
from motcua.portal import uploads
from motcua.portal.links import lookup_key, procedure_url, public_path
from motcua.units.models import Agency, Level

ONLINE = {"online_full", "online_partial"}


def checked_code(code: str) -> str:
    """A code from the URL, or 404 for one no row can have (a NUL byte would be a PostgreSQL error)."""
    if "\x00" in code or len(code) > 60:
        raise Http404("no such code")
    return code


def qr_svg(data: str, scale: int = 4) -> str:
    return mark_safe(segno.make(data, error="m").svg_inline(scale=scale, dark="#000"))  # noqa: S308 - our own SVG


def catalogue(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    level = request.GET.get("level", "")
    field = request.GET.get("field", "").replace("\x00", "")[:30]
    procedures = Procedure.objects.filter(active=True, is_stub=False).select_related("field")
    if field:
        procedures = procedures.filter(field__code=field)
    found = search_procedures(q, procedures) if q else list(procedures)
    if level in Level.values:
        found = [p for p in found if level in p.levels]
    context = {
        "procedures": found, "fields": Field.objects.all(), "levels": Level.choices,
        "q": q, "level": level, "field": field,
    }
    return render(request, "portal/catalogue.html", context)


def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    procedure = get_object_or_404(Procedure.objects.select_related("field"), code=checked_code(code), active=True)
    context = {
        "procedure": procedure, "qr": qr_svg(procedure_url(procedure.code)),
        "online": bool(ONLINE & set(procedure.channels)),
        "documents": procedure.documents.all(),
    }
    return render(request, "portal/procedure.html", context)


def qr_sheet(request: HttpRequest) -> HttpResponse:
    """A printable A4 sheet of QR codes for an agency's wall (niêm yết)."""
    level = request.GET.get("level", "")
    procedures = [p for p in Procedure.objects.filter(active=True, is_stub=False) if not level or level in p.levels]
    agency = Agency.objects.filter(code=checked_code(request.GET.get("agency", ""))).first()
    items = [(p, qr_svg(procedure_url(p.code), scale=3)) for p in procedures]
    return render(request, "portal/qr_sheet.html", {"items": items, "agency": agency, "level": level})


class SubmissionForm(forms.Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=_lazy("Nơi nộp hồ sơ"))
    name = forms.CharField(label=_lazy("Họ và tên"), max_length=200)
    id_number = forms.CharField(label=_lazy("Số định danh cá nhân (CCCD 12 số hoặc CMND 9 số)"), max_length=40)
    phone = forms.CharField(label=_lazy("Số điện thoại"), max_length=40)
    email = forms.EmailField(label=_lazy("Thư điện tử"), required=False)
    address = forms.CharField(label=_lazy("Địa chỉ"), max_length=300)
    matter = forms.CharField(label=_lazy("Nội dung yêu cầu"), max_length=500, required=False)

    def __init__(self, procedure: Procedure, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.procedure = procedure
        self.fields["agency"].queryset = Agency.objects.filter(
            has_one_stop=True, level__in=procedure.levels, valid_to__isnull=True
        ).select_related("unit")
        for document in procedure.documents.all():
            self.fields[f"doc_{document.pk}"] = forms.FileField(
                label=f"{document.name} ({document.form})", required=document.required,
                widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
            )
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    # The same rule and messages as every other door (motcua.dossiers.applicant).
    def clean_name(self) -> str:
        return form_check(rules.clean_name)(self.cleaned_data["name"])

    def clean_id_number(self) -> str:
        return form_check(rules.clean_id_number)(self.cleaned_data["id_number"])

    def clean_phone(self) -> str:
        return form_check(rules.clean_phone)(self.cleaned_data["phone"])

    def clean_address(self) -> str:
        return form_check(rules.clean_address)(self.cleaned_data["address"])

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        for name in self.fields:
            upload = cleaned.get(name)
            if name.startswith("doc_") and upload:
                try:
                    uploads.check(upload)  # type: ignore[arg-type]
                except ValidationError as error:
                    self.add_error(name, error)
        return cleaned


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, code: str) -> HttpResponse:
    procedure = get_object_or_404(Procedure, code=checked_code(code), active=True)
    if not ONLINE & set(procedure.channels):
        raise Http404
    if request.method == "POST":
        limited = _submission_limited(request)
        if limited is not None:
            return limited
    form = SubmissionForm(procedure, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        agency: Agency = data["agency"]
        with transaction.atomic():
            dossier = services.receive(
                procedure=procedure, unit=agency.unit, agency=agency, online=True, role="applicant",
                applicant=services.Applicant(name=data["name"], id_number=data["id_number"], phone=data["phone"],
                                             email=data["email"], address=data["address"]),
                matter=data["matter"] or procedure.name,
            )
            for document in procedure.documents.all():
                upload = data.get(f"doc_{document.pk}")
                if upload:
                    uploads.store(dossier, document.name, upload, document.pk)
        request.session["submitted_code"] = dossier.code
        return redirect("portal:submitted", code=dossier.code)
    return render(request, "portal/submit.html", {"procedure": procedure, "form": form},
                  status=400 if request.method == "POST" else 200)


def _submission_limited(request: HttpRequest) -> HttpResponse | None:
    """Anonymous submissions are counted per address (every post: a failed one costs the server as
    much); past MOTCUA_SUBMIT_MAX_PER_HOUR in the hour the page says to wait. The counts are in the
    shared store of the limits, so every worker process sees them. Each post is counted before it is
    let through, by one atomic increment: posts made at once cannot all slip under the limit."""
    from motcua.portal import ratelimit
    from motcua.portal.lookup import client_key

    bucket, window = f"submit-client:{client_key(request)}", 3600
    if ratelimit.fail(bucket, window) > int(settings.MOTCUA_SUBMIT_MAX_PER_HOUR):
        minutes = max(1, math.ceil(ratelimit.retry_after(window) / 60))
        response = render(request, "errors/plain.html", {
            "title": _("Tạm thời không nhận thêm hồ sơ từ địa chỉ này"),
            "message": _("Đã có quá nhiều lần nộp hồ sơ trực tuyến từ địa chỉ mạng này trong một giờ. "
                         "Vui lòng thử lại sau %(minutes)d phút, hoặc nộp tại Bộ phận Một cửa.") % {"minutes": minutes},
        }, status=429)
        response["Retry-After"] = str(ratelimit.retry_after(window))
        return response
    return None


def submitted(request: HttpRequest, code: str) -> HttpResponse:
    # Only the browser that just submitted sees this page (it carries the status link with its key).
    if request.session.get("submitted_code") != code:
        raise Http404
    dossier = get_object_or_404(Dossier, code=code)
    context = {"dossier": dossier, "status_url": public_path(dossier.code), "key": lookup_key(dossier.code),
               "message": _("Hồ sơ đã được gửi. Bộ phận Một cửa sẽ kiểm tra và tiếp nhận trong giờ làm việc.")}
    return render(request, "portal/submitted.html", context)
