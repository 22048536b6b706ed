"""Two protections every response and request get, whatever the view.

- ``SecurityHeaders``: the Content-Security-Policy (settings.MOTCUA_CSP; every script, style sheet,
  font and image of the site is its own, vendored, so the policy allows only the site itself) and a
  Referrer-Policy that keeps the status page's ``?k=`` key out of other sites' logs.
- ``BodyLimit``: a request whose declared body is larger than settings.MOTCUA_MAX_REQUEST_BYTES is
  answered 413 before a byte of it is read (uploads are bounded again per file in the views).
"""
from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

Handler = Callable[[HttpRequest], HttpResponse]


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
                return JsonResponse({"code": "too_large", "detail": message}, status=413)
            html = render_to_string("413.html", {"message": message}, request=None)
            return HttpResponse(html, status=413)
        return self.get_response(request)
