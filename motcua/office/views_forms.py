"""Official forms of a dossier as PDF: ``office/dossiers/<code>/forms/<key>.pdf``.

Renders with ``render_form(dossier, key)`` of motcua.documents (forms.py or render.py, whichever
provides it). A form the regime lacks, or one the dossier has not reached (no apology sent...),
answers 404; the renderer missing or failing answers 503 with a page — never a 500.
"""
from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from motcua.documents.forms import FormDataMissing, FormNotAvailable, render_form
from motcua.dossiers import privacy
from motcua.office.access import counter_agencies
from motcua.office.views_common import visible_dossier
from motcua.portal import uploads
from motcua.regimes import regime_by_code

log = logging.getLogger(__name__)


@login_required
@require_GET
def form_pdf(request: HttpRequest, code: str, key: str) -> HttpResponse:
    dossier = visible_dossier(request, code)
    spec = regime_by_code(dossier.regime).form(key)
    if spec is None:
        raise Http404("no such form in this regime")
    full = privacy.sees_full(request.user, dossier)  # the one rule, as on the screen and in the API
    try:
        pdf = render_form(privacy.as_seen(dossier, full), key)
    except FormNotAvailable as exc:
        raise Http404(str(exc)) from exc
    except FormDataMissing as exc:  # the dossier has not reached this form
        return _unavailable(request, dossier, str(exc), 404)
    except Exception:  # noqa: BLE001 - a failing renderer must not become a 500 for the official
        log.exception("rendering form %s of dossier %s failed", key, dossier.code)
        return _unavailable(request, dossier, _("Không tạo được biểu mẫu lúc này; vui lòng thử lại sau."), 503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{dossier.code}-mau-{spec.number}.pdf"'
    return response


def _unavailable(request: HttpRequest, dossier: object, message: str, status: int) -> HttpResponse:
    return render(request, "office/unavailable.html", {"dossier": dossier, "message": message}, status=status)


@login_required
@require_GET
def document_file(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """An uploaded document, only to users who may see its dossier (never a public URL): its stored
    content type, nosniff, a name made here (``uploads.serve``)."""
    dossier = visible_dossier(request, code)
    document = dossier.documents.filter(pk=pk).exclude(file="").first()
    if document is None:
        raise Http404("no such document")
    return uploads.serve(document, f"{dossier.code}-{document.pk}")


@login_required
@require_GET
def logbook(request: HttpRequest) -> HttpResponse:
    """The dossier logbook (form 06 of 2018 / 07 of 2025) of the officer's one-stop section, as PDF or xlsx."""
    from motcua.documents.logbook import logbook_xlsx, render_logbook_pdf

    agencies = counter_agencies(request.user)
    if not agencies:
        raise PermissionDenied
    today = timezone.localdate()
    try:
        date_from = dt.date.fromisoformat(request.GET.get("from") or today.replace(day=1).isoformat())
        date_to = dt.date.fromisoformat(request.GET.get("to") or today.isoformat())
    except ValueError:
        return HttpResponseBadRequest(_("Ngày không hợp lệ: dùng dạng YYYY-MM-DD."), content_type="text/plain")
    if date_from > date_to or (date_to - date_from).days > 366:
        return HttpResponseBadRequest(_("Khoảng ngày phải từ 1 ngày đến 1 năm, ngày đầu không sau ngày cuối."),
                                      content_type="text/plain")
    agency = next((a for a in agencies if str(a.pk) == request.GET.get("agency")), agencies[0])
    name = f"so-theo-doi-{agency.code}-{date_from:%Y%m%d}-{date_to:%Y%m%d}"
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(logbook_xlsx(agency, date_from, date_to), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    response = HttpResponse(render_logbook_pdf(agency, date_from, date_to), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response
