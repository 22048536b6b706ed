"""The forms registry: which template renders which form, and what each form is filled with.

A form is named by its purpose (``FormSpec.key``: receipt, completion_request, refusal, apology, stop,
control_slip, logbook); the dossier's regime gives it its number and title. Every form shares one
base template (agency, national motto, place and date, title, signature blocks); each key has its own
content template. A regime may override a form's content with ``documents/forms/<regime>/<key>.html``.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import select_template
from django.utils import timezone

from motcua.dossiers.lifecycle import Action, EventKind, Status
from motcua.dossiers.models import DocumentKind, Dossier, DossierEvent
from motcua.people import person_name
from motcua.regimes import FormSpec, Regime, regime_by_code
from motcua.roles import role_label
from motcua.units.models import AdministrativeUnit, Agency
from motcua.workdays import in_progress_state, outcome_of, to_local

from . import render

ONE_STOP_NAME = "Bộ phận tiếp nhận và trả kết quả"
UNIT_PREFIXES = ("Thành phố ", "Thị trấn ", "Thị xã ", "Phường ", "Huyện ", "Tỉnh ", "Quận ", "Xã ", "Đặc khu ")
NOTE_LABELS = {
    Action.REQUEST_SUPPLEMENT: "Yêu cầu bổ sung",
    Action.SUPPLY: "Nhận hồ sơ bổ sung",
    Action.REQUEST_PAYMENT: "Yêu cầu thực hiện nghĩa vụ tài chính",
    Action.PAY: "Đã thực hiện nghĩa vụ tài chính",
    Action.APOLOGIZE: "Xin lỗi, hẹn lại ngày trả",
}
FINISHING_ACTIONS = (Action.RESOLVE, Action.REFUSE, Action.STOP)
# Events that hand a step to someone: a hand-over, or the receipt that opens the first step.
HANDING = (EventKind.HAND_OVER, EventKind.RECEIVE, EventKind.ACCEPT)
# Circular 01/2018, art. 9(2): forms 01 to 05 are printed on A5, the others (logbook) on A4.
A5_FORM_NUMBERS = frozenset({"01", "02", "03", "04", "05"})
BLANK = "......................"


class FormNotAvailable(LookupError):
    """The dossier's regime has no such form (e.g. the stop notice before 2025-07-01)."""


class FormDataMissing(ValueError):
    """The dossier has not reached the point the form records (e.g. no apology was sent)."""


@dataclass
class Signature:
    title: str
    hint: str = "(Ký và ghi rõ họ tên)"
    name: str = ""


@dataclass
class StepRow:
    order: int
    name: str
    agency: str
    started_at: dt.datetime | None
    due_at: dt.datetime | None
    finished_at: dt.datetime | None
    outcome: str
    giver: str
    receiver: str = ""
    notes: list[str] = field(default_factory=list)


def paper_size(spec: FormSpec | None) -> str:
    """'A5' for forms 01 to 05 of the regime, 'A4' for the others (Circular 01/2018, art. 9(2))."""
    return "A5" if spec is not None and spec.number in A5_FORM_NUMBERS else "A4"


def circular_of(regime: Regime) -> str:
    """The circular that sets the regime's forms (the last 'Thông tư' among its texts)."""
    return next((t for t in reversed(regime.texts) if t.startswith("Thông tư")), regime.texts[-1])


def place_name(unit: AdministrativeUnit) -> str:
    """'Lâm Bình' for 'Huyện Lâm Bình': the place as written before the date."""
    for prefix in UNIT_PREFIXES:
        if unit.name.startswith(prefix):
            return unit.name[len(prefix):]
    return unit.name


def header_lines(agency: Agency | None, unit: AdministrativeUnit, regime: Regime) -> tuple[str, str]:
    """Top-left of the form: the governing body, then the agency or its one-stop section."""
    section = regime.extra.get("one_stop_name", ONE_STOP_NAME)
    if agency is None:
        return f"Ủy ban nhân dân {unit.name}", section
    if agency.kind == Agency.Kind.SERVICE_CENTRE:
        return f"Ủy ban nhân dân {agency.unit.name}", agency.name
    return agency.name, section


def actor_name(event: DossierEvent | None) -> str:
    if event is None or event.actor is None:
        return ""
    return person_name(event.actor)


def actor_or_role(event: DossierEvent) -> str:
    """Who acted: the official's name, else the role ('counter (counter)' labels are for the audit)."""
    role = event.actor_label.rsplit("(", 1)[-1].rstrip(")") if event.actor_label else ""
    return actor_name(event) or role_label(role)


def last_event(dossier: Dossier, *actions: str) -> DossierEvent | None:
    return dossier.events.filter(action__in=actions).select_related("actor").order_by("-seq").first()


def split_items(text: str) -> list[str]:
    """The lines of an officer's note, as a list ('1. ...', '- ...' markers dropped)."""
    items = (re.sub(r"^\s*(?:[-•*]|\d+[.)])\s*", "", part).strip() for part in re.split(r"[\n;]+", text))
    return [item for item in items if item]


def outcome_key(dossier: Dossier, at: dt.datetime | None = None) -> str:
    """early / on_time / late for a finished dossier, within / overdue for an open one, '' otherwise."""
    if dossier.due_at is None:
        return ""
    if dossier.finished_at is not None:
        return outcome_of(dossier.finished_at, dossier.due_at)
    if dossier.withdrawn_at is not None:
        return ""
    return in_progress_state(dossier.due_at, at or timezone.now())


# --- content of each form ------------------------------------------------------------------


def _receipt(dossier: Dossier, regime: Regime) -> dict[str, Any]:
    from .logbook import logbook_position

    docs = []
    # What was handed in: the intake documents, once each (a scan completes its paper row or adds pages).
    for doc in dossier.documents.filter(kind=DocumentKind.INTAKE).select_related("required_document").order_by("id"):
        req = doc.required_document
        line = f"{doc.name} ({req.form}, {req.count} bản)" if req else doc.name
        if line not in docs:
            docs.append(line)
    if not docs:
        event = last_event(dossier, EventKind.ACCEPT, EventKind.RECEIVE, EventKind.SUBMIT)
        docs = list(event.payload.get("documents", [])) if event else []
    volume, number = logbook_position(dossier)
    receiver = last_event(dossier, EventKind.RECEIVE, EventKind.ACCEPT)
    collect = ONE_STOP_NAME
    if dossier.agency and dossier.agency.kind != Agency.Kind.SERVICE_CENTRE:
        collect = f"{ONE_STOP_NAME} – {dossier.agency.name}"
    elif dossier.agency:
        collect = dossier.agency.name
    return {
        "form_date": dossier.received_at,
        "documents": docs,
        "collect_at": collect,
        "logbook_volume": volume,
        "logbook_number": number,
        "qr": True,
        "signatures": [
            Signature("Người nộp hồ sơ", name=dossier.applicant_name),
            Signature("Người tiếp nhận hồ sơ", name=actor_name(receiver)),
        ],
    }


def _completion_request(dossier: Dossier, regime: Regime) -> dict[str, Any]:
    event = last_event(dossier, Action.REQUEST_COMPLETION, Action.REQUEST_SUPPLEMENT)
    if event is None:
        raise FormDataMissing("Hồ sơ chưa có yêu cầu bổ sung, hoàn thiện.")
    return {
        "form_date": event.at,
        "items": split_items(event.note),
        "reason": event.reason,
        "contact_name": actor_name(event),
        "contact_phone": agency_phone(dossier),
        "signatures": [Signature("Người hướng dẫn", name=actor_name(event))],
    }


def _refusal(dossier: Dossier, regime: Regime) -> dict[str, Any]:
    event = last_event(dossier, Action.REJECT_INTAKE, Action.REFUSE)
    if event is None:
        raise FormDataMissing("Hồ sơ không bị từ chối.")
    return {
        "form_date": event.at,
        "reasons": split_items(event.reason) or [event.reason],
        "signatures": [
            Signature("Người nộp hồ sơ", name=dossier.applicant_name),
            Signature("Người tiếp nhận hồ sơ", name=actor_name(event)),
        ],
    }


def _apology(dossier: Dossier, regime: Regime) -> dict[str, Any]:
    event = last_event(dossier, Action.APOLOGIZE)
    if event is None or dossier.extended_due_at is None:
        raise FormDataMissing("Hồ sơ chưa có phiếu xin lỗi và hẹn lại ngày trả kết quả.")
    original = event.payload.get("original_due_at")
    return {
        "form_date": event.at,
        "reason": event.reason,
        "original_due": dt.datetime.fromisoformat(original) if original else dossier.due_at,
        "new_due": dossier.extended_due_at,
        "signatures": [Signature("Thủ trưởng cơ quan", "(Ký, ghi rõ họ tên và đóng dấu)")],
    }


def _stop(dossier: Dossier, regime: Regime) -> dict[str, Any]:
    event = last_event(dossier, Action.STOP)
    if event is None:
        raise FormDataMissing("Hồ sơ không bị dừng giải quyết theo đề nghị của người nộp.")
    return {
        "form_date": event.at,
        "reason": event.reason,
        "note": event.note,
        "signatures": [Signature("Thủ trưởng cơ quan", "(Ký, ghi rõ họ tên và đóng dấu)")],
    }


def agency_phone(dossier: Dossier) -> str:
    """The one-stop section's phone, when the agency record holds one."""
    return str(getattr(dossier.agency, "phone", "") or "") if dossier.agency else ""


def step_rows(dossier: Dossier) -> list[StepRow]:
    """The control slip's lines: one per route step, from the steps and the events."""
    events = list(dossier.events.select_related("actor").order_by("seq"))
    rows = []
    for step in dossier.steps.select_related("agency").order_by("order"):
        givers = [e for e in events if e.step == step.order and e.action in HANDING]
        if step.order == 1:
            givers = [e for e in events if e.action in HANDING[1:]] or givers
        notes = [
            f"{NOTE_LABELS[Action(e.action)]} {to_local(e.at):%d/%m/%Y}"
            + (f": {'; '.join(split_items(e.note or e.reason))}" if e.note or e.reason else "")
            for e in events if e.step == step.order and e.action in NOTE_LABELS
        ]
        agency = step.agency or dossier.agency
        # who took the step: whoever handed it on (the next step's hand-over) or finished the dossier
        takers = [e for e in events if e.action == EventKind.HAND_OVER and e.step == step.order + 1]
        takers = takers or [e for e in events if e.step == step.order and e.action in FINISHING_ACTIONS]
        rows.append(StepRow(
            order=step.order, name=step.name, agency=agency.name if agency else "",
            started_at=step.started_at, due_at=step.due_at, finished_at=step.finished_at,
            outcome=outcome_of(step.finished_at, step.due_at) if step.finished_at and step.due_at else "",
            giver=actor_or_role(givers[-1]) if givers else "",
            receiver=actor_or_role(takers[0]) if takers else "", notes=notes,
        ))
    return rows


def _control_slip(dossier: Dossier, regime: Regime) -> dict[str, Any]:
    receipt = regime.form("receipt")
    lead = dossier.agency
    co_handling = []
    for step in dossier.steps.select_related("agency").order_by("order"):
        if step.agency is not None and step.agency != lead and step.agency.name not in co_handling:
            co_handling.append(step.agency.name)
    return {
        "form_date": dossier.received_at,
        "rows": step_rows(dossier),
        "co_handling": co_handling,
        "receipt_form": receipt,
        "dossier_outcome": outcome_key(dossier),
        "signatures": [],
    }


def _working_text(minutes: int) -> str:
    """Working minutes as a notice writes them: '2 ngày 3 giờ làm việc'."""
    days, rest = divmod(max(minutes, 0), 480)
    hours = round(rest / 60)
    parts = [f"{days} ngày"] if days else []
    parts += [f"{hours} giờ"] if hours or not days else []
    return " ".join(parts) + " làm việc"


def _supplement_notice(dossier: Dossier, regime: Regime) -> dict[str, Any]:
    """The notice of a supplement asked during processing (A5, like forms 01–05): what is asked, why,
    the clock paused meanwhile, and how to send it — online from the status page (QR) or at the counter."""
    event = last_event(dossier, Action.REQUEST_SUPPLEMENT)
    if event is None:
        raise FormDataMissing("Hồ sơ chưa có yêu cầu bổ sung trong quá trình giải quyết.")
    waiting = dossier.status == Status.AWAITING_SUPPLEMENT and dossier.paused_at == event.at
    return {
        "form_date": event.at,
        "paper": "A5",
        "items": split_items(event.note) or [event.note],
        "reason": event.reason,
        "paused_at": event.at,
        "remaining": _working_text(dossier.remaining_minutes) if waiting and dossier.remaining_minutes else "",
        "restart": dossier.procedure.clock_policy == "restart",
        "contact_name": actor_name(event),
        "contact_phone": agency_phone(dossier),
        "qr": True,
        "signatures": [Signature("Người yêu cầu bổ sung", name=actor_name(event))],
    }


def _result(dossier: Dossier, regime: Regime) -> dict[str, Any]:
    return {
        "form_date": dossier.finished_at or timezone.now(),
        "dossier_outcome": outcome_key(dossier),
        "qr": True,
        "signatures": [Signature(ONE_STOP_NAME, "")],
    }


CONTENT: dict[str, Callable[[Dossier, Regime], dict[str, Any]]] = {
    "receipt": _receipt,
    "completion_request": _completion_request,
    "refusal": _refusal,
    "apology": _apology,
    "stop": _stop,
    "control_slip": _control_slip,
}
RESULT = FormSpec("", "result", "Thông báo kết quả giải quyết hồ sơ")
SUPPLEMENT_NOTICE = FormSpec("", "supplement_notice", "Thông báo yêu cầu bổ sung hồ sơ")
# Notices that are not numbered forms of a regime: the same for every regime.
NOTICES: dict[str, tuple[FormSpec, Callable[[Dossier, Regime], dict[str, Any]]]] = {
    RESULT.key: (RESULT, _result), SUPPLEMENT_NOTICE.key: (SUPPLEMENT_NOTICE, _supplement_notice),
}


def template_for(regime: Regime, key: str) -> str:
    return select_template([f"documents/forms/{regime.code}/{key}.html", f"documents/forms/{key}.html"]).template.name


def form_context(dossier: Dossier, key: str, **extra: Any) -> tuple[str, dict[str, Any]]:
    """The template and context of ``key`` for ``dossier``; ``extra`` overrides any context value."""
    regime = regime_by_code(dossier.regime)
    if key in NOTICES:
        spec, build = NOTICES[key]
    else:
        spec = regime.form(key)
        if spec is None or key not in CONTENT:
            raise FormNotAvailable(f"Chế độ {regime.code} không có biểu mẫu {key!r}.")
        build = CONTENT[key]
    agency_line, section_line = header_lines(dossier.agency, dossier.unit, regime)
    place_unit = dossier.agency.unit if dossier.agency else dossier.unit
    context: dict[str, Any] = {
        "dossier": dossier,
        "procedure": dossier.procedure,
        "regime": regime,
        "form": spec,
        "title": spec.title,
        "circular": circular_of(regime),
        "agency_line": agency_line,
        "section_line": section_line,
        "agency_name": dossier.agency.name if dossier.agency else section_line,
        "place": place_name(place_unit),
        "public_url": render.public_url(dossier.code),
        "paper": paper_size(spec if spec.number else None),
        **build(dossier, regime),
    }
    context.update(extra)
    if context.get("qr"):
        context["qr_uri"] = render.qr_data_uri(context["public_url"])
    return template_for(regime, key), context


def render_form(dossier: Dossier, key: str, **extra: Any) -> bytes:
    """The PDF of form ``key`` (receipt, completion_request, ...) for ``dossier``, in its regime's version."""
    template, context = form_context(dossier, key, **extra)
    return render.render_template_pdf(template, context)


def render_result(dossier: Dossier, **extra: Any) -> bytes:
    """The result notice (not a numbered form) with a QR code to the dossier's public page."""
    return render_form(dossier, RESULT.key, **extra)


def render_supplement_notice(dossier: Dossier, **extra: Any) -> bytes:
    """The notice of a supplement asked during processing (A5), with a QR code to send it online."""
    return render_form(dossier, SUPPLEMENT_NOTICE.key, **extra)
