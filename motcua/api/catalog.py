"""Public catalogue of procedures (no authentication)."""
from __future__ import annotations

from django.db import connection
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from motcua.api.errors import ApiError
from motcua.api.schemas import Error, ProcedureDetail, ProcedureFilters, ProcedurePage
from motcua.catalog.models import Procedure

router = Router(tags=["Thủ tục"], auth=None)


@router.get("/procedures", response=ProcedurePage, summary="Danh sách thủ tục hành chính")
def list_procedures(request: HttpRequest, filters: Query[ProcedureFilters]) -> dict:
    level, field, q, limit, offset = filters.level, filters.field, filters.q, filters.limit, filters.offset
    qs = Procedure.objects.filter(active=True).select_related("field").order_by("code")
    if field:
        qs = qs.filter(field__code=field)
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if level and connection.features.supports_json_field_contains:
        qs = qs.filter(levels__contains=[level])
    elif level:  # SQLite has no JSON containment: filter the (small) catalogue here
        qs = qs.filter(pk__in=[pk for pk, levels in qs.values_list("pk", "levels") if level in (levels or [])])
    return {"count": qs.count(), "limit": limit, "offset": offset, "items": list(qs[offset : offset + limit])}


@router.get("/procedures/{code}", response={200: ProcedureDetail, 404: Error}, summary="Chi tiết thủ tục")
def get_procedure(request: HttpRequest, code: str) -> Procedure:
    procedure = (
        Procedure.objects.filter(code=code, active=True)
        .select_related("field").prefetch_related("documents", "steps").first()
    )
    if procedure is None:
        raise ApiError(404, "not_found", _("Không tìm thấy thủ tục."))
    return procedure
