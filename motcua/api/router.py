"""The REST API (django-ninja). Routers only call services and queries; no logic of their own.

OpenAPI at /api/openapi.json, interactive docs at /api/docs.
"""
from typing import Any

from ninja import NinjaAPI

from motcua.api import catalog, dossiers, errors
from motcua.api.auth import AUTH
from motcua.followup import api as followup_api
from motcua.inspections import api as inspections_api
from motcua.parindex import api as parindex_api
from motcua.parplans import api as parplans_api
from motcua.supervision import api as supervision_api

# Answers any operation may give before or around its own logic, documented on every operation:
# 400 (a NUL character, a value the database cannot hold: motcua.middleware.BadInput), 413 (a body
# over the cap: BodyLimit), 422 (parameters or body not matching the schema: ninja).
COMMON_ERRORS = {
    "400": "Dữ liệu không hợp lệ (ký tự điều khiển, giá trị vượt giới hạn)",
    "413": "Dữ liệu gửi lên quá lớn",
    "422": "Tham số hoặc nội dung không đúng lược đồ",
}


class MotcuaAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for code, description in COMMON_ERRORS.items():
                    if code not in responses and int(code) not in responses:
                        responses[code] = {"description": description, "content": error}
        return schema


api = MotcuaAPI(
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
