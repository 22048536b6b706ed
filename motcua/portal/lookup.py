"""Citizens look up their dossier: code + a verification value, or the key printed in the QR code.

A wrong code and a wrong verification value get the same answer, so the page is no oracle
for which codes exist; attempts are rate-limited per client address and per code.
"""
from __future__ import annotations

import re
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from motcua.dossiers.lifecycle import Status
from motcua.dossiers.models import Dossier
from motcua.net import client_ip
from motcua.portal import ratelimit
from motcua.portal.links import key_matches, lookup_key, public_path
from motcua.portal.models import ELEMENTS, Rating
from motcua.portal.timeline import citizen_timeline, mask_name
from motcua.portal.views import checked_code

ATTEMPTS_PER_CLIENT = 10  # per window
ATTEMPTS_PER_CODE = 5
WINDOW_SECONDS = 15 * 60
RATABLE = {Status.RESULT_READY, Status.RETURNED, Status.REFUSED, Status.STOPPED}


class LookupForm(forms.Form):
    code = forms.CharField(label=_lazy("Mã hồ sơ"), max_length=60)
    verification = forms.RegexField(
        label=_lazy("4 số cuối số điện thoại hoặc số định danh cá nhân"), regex=r"^\d{4}$", max_length=4,
        error_messages={"invalid": _lazy("Nhập đúng 4 chữ số.")},
    )


class RatingForm(forms.ModelForm):
    class Meta:
        model = Rating
        fields = [*ELEMENTS, "comment"]
        labels = {**ELEMENTS, "comment": _lazy("Ý kiến góp ý (nếu có)")}
        widgets = {name: forms.RadioSelect(choices=[(i, str(i)) for i in range(1, 6)]) for name in ELEMENTS}


def verifies(dossier: Dossier, value: str) -> bool:
    """The value is the last 4 digits of the applicant's phone or ID number (however they were typed)."""
    candidates = [re.sub(r"\D", "", v) for v in (dossier.applicant_phone, dossier.applicant_id)]
    return any(len(c) >= 4 and c[-4:] == value for c in candidates)


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    form = LookupForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    status = 200
    if request.method == "POST":
        client = f"lookup-ip:{client_ip(request) or 'unknown'}"
        if not ratelimit.hit(client, ATTEMPTS_PER_CLIENT, WINDOW_SECONDS):
            form = LookupForm(initial={"code": request.POST.get("code", "")})
            messages.error(request, _("Quá nhiều lần tra cứu. Vui lòng thử lại sau 15 phút."))
            return render(request, "portal/lookup.html", {"form": form}, status=429)
        if form.is_valid():
            code = form.cleaned_data["code"].strip()
            dossier = Dossier.objects.filter(code=code).first()
            per_code = f"lookup-code:{code}"
            if (
                dossier is not None and not ratelimit.blocked(per_code, ATTEMPTS_PER_CODE)
                and verifies(dossier, form.cleaned_data["verification"])
            ):
                return redirect(public_path(dossier.code))
            ratelimit.hit(per_code, ATTEMPTS_PER_CODE, WINDOW_SECONDS)
            messages.error(request, _("Không tìm thấy hồ sơ có mã và thông tin xác minh này."))
            status = 404
    return render(request, "portal/lookup.html", {"form": form}, status=status)


def _dossier_for_key(request: HttpRequest, code: str) -> Dossier:
    checked_code(code)
    if not key_matches(code, request.GET.get("k", "")):
        raise Http404
    dossier = Dossier.objects.select_related("procedure", "agency", "unit").filter(code=code).first()
    if dossier is None:
        raise Http404
    return dossier


def dossier_page(request: HttpRequest, code: str) -> HttpResponse:
    checked_code(code)
    if not key_matches(code, request.GET.get("k", "")):
        return redirect(f"{reverse('portal:lookup')}?{urlencode({'code': code})}")
    dossier = _dossier_for_key(request, code)
    rating = Rating.objects.filter(dossier=dossier).first()
    context = {
        "dossier": dossier,
        "applicant": mask_name(dossier.applicant_name),
        "timeline": citizen_timeline(dossier),
        "key": lookup_key(code),
        "rating": rating,
        "rating_form": RatingForm() if dossier.status in RATABLE and rating is None else None,
    }
    return render(request, "portal/dossier.html", context)


@require_http_methods(["POST"])
def rate(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _dossier_for_key(request, code)
    if dossier.status not in RATABLE:
        messages.error(request, _("Chỉ đánh giá được khi hồ sơ đã có kết quả."))
        return redirect(public_path(code))
    form = RatingForm(request.POST)
    if not form.is_valid():
        context = {"dossier": dossier, "applicant": mask_name(dossier.applicant_name),
                   "timeline": citizen_timeline(dossier), "key": lookup_key(code), "rating_form": form}
        return render(request, "portal/dossier.html", context, status=400)
    try:
        with transaction.atomic():
            form.instance.dossier = dossier
            form.save()
    except IntegrityError:
        messages.error(request, _("Hồ sơ này đã được đánh giá; mỗi hồ sơ chỉ đánh giá một lần."))
        return redirect(public_path(code))
    messages.success(request, _("Cảm ơn ông/bà đã đánh giá."))
    return redirect(public_path(code))
