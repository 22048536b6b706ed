"""API errors and how every failure becomes a JSON body ``{code, message}`` with its status."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from motcua.statemachine import Conflict, Forbidden, InvalidInput, NotAllowed
from motcua.statemachine import LifecycleError as DossierError

# Error responses each operation documents (with the Error schema).
READ_ERRORS = (401, 404)
ACTION_ERRORS = (400, 401, 403, 404, 409, 422, 428)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def not_found() -> ApiError:
    return ApiError(404, "not_found", _("Không tìm thấy hồ sơ."))


def dossier_error_status(exc: DossierError) -> int:
    if isinstance(exc, InvalidInput):
        return 400
    if isinstance(exc, Forbidden):
        return 403
    if isinstance(exc, NotAllowed | Conflict):
        return 409
    return 422


def install(api: NinjaAPI) -> None:
    def body(request: HttpRequest, status: int, code: str, message: str, **extra: object) -> HttpResponse:
        return api.create_response(request, {"code": code, "message": message, **extra}, status=status)

    @api.exception_handler(ApiError)
    def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return body(request, exc.status, exc.code, exc.message)

    @api.exception_handler(DossierError)
    def _dossier_error(request: HttpRequest, exc: DossierError) -> HttpResponse:
        return body(request, dossier_error_status(exc), exc.code, exc.message)

    @api.exception_handler(AuthenticationError)
    def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = body(request, 401, "unauthorized", _("Cần đăng nhập hoặc mã truy cập (Bearer) hợp lệ."))
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(ValidationError)
    def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return body(request, 422, "invalid", _("Dữ liệu gửi lên không hợp lệ."), detail=exc.errors)

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = {403: "forbidden", 404: "not_found"}.get(exc.status_code, "error")
        return body(request, exc.status_code, code, str(exc))
