"""The error pages (400, 403, 404, 500), in Vietnamese, for citizens and for officials.

An official's address (``/office/``, the statistics, the oversight registers, the admin) gets the
officials' frame, everything else the citizens' portal frame; both offer a way back: the portal's
home, the dossier lookup and the officials' screens. The API answers in JSON ``{code, message}``.

The 500 and the 400 pages are rendered from a plain context, without the request's context
processors and without the database: they must show even when the database is what failed.
"""
from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

from motcua.workdays import TZ

OFFICIAL_PREFIXES = ("/office/", "/thong-ke/", "/kien-nghi/", "/kiem-tra/", "/giam-sat/", "/chi-so-cchc/",
                     "/ke-hoach-cchc/", "/admin/", "/accounts/")
PUBLIC_EXCEPTIONS = ("/giam-sat/cong-khai/",)
OFFICIAL_BASE, CITIZEN_BASE = "base.html", "portal/base.html"


def is_official_path(path: str) -> bool:
    return path.startswith(OFFICIAL_PREFIXES) and not path.startswith(PUBLIC_EXCEPTIONS)


def _api(path: str) -> bool:
    return path.startswith("/api/")


def _json(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message}, status=status)


def _context(request: HttpRequest) -> dict:
    path = getattr(request, "path", "") or ""
    official = is_official_path(path)
    return {"base": OFFICIAL_BASE if official else CITIZEN_BASE, "official": official}


def human_now() -> str:
    """'15 giờ 30, ngày 05/12/2026' (the reference a citizen or an officer can quote when reporting)."""
    local = dt.datetime.now(TZ)
    return f"{local.hour:02d} giờ {local.minute:02d}, ngày {local:%d/%m/%Y}"


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _api(request.path):
        return _json(400, "bad_request", _("Yêu cầu không hợp lệ."))
    html = loader.get_template("400.html").render(_context(request))  # no request: the host may be the fault
    return HttpResponse(html, status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _api(request.path):
        return _json(403, "forbidden", _("Bạn không có quyền thực hiện việc này."))
    html = loader.get_template("403.html").render(_context(request), request)
    return HttpResponse(html, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _api(request.path):
        return _json(404, "not_found", _("Không tìm thấy."))
    html = loader.get_template("404.html").render(_context(request), request)
    return HttpResponse(html, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _api(request.path):
        return _json(500, "server_error", _("Hệ thống gặp sự cố, hãy thử lại sau."))
    html = loader.get_template("500.html").render({**_context(request), "at": human_now()})
    return HttpResponse(html, status=500)
