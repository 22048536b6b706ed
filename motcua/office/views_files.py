"""The files of a dossier on the officials' side: scans at the counter, the result file, the citizen's
supplements and their confirmation, the printable notice of a supplement request.

- **Scans** (``kind=intake``): for each required document of the procedure, by the counter or the
  specialist who acts on the dossier while it is open; a scan completes the paper row received at
  the counter (its "digitised" flag, which the 766 index counts) or adds a page.
- **Result file** (``kind=result``): by the roles that decide (head, leader) acting on the dossier,
  while it is being resolved or has its result; the citizen downloads it from the status page.
- **Supplements** the citizen sent (``kind=supplement``, ``uploaded_by`` None) are shown as new until
  an official confirms them; confirming a dossier that awaits a supplement is the lifecycle's
  ``supply``, through ``services.perform`` (one writer), in the same transaction.

Several files in one post: each is checked on its own (``uploads.store_many``), the good ones kept,
each bad one named. Files are served only by ``views_forms.document_file`` (``uploads.serve``).
"""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from motcua.catalog.models import RequiredDocument
from motcua.documents.forms import FormDataMissing, render_supplement_notice
from motcua.dossiers import lifecycle, policy, privacy, services
from motcua.dossiers.lifecycle import Action, EventKind, Status
from motcua.dossiers.models import Document, DocumentKind, Dossier
from motcua.office.views_common import visible_dossier
from motcua.portal import uploads
from motcua.roles import Role

SCAN_ROLES = frozenset({Role.COUNTER, Role.SPECIALIST})
# The roles that decide the dossier (the lifecycle table's "resolve"): head and leader.
RESULT_ROLES = frozenset(lifecycle.TABLE[Status.IN_PROCESSING][Action.RESOLVE].roles - {lifecycle.SYSTEM})
CONFIRM_ROLES = frozenset({Role.COUNTER, Role.SPECIALIST, Role.HEAD, Role.LEADER})
SCAN_STATUSES = frozenset({Status.SUBMITTED, Status.RECEIVED, Status.IN_PROCESSING, Status.AWAITING_SUPPLEMENT,
                           Status.AWAITING_PAYMENT})
RESULT_STATUSES = frozenset({Status.IN_PROCESSING, Status.RESULT_READY, Status.REFUSED})


# --- who may do what with files (the acting roles of motcua.dossiers.policy, the one rule) ---------

def _acts_as(user: Any, dossier: Dossier, roles: frozenset[str]) -> bool:
    return bool(roles & set(policy.acting_roles(user, dossier)))


def may_scan(user: Any, dossier: Dossier) -> bool:
    return dossier.status in SCAN_STATUSES and _acts_as(user, dossier, SCAN_ROLES)


def may_attach_result(user: Any, dossier: Dossier) -> bool:
    return dossier.status in RESULT_STATUSES and _acts_as(user, dossier, RESULT_ROLES)


def confirm_refusal(user: Any, dossier: Dossier) -> str | None:
    """Why ``user`` may not confirm the citizen's supplements now (None if it may). A dossier awaiting
    a supplement is supplied by the confirmation, so the lifecycle decides (``supply``)."""
    if dossier.status == Status.AWAITING_SUPPLEMENT:
        refused = policy.refusal(dossier, user, Action.SUPPLY)
        return refused.message if refused is not None else None
    if dossier.status in SCAN_STATUSES and _acts_as(user, dossier, CONFIRM_ROLES):
        return None
    return _("Bạn không xác nhận được tài liệu bổ sung của hồ sơ này lúc này.")


# --- what the dossier page shows ------------------------------------------------------------------

def _answers(document: Document, required: RequiredDocument) -> bool:
    if document.required_document_id is not None:
        return document.required_document_id == required.pk
    return document.name == required.name


def panel(user: Any, dossier: Dossier) -> dict[str, Any]:
    """The files section of the dossier page (office/_files.html)."""
    documents = list(dossier.documents.select_related("uploaded_by", "confirmed_by").order_by("pk"))
    intake = [d for d in documents if d.kind == DocumentKind.INTAKE]
    rows, matched = [], set()
    for required in RequiredDocument.objects.filter(procedure_id=dossier.procedure_id).order_by("order", "pk"):
        mine = [d for d in intake if _answers(d, required)]
        matched.update(d.pk for d in mine)
        rows.append({"required": required, "paper": any(d.paper for d in mine),
                     "files": [d for d in mine if d.file]})
    supplements = [d for d in documents if d.kind == DocumentKind.SUPPLEMENT]
    return {
        "required_rows": rows,
        "other_intake": [d for d in intake if d.pk not in matched],
        "supplements": supplements,
        "new_supplements": [d for d in supplements if d.confirmed_at is None],
        "results": [d for d in documents if d.kind == DocumentKind.RESULT],
        "can_scan": may_scan(user, dossier),
        "can_attach_result": may_attach_result(user, dossier),
        "can_confirm": confirm_refusal(user, dossier) is None,
        "supplies": dossier.status == Status.AWAITING_SUPPLEMENT,
        "notice": dossier.events.filter(action=EventKind.REQUEST_SUPPLEMENT).exists(),
        "accept": uploads.ACCEPT,
        "max_files": uploads.max_files(),
        "max_bytes": uploads.max_bytes(),
    }


# --- the posts ------------------------------------------------------------------------------------

def _refused(request: HttpRequest, dossier: Dossier, message: str, status: int) -> HttpResponse:
    from motcua.office.views_dossier import _page

    return _page(request, dossier, error=message, status=status)


def _report(request: HttpRequest, dossier: Dossier, outcome: uploads.Outcome) -> HttpResponse:
    """Kept files said, each refused one named; the page again (400 when nothing was kept)."""
    if not outcome.stored:
        return _refused(request, dossier, " ".join(outcome.refused), 400)
    names = ", ".join(d.original_name or d.name for d in outcome.stored)
    messages.success(request, ngettext("Đã lưu %(count)d tệp: %(names)s.", "Đã lưu %(count)d tệp: %(names)s.",
                                       len(outcome.stored)) % {"count": len(outcome.stored), "names": names})
    for message in outcome.refused:
        messages.error(request, _("Không lưu: %(why)s") % {"why": message})
    return redirect("office:dossier", code=dossier.code)


def _too_many_or_none(request: HttpRequest, dossier: Dossier, count: int) -> HttpResponse | None:
    if count == 0:
        return _refused(request, dossier, _("Chưa chọn tệp nào để tải lên."), 400)
    message = uploads.too_many(count)
    return _refused(request, dossier, message, 400) if message else None


@login_required
@require_POST
def upload_intake(request: HttpRequest, code: str) -> HttpResponse:
    """Scans of the required documents: field ``doc_<required document id>``, one or more files each."""
    dossier = visible_dossier(request, code)
    if not may_scan(request.user, dossier):
        return _refused(request, dossier, _("Bạn không tải được bản quét thành phần hồ sơ của hồ sơ này lúc này."),
                        403)
    items: list[uploads.Item] = []
    # The first scan of a document received on paper completes its row; further pages add rows.
    paper_rows = list(dossier.documents.filter(kind=DocumentKind.INTAKE, file="").order_by("pk"))
    slots: dict[int, list[Document]] = {}
    for required in RequiredDocument.objects.filter(procedure_id=dossier.procedure_id).order_by("order", "pk"):
        slots[required.pk] = [d for d in paper_rows if _answers(d, required)]
        items += [uploads.Item(upload, required.name, required.pk) for upload in request.FILES.getlist(
            f"doc_{required.pk}")]
    problem = _too_many_or_none(request, dossier, len(items))
    if problem is not None:
        return problem
    return _report(request, dossier, uploads.store_many(dossier, items, kind=DocumentKind.INTAKE,
                                                         uploaded_by=request.user, slots=slots))


@login_required
@require_POST
def upload_result(request: HttpRequest, code: str) -> HttpResponse:
    """The result file(s) of the dossier, by the head or the leader who decides it."""
    dossier = visible_dossier(request, code)
    if not may_attach_result(request.user, dossier):
        return _refused(request, dossier, _("Chỉ lãnh đạo cơ quan giải quyết hồ sơ đính kèm được tệp kết quả, khi hồ "
                                            "sơ đang giải quyết hoặc đã có kết quả."), 403)
    files = request.FILES.getlist("result")
    problem = _too_many_or_none(request, dossier, len(files))
    if problem is not None:
        return problem
    name = (request.POST.get("name") or "").strip()[:200] or dossier.procedure.result_type or _("Kết quả giải quyết")
    items = [uploads.Item(upload, name) for upload in files]
    return _report(request, dossier, uploads.store_many(dossier, items, kind=DocumentKind.RESULT,
                                                         uploaded_by=request.user))


class _AlreadyConfirmed(Exception):
    pass


@login_required
@require_POST
def confirm_supplement(request: HttpRequest, code: str) -> HttpResponse:
    """The official checked the citizen's files: each confirmed (when, by whom); a dossier awaiting a
    supplement is supplied (``supply``) with a note listing them — all in one transaction."""
    from django.db import transaction

    dossier = visible_dossier(request, code)
    refused = confirm_refusal(request.user, dossier)
    if refused is not None:
        return _refused(request, dossier, refused, 403)
    ids = {int(v) for v in request.POST.getlist("document") if v.isdigit() and len(v) < 12}
    chosen = list(dossier.documents.filter(kind=DocumentKind.SUPPLEMENT, confirmed_at__isnull=True, pk__in=ids)
                  .order_by("pk"))
    if not chosen:
        return _refused(request, dossier, _("Chọn ít nhất một tài liệu bổ sung mới để xác nhận."), 400)
    version = request.POST.get("version", "")
    note = (request.POST.get("note") or "").strip()[:2000]
    listed = "; ".join(f"{d.name} ({d.original_name})" if d.original_name else d.name for d in chosen)
    try:
        with transaction.atomic():
            done = Document.objects.filter(pk__in=[d.pk for d in chosen], confirmed_at__isnull=True).update(
                confirmed_at=timezone.now(), confirmed_by=request.user)
            if done != len(chosen):
                raise _AlreadyConfirmed
            if dossier.status == Status.AWAITING_SUPPLEMENT:
                text = _("Đã nhận hồ sơ bổ sung trực tuyến: %(files)s.") % {"files": listed}
                services.perform(dossier, Action.SUPPLY, actor=request.user, note=f"{text}\n{note}".strip(),
                                 expected_version=int(version) if version.isdigit() and len(version) < 12 else None)
    except _AlreadyConfirmed:
        return _refused(request, dossier, _("Tài liệu vừa được cán bộ khác xác nhận; hãy xem lại."), 409)
    except services.DossierError as exc:
        dossier.refresh_from_db()
        from motcua.office.views_dossier import STATUS

        return _refused(request, dossier, exc.message, STATUS.get(type(exc), 400))
    messages.success(request, _("Đã xác nhận tài liệu bổ sung: %(files)s.") % {"files": listed})
    return redirect("office:dossier", code=dossier.code)


@login_required
@require_GET
def supplement_notice(request: HttpRequest, code: str) -> HttpResponse:
    """The notice of the supplement asked during processing, A5 PDF, as the viewer may see the dossier."""
    dossier = visible_dossier(request, code)
    try:
        pdf = render_supplement_notice(privacy.as_seen(dossier, privacy.sees_full(request.user, dossier)))
    except FormDataMissing as exc:
        raise Http404(str(exc)) from exc
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{dossier.code}-thong-bao-bo-sung.pdf"'
    return response
