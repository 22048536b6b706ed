import logging

from django.contrib import admin
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from motcua.api.router import api
from motcua.office.views_auth import LoginView, LogoutView

logger = logging.getLogger(__name__)

# The error pages in Vietnamese (motcua/errors.py); the admin's titles too.
handler400, handler403 = "motcua.errors.bad_request", "motcua.errors.permission_denied"
handler404, handler500 = "motcua.errors.page_not_found", "motcua.errors.server_error"
admin.site.site_header = admin.site.site_title = _("Quản trị hệ thống một cửa điện tử")
admin.site.index_title = _("Quản trị dữ liệu, danh mục và người dùng")


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the application and its database answer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure is "unhealthy"
        # The reason goes to the log, never to the caller (it may name hosts, users, paths).
        logger.exception("healthz: the database does not answer")
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


urlpatterns = [
    path("healthz", healthz),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("office/", include("motcua.office.urls")),
    path("thong-ke/", include("motcua.stats.urls")),
    path("kien-nghi/", include("motcua.followup.urls")),
    path("kiem-tra/", include("motcua.inspections.urls")),
    path("giam-sat/", include("motcua.supervision.urls")),
    path("chi-so-cchc/", include("motcua.parindex.urls")),
    path("ke-hoach-cchc/", include("motcua.parplans.urls")),
    path("cong-khai/", include("motcua.stats.urls_public")),
    path("", RedirectView.as_view(pattern_name="portal:catalogue", permanent=False)),
    path("", include("motcua.portal.urls")),
]
