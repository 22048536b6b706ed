"""The dossier logbook (Sổ theo dõi hồ sơ: form 06 of 2018, 07 of 2025) as PDF and as xlsx.

One line per dossier received by an agency (or in a unit) over a date range. Lines are numbered
within the calendar year of receipt, in order of receipt; the receipt (form 01) prints the same
volume (the year) and number.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import xlsxwriter
from django.db.models import Q, QuerySet
from django.utils import timezone

from motcua.dossiers.models import Channel, Dossier, Outcome
from motcua.regimes import regime_at
from motcua.units.models import AdministrativeUnit, Agency
from motcua.workdays import TZ, to_local

from . import render
from .forms import circular_of, header_lines, outcome_key, place_name
from .templatetags.vnforms import outcome_label

Owner = Agency | AdministrativeUnit

COLUMNS = (
    ("STT", 5), ("Mã hồ sơ", 20), ("Tên thủ tục hành chính", 34), ("Tên tổ chức, cá nhân", 22),
    ("Địa chỉ, số điện thoại", 26), ("Số bộ", 6), ("Nhận hồ sơ", 16), ("Hẹn trả kết quả", 16),
    ("Có kết quả", 16), ("Trả kết quả", 16), ("Cơ quan chủ trì giải quyết", 24), ("Cách thức nhận kết quả", 16),
    ("Ký nhận kết quả", 14), ("Kết quả", 14), ("Ghi chú", 26),
)
# How the applicant collects the result: the dossier holds no such choice, so the way it came in.
COLLECTION = {
    Channel.COUNTER: "Trực tiếp",
    Channel.ONLINE: "Trực tuyến",
    Channel.POSTAL: "Qua dịch vụ bưu chính công ích",
}


@dataclass
class LogbookRow:
    number: int
    code: str
    procedure: str
    applicant: str
    contact: str
    sets: int
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    finished_at: dt.datetime | None
    returned_at: dt.datetime | None
    outcome: str
    note: str
    lead_agency: str = ""
    collection: str = ""


def _owned(owner: Owner) -> QuerySet[Dossier]:
    if isinstance(owner, Agency):
        return Dossier.objects.filter(agency=owner)
    return Dossier.objects.filter(unit__code=owner.code)


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=TZ)


def logbook_position(dossier: Dossier) -> tuple[str, int]:
    """(volume, number) of the dossier in its owner's logbook: the year of receipt and the rank in it."""
    if dossier.received_at is None:
        return "", 0
    received = to_local(dossier.received_at)
    owner: Owner = dossier.agency or dossier.unit
    earlier = _owned(owner).filter(
        received_at__gte=_start_of(dt.date(received.year, 1, 1)),
    ).filter(Q(received_at__lt=dossier.received_at) | Q(received_at=dossier.received_at, code__lte=dossier.code))
    return str(received.year), earlier.count()


def _note(dossier: Dossier) -> str:
    parts = []
    if dossier.outcome and dossier.outcome != Outcome.APPROVED:
        parts.append(dossier.get_outcome_display())
    elif not dossier.finished_at and not dossier.withdrawn_at:
        parts.append(dossier.status_label)
    if dossier.extended_due_at:
        parts.append(f"Hẹn lại: {to_local(dossier.extended_due_at):%H:%M %d/%m/%Y}")
    if dossier.supplement_requests:
        parts.append(f"Yêu cầu bổ sung: {dossier.supplement_requests} lần")
    return "; ".join(str(p) for p in parts)


def logbook_rows(owner: Owner, date_from: dt.date, date_to: dt.date, at: dt.datetime | None = None) -> list[LogbookRow]:
    """Dossiers received by ``owner`` from ``date_from`` to ``date_to`` (inclusive, local dates).

    Open dossiers are judged at ``at`` (default: now) as in progress within time or overdue.
    """
    at = at or timezone.now()
    dossiers = (
        _owned(owner)
        .filter(received_at__gte=_start_of(dt.date(date_from.year, 1, 1)),
                received_at__lt=_start_of(date_to + dt.timedelta(days=1)))
        .select_related("procedure", "agency", "unit")
        .order_by("received_at", "code")
    )
    rows: list[LogbookRow] = []
    year, number = None, 0
    for d in dossiers:
        received = to_local(d.received_at)
        number = number + 1 if received.year == year else 1
        year = received.year
        if received.date() < date_from:
            continue
        contact = ", ".join(v for v in (d.applicant_address, d.applicant_phone) if v)
        rows.append(LogbookRow(
            number=number, code=d.code, procedure=d.procedure.name, applicant=d.applicant_name, contact=contact,
            sets=d.sets, received_at=d.received_at, due_at=d.due_at, finished_at=d.finished_at,
            returned_at=d.returned_at, outcome=outcome_label(outcome_key(d, at)), note=_note(d),
            lead_agency=d.agency.name if d.agency else d.unit.name,
            collection=str(COLLECTION.get(d.channel, d.get_channel_display())),
        ))
    return rows


def _heading(owner: Owner, date_to: dt.date) -> dict[str, object]:
    regime = regime_at(date_to)
    agency = owner if isinstance(owner, Agency) else None
    unit = owner.unit if isinstance(owner, Agency) else owner
    agency_line, section_line = header_lines(agency, unit, regime)
    spec = regime.form("logbook")
    return {
        "regime": regime, "form": spec, "title": spec.title if spec else "Sổ theo dõi hồ sơ",
        "circular": circular_of(regime), "agency_line": agency_line, "section_line": section_line,
        "place": place_name(unit),
    }


def render_logbook_pdf(owner: Owner, date_from: dt.date, date_to: dt.date, at: dt.datetime | None = None) -> bytes:
    """The logbook for the range as an A4 landscape PDF."""
    context = {
        **_heading(owner, date_to),
        "rows": logbook_rows(owner, date_from, date_to, at),
        "date_from": date_from, "date_to": date_to, "form_date": to_local(at or timezone.now()),
    }
    return render.render_template_pdf("documents/logbook.html", context)


def _naive(value: dt.datetime | None) -> dt.datetime | None:
    return to_local(value).replace(tzinfo=None) if value is not None else None


def logbook_xlsx(owner: Owner, date_from: dt.date, date_to: dt.date, at: dt.datetime | None = None) -> bytes:
    """The logbook for the range as an Excel workbook (one sheet, real dates in local time)."""
    heading = _heading(owner, date_to)
    rows = logbook_rows(owner, date_from, date_to, at)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Sổ theo dõi hồ sơ")
    title = book.add_format({"bold": True, "font_size": 14, "align": "center", "font_name": "Times New Roman"})
    plain = book.add_format({"font_name": "Times New Roman", "align": "center"})
    head = book.add_format({"bold": True, "border": 1, "text_wrap": True, "align": "center", "valign": "vcenter",
                            "font_name": "Times New Roman", "bg_color": "#EEEEEE"})
    cell = book.add_format({"border": 1, "text_wrap": True, "valign": "top", "font_name": "Times New Roman"})
    when = book.add_format({"border": 1, "valign": "top", "num_format": "dd/mm/yyyy hh:mm",
                            "font_name": "Times New Roman"})
    last = len(COLUMNS) - 1
    sheet.merge_range(0, 0, 0, last, str(heading["agency_line"]).upper(), plain)
    sheet.merge_range(1, 0, 1, last, str(heading["title"]).upper(), title)
    period = f"Từ ngày {date_from:%d/%m/%Y} đến ngày {date_to:%d/%m/%Y}"
    form = heading["form"]
    if form is not None:
        period += f" (Mẫu số {form.number} – {heading['circular']})"
    sheet.merge_range(2, 0, 2, last, period, plain)
    for col, (name, width) in enumerate(COLUMNS):
        sheet.write(4, col, name, head)
        sheet.set_column(col, col, width)
    for i, row in enumerate(rows, start=5):
        values = (row.number, row.code, row.procedure, row.applicant, row.contact, row.sets)
        for col, value in enumerate(values):
            sheet.write(i, col, value, cell)
        for col, value in enumerate((row.received_at, row.due_at, row.finished_at, row.returned_at), start=6):
            naive = _naive(value)
            if naive is None:
                sheet.write_blank(i, col, None, cell)
            else:
                sheet.write_datetime(i, col, naive, when)
        for col, value in enumerate((row.lead_agency, row.collection, "", row.outcome, row.note), start=10):
            sheet.write(i, col, value, cell)
    sheet.freeze_panes(5, 2)
    sheet.autofilter(4, 0, 4 + len(rows), last)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.repeat_rows(4)
    book.close()
    return out.getvalue()
