"""The citizen's files on the status page, after the same verification as the lookup (the key ``?k=``
of the printed link, or the one the lookup redirects to): a wrong or missing key is a 404.

- **Supplements**: while the dossier awaits a supplement (asked during processing), or an online
  dossier was asked to complete (form 02) and awaits intake, the citizen sends the documents asked
  (``kind=supplement``, ``uploaded_by`` None). Nothing of the dossier's state changes: the official
  sees them as new and confirms them (``office.views_files.confirm_supplement``), which supplies the
  dossier through the one writer.
- **Result files**: once the dossier has its result, the files the agency attached (``kind=result``)
  are downloaded here.
"""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from motcua.documents.forms import split_items
from motcua.dossiers.lifecycle import EventKind, Status
from motcua.dossiers.models import Document, DocumentKind, Dossier
from motcua.portal import uploads
from motcua.portal.links import key_matches, public_path
from motcua.portal.views import checked_code

# A dossier "has its result" once decided; the result stays downloadable after it is handed over.
HAS_RESULT = frozenset({Status.RESULT_READY, Status.REFUSED, Status.RETURNED})
# Supplements waiting for an official's look, at most (a bound on what one key may pile up).
PENDING_MAX = 30
OTHER = "other"


def citizen_may_supply(dossier: Dossier) -> bool:
    """The dossier awaits a supplement, or an online dossier asked to complete (form 02) awaits intake."""
    if dossier.status == Status.AWAITING_SUPPLEMENT:
        return True
    return dossier.status == Status.SUBMITTED and dossier.events.filter(action=EventKind.REQUEST_COMPLETION).exists()


def asked_items(dossier: Dossier) -> list[str]:
    """What the official asked for, one line each (the request's note, as form 02 and the notice list it)."""
    supplement = dossier.status == Status.AWAITING_SUPPLEMENT
    action = EventKind.REQUEST_SUPPLEMENT if supplement else EventKind.REQUEST_COMPLETION
    event = dossier.events.filter(action=action).order_by("-seq").only("note").first()
    return split_items(event.note) if event is not None else []


def result_files(dossier: Dossier) -> list[Document]:
    if dossier.status not in HAS_RESULT:
        return []
    return list(dossier.documents.filter(kind=DocumentKind.RESULT).exclude(file="").order_by("pk"))


def panel(dossier: Dossier) -> dict[str, Any]:
    """What portal/_files.html shows of the dossier's files."""
    may_supply = citizen_may_supply(dossier)
    return {
        "may_supply": may_supply,
        "asked": list(enumerate(asked_items(dossier))) if may_supply else [],
        "sent": list(dossier.documents.filter(kind=DocumentKind.SUPPLEMENT, uploaded_by__isnull=True)
                     .order_by("pk").only("name", "uploaded_at", "confirmed_at", "size")),
        "results": result_files(dossier),
        "accept": uploads.ACCEPT, "max_files": uploads.max_files(), "max_bytes": uploads.max_bytes(),
    }


def _verified(request: HttpRequest, code: str) -> Dossier:
    """The dossier whose key the request carries; 404 for a wrong or missing key (no oracle)."""
    checked_code(code)
    if not key_matches(code, request.GET.get("k", "")):
        raise Http404
    dossier = Dossier.objects.select_related("procedure").filter(code=code).first()
    if dossier is None:
        raise Http404
    return dossier


def _items(request: HttpRequest, dossier: Dossier) -> list[uploads.Item]:
    items = []
    for index, label in enumerate(asked_items(dossier)):
        items += [uploads.Item(upload, label[:500]) for upload in request.FILES.getlist(f"item_{index}")]
    other = _("Tài liệu bổ sung")
    return items + [uploads.Item(upload, other) for upload in request.FILES.getlist(OTHER)]


@require_POST
def supplement(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _verified(request, code)
    back = redirect(f"{public_path(dossier.code)}#supplement")
    if not citizen_may_supply(dossier):
        messages.error(request, _("Hồ sơ không ở trạng thái chờ bổ sung; không gửi được tài liệu."))
        return back
    items = _items(request, dossier)
    pending = dossier.documents.filter(kind=DocumentKind.SUPPLEMENT, confirmed_at__isnull=True).count()
    problem = (_("Chưa chọn tệp nào để gửi.") if not items else uploads.too_many(len(items)))
    if problem is None and pending + len(items) > PENDING_MAX:
        problem = _("Đã có %(n)d tài liệu chờ cán bộ xem; vui lòng chờ cán bộ xác nhận rồi gửi tiếp.") % {"n": pending}
    if problem is not None:
        messages.error(request, problem)
        return back
    outcome = uploads.store_many(dossier, items, kind=DocumentKind.SUPPLEMENT, uploaded_by=None)
    if outcome.stored:
        messages.success(request, ngettext(
            "Đã gửi %(count)d tệp. Cán bộ sẽ kiểm tra và xác nhận; ông/bà theo dõi tại trang này.",
            "Đã gửi %(count)d tệp. Cán bộ sẽ kiểm tra và xác nhận; ông/bà theo dõi tại trang này.",
            len(outcome.stored)) % {"count": len(outcome.stored)})
    for message in outcome.refused:
        messages.error(request, _("Không gửi được: %(why)s") % {"why": message})
    return back


@require_GET
def result_file(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    dossier = _verified(request, code)
    document = next((d for d in result_files(dossier) if d.pk == pk), None)
    if document is None:
        raise Http404
    return uploads.serve(document, f"{dossier.code}-ket-qua-{document.pk}", attachment=True)
