"""The inspections register and a plan's coverage as xlsx workbooks."""
from __future__ import annotations

from collections.abc import Iterable

from motcua.documents.tables import XLSX, response, table_xlsx  # noqa: F401 - the register's exports use them
from motcua.inspections.models import Inspection


def register_rows(inspections: Iterable[Inspection]) -> list[list[object]]:
    return [[i.code, i.topic, i.target_label, i.unit.name, i.get_kind_display(), i.get_status_display(),
             f"{i.period_from:%d/%m/%Y} – {i.period_to:%d/%m/%Y}", f"{i.starts_on:%d/%m/%Y}", f"{i.ends_on:%d/%m/%Y}",
             i.plan.title if i.plan_id else ""] for i in inspections]


REGISTER_HEADERS = ("Mã", "Nội dung", "Đối tượng", "Đơn vị", "Loại", "Trạng thái", "Thời kỳ kiểm tra",
                    "Bắt đầu", "Kết thúc", "Kế hoạch")
COVERAGE_HEADERS = ("Nhóm đối tượng", "Theo kế hoạch", "Đã kiểm tra", "Tỷ lệ (%)")
LATE_HEADERS = ("Mã hồ sơ", "Thủ tục", "Nơi tiếp nhận", "Tiếp nhận", "Hẹn trả", "Hoàn thành")
