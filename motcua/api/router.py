"""The REST API (django-ninja). Routers only call services and queries; no logic of their own.

OpenAPI at /api/openapi.json, interactive docs at /api/docs.
"""
from ninja import NinjaAPI

from motcua.api import catalog, dossiers, errors
from motcua.api.auth import AUTH
from motcua.followup import api as followup_api
from motcua.inspections import api as inspections_api
from motcua.parindex import api as parindex_api
from motcua.parplans import api as parplans_api
from motcua.supervision import api as supervision_api

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
api.add_router("/oversight", followup_api.router)
api.add_router("/oversight", inspections_api.router)
api.add_router("/oversight", supervision_api.router)
api.add_router("/oversight", parindex_api.router)
api.add_router("/oversight", parplans_api.router)
