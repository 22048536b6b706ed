"""The REST API (django-ninja). Routers only call services and queries; no logic of their own.

OpenAPI at /api/openapi.json, interactive docs at /api/docs.
"""
from ninja import NinjaAPI

from motcua.api import catalog, dossiers, errors
from motcua.api.auth import AUTH

api = NinjaAPI(
    title="motcua API",
    version="1.0",
    urls_namespace="api",
    description=(
        "API của hệ thống một cửa. Xác thực: `Authorization: Bearer <mã truy cập>` (tạo bằng "
        "`manage.py create_api_token`) hoặc phiên đăng nhập của cán bộ (kèm CSRF). Lỗi trả về `{code, message}`."
    ),
    auth=AUTH,
)
errors.install(api)
api.add_router("", catalog.router)
api.add_router("", dossiers.router)
