"""Protections every response and request get, whatever the view.

- ``SecurityHeaders``: the Content-Security-Policy (settings.MOTCUA_CSP; every script, style sheet,
  font and image of the site is its own, vendored, so the policy allows only the site itself) and a
  Referrer-Policy that keeps the status page's ``?k=`` key out of other sites' logs.
- ``BodyLimit``: a request whose declared body is larger than settings.MOTCUA_MAX_REQUEST_BYTES is
  answered 413 before a byte of it is read (uploads are bounded again per file in the views).
- ``BadInput``: a NUL character in the path, the query or a form/JSON body is refused (400) — no
  database stores it and no screen means it —, and a value the database cannot hold (a number out
  of range, a text too long for its column) that slipped past a form is a 400, never a 500.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import DataError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

Handler = Callable[[HttpRequest], HttpResponse]
logger = logging.getLogger(__name__)
NUL_MARKS = (b"\x00", b"%00", b"\\u0000")
TEXT_BODIES = ("application/x-www-form-urlencoded", "application/json", "text/")


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """400 in the caller's language: JSON ``{code, message}`` for the API, a page for the rest."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "bad_input", "message": message}, status=400)
    return plain_page(400, _("Dữ liệu không hợp lệ"), message, _("Hãy kiểm tra lại thông tin đã nhập."))


def plain_page(status: int, title: str, message: str, hint: str = "") -> HttpResponse:
    """A page that needs no request context (it is answered before, or instead of, the view)."""
    html = render_to_string("errors/plain.html", {"title": title, "message": message, "hint": hint})
    return HttpResponse(html, status=status)


class SecurityHeaders:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "MOTCUA_CSP", "")
        if policy and "Content-Security-Policy" not in response:
            report_only = settings.MOTCUA_CSP_REPORT_ONLY
            response["Content-Security-Policy-Report-Only" if report_only else "Content-Security-Policy"] = policy
        response.setdefault("Referrer-Policy", "same-origin")
        return response


class BodyLimit:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.MOTCUA_MAX_REQUEST_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            message = _("Dữ liệu gửi lên quá lớn (%(size)s MB; tối đa %(max)s MB).") % {
                "size": round(declared / 1048576, 1), "max": round(limit / 1048576, 1)}
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "too_large", "message": message}, status=413)
            return plain_page(413, _("Dữ liệu gửi lên quá lớn"), message,
                              _("Hãy gửi tệp nhỏ hơn, hoặc gửi từng tệp một."))
        return self.get_response(request)


class BadInput:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            return bad_request(request, _("Dữ liệu gửi lên có ký tự điều khiển không hợp lệ (NUL)."))
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if "\x00" in request.path or any(m in request.META.get("QUERY_STRING", "").encode() for m in (b"%00",)):
            return True
        kind = request.META.get("CONTENT_TYPE", "")
        if request.method in ("GET", "HEAD") or not kind.startswith(TEXT_BODIES):
            return False  # multipart: files hold any byte; their text fields are checked by the forms
        body = request.body  # bounded by BodyLimit and DATA_UPLOAD_MAX_MEMORY_SIZE
        return any(mark in body for mark in NUL_MARKS)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DataError | OverflowError):
            logger.warning("a value the database cannot hold reached %s: %s", request.path, exception)
            return bad_request(request, _("Có giá trị vượt quá giới hạn cho phép (số quá lớn hoặc chuỗi quá dài)."))
        return None
