"""Legacy import, the rows: columns, parsing and validation of one CSV record, and the typed
events an imported dossier carries. No writing here (see ``writer.py``)."""
from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from django.utils.translation import gettext as _

from motcua.dossiers.lifecycle import Action, EventKind, Status
from motcua.dossiers.models import Channel, Outcome
from motcua.regimes import REGIMES, regime_at
from motcua.units.models import AdministrativeUnit, Level

REQUIRED = ("code", "procedure_code", "unit_code", "channel", "received_at", "due_at")
OPTIONAL = (
    "procedure_name", "level", "extended_due_at", "supplement_requests", "finished_at", "outcome", "returned_at",
    "applicant_name", "applicant_id", "applicant_phone",
)
COLUMNS = REQUIRED + OPTIONAL
ACTOR_LABEL = "nhập dữ liệu cũ"

_MAX_LENGTH = {
    "code": 60, "procedure_code": 30, "procedure_name": 500, "applicant_name": 200, "applicant_id": 20,
    "applicant_phone": 20,
}
_ENUMS = {"level": set(Level.values), "channel": set(Channel.values), "outcome": set(Outcome.values)}
_RETURNABLE = {Outcome.APPROVED.value, Outcome.REFUSED.value}
_LIMITS = tuple(_MAX_LENGTH[c] for c in (
    "code", "procedure_code", "procedure_name", "applicant_name", "applicant_id", "applicant_phone"))
_CHANNELS = frozenset(_ENUMS["channel"])
_LEVELS_OR_EMPTY = frozenset({"", *_ENUMS["level"]})
_OUTCOMES_OR_EMPTY = frozenset({"", *_ENUMS["outcome"]})


class ImportFileError(Exception):
    """The file as a whole cannot be read (not UTF-8, not CSV...): one line, nothing imported."""


@dataclass(slots=True)
class LegacyRow:
    """One valid CSV row; instants are naive Asia/Ho_Chi_Minh times (see ``parse_instant``)."""

    row: int
    code: str
    procedure_code: str
    procedure_name: str
    unit_code: str
    unit_id: int
    level: str
    channel: str
    received_at: dt.datetime
    due_at: dt.datetime
    extended_due_at: dt.datetime | None
    supplement_requests: int
    finished_at: dt.datetime | None
    outcome: str
    returned_at: dt.datetime | None
    applicant_name: str
    applicant_id: str
    applicant_phone: str


# Instants are kept as naive Asia/Ho_Chi_Minh wall-clock times (the CSV's own convention) from
# parsing to writing: Asia/Ho_Chi_Minh has been UTC+07:00, without daylight saving, since 1975, and
# attaching or converting time zones costs more than the rest of the work on millions of values.
ICT = dt.timezone(dt.timedelta(hours=7), "ICT")
ICT_OFFSET = dt.timedelta(hours=7)


def parse_instant(text: str) -> dt.datetime:
    """ISO 8601 → naive Asia/Ho_Chi_Minh time; a value without an offset is already that. Raises ValueError."""
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo is None else value.astimezone(ICT).replace(tzinfo=None)


def local(value: dt.datetime | None) -> dt.datetime | None:
    """A stored (aware) instant as a naive Asia/Ho_Chi_Minh time, to compare with parsed ones."""
    return None if value is None else value.astimezone(ICT).replace(tzinfo=None)


class UnitIndex:
    """Every unit version in memory (thousands): code → versions sorted by ``valid_from``."""

    def __init__(self) -> None:
        self._versions: dict[str, list[tuple[dt.date, dt.date, int, str]]] = defaultdict(list)
        rows = AdministrativeUnit.objects.values_list("code", "valid_from", "valid_to", "pk", "level")
        for code, valid_from, valid_to, pk, level in rows.order_by("code", "valid_from"):
            self._versions[code].append((valid_from, valid_to or dt.date.max, pk, level))
        self._starts = {code: [v[0] for v in versions] for code, versions in self._versions.items()}

    def valid(self, code: str, day: dt.date) -> tuple[int, str] | None:
        """(pk, level) of the version of ``code`` valid on ``day``, or None: ``find`` says why."""
        for valid_from, valid_to, pk, level in self._versions.get(code, ()):
            if valid_from <= day <= valid_to:
                return pk, level
        return None

    def find(self, code: str, day: dt.date) -> tuple[int, str] | str:
        """(pk, level) of the version of ``code`` valid on ``day``, else the reason why not."""
        versions = self._versions.get(code)
        if not versions:
            return _("không có đơn vị hành chính mã %(code)r") % {"code": code}
        i = bisect_right(self._starts[code], day) - 1
        if i >= 0 and day <= versions[i][1]:
            return versions[i][2], versions[i][3]
        spans = ", ".join(f"{f.isoformat()}..{'' if t == dt.date.max else t.isoformat()}" for f, t, _p, _l in versions)
        return _("đơn vị %(code)r không có hiệu lực ngày %(day)s (hiệu lực %(spans)s)") % {
            "code": code, "day": day.isoformat(), "spans": spans}


def _regime_code(day: dt.date) -> str:
    # Dossiers received before 2018-06-21 get the 2018 regime: it is the earliest one modelled.
    if day < REGIMES[0].valid_from:
        return REGIMES[0].code
    return regime_at(day).code


class RowParser:
    """Turns one CSV record into a ``LegacyRow`` or a list of (column, reason)."""

    def __init__(self, header: list[str], units: UnitIndex) -> None:
        self.index = {name: i for i, name in enumerate(header)}
        self.width = len(header)
        self.units = units
        self._present = [c for c in COLUMNS if c in self.index]
        # Every column in COLUMNS order; an absent optional one reads the "" ``parse`` appends.
        self._columns = itemgetter(*(self.index.get(c, self.width) for c in COLUMNS))

    def parse(self, row_no: int, record: list[str]) -> LegacyRow | list[tuple[str, str]]:
        """The row, or every problem of it. Most rows are good: ``_good`` takes them in a few
        microseconds; any doubt sends the row to ``_checked``, which names each problem."""
        return self._good(row_no, record) or self._checked(row_no, record)

    def _good(self, row_no: int, record: list[str]) -> LegacyRow | None:
        """The row if it is plainly valid, else None. Must accept only what ``_checked`` accepts,
        with the same values (tests/test_import_parser.py holds the two against each other)."""
        if len(record) != self.width:
            return None
        record.append("")
        (code, procedure_code, unit_code, channel, received_text, due_text, procedure_name, level, extended_text,
         supplements_text, finished_text, outcome, returned_text, applicant_name, applicant_id, applicant_phone,
         ) = map(str.strip, self._columns(record))
        del record[-1]
        if not (code and procedure_code and unit_code and channel and received_text and due_text):
            return None
        values = (code, procedure_code, procedure_name, applicant_name, applicant_id, applicant_phone)
        if any(len(v) > limit for v, limit in zip(values, _LIMITS, strict=True)):
            return None
        if channel not in _CHANNELS or level not in _LEVELS_OR_EMPTY or outcome not in _OUTCOMES_OR_EMPTY:
            return None
        try:
            received, due = parse_instant(received_text), parse_instant(due_text)
            extended = parse_instant(extended_text) if extended_text else None
            finished = parse_instant(finished_text) if finished_text else None
            returned = parse_instant(returned_text) if returned_text else None
            supplements = int(supplements_text) if supplements_text else 0
        except ValueError:
            return None
        if not 0 <= supplements <= 32767 or due < received or (extended is not None and extended < received):
            return None
        if finished is None:
            if outcome or returned is not None:
                return None
        elif not outcome or finished < received or (
                returned is not None and (returned < finished or outcome not in _RETURNABLE)):
            return None
        unit = self.units.valid(unit_code, received.date())
        if unit is None:
            return None
        return LegacyRow(
            row_no, code, procedure_code, procedure_name, unit_code, unit[0], level or unit[1], channel, received,
            due, extended, supplements, finished, outcome, returned, applicant_name, applicant_id, applicant_phone)

    def _checked(self, row_no: int, record: list[str]) -> LegacyRow | list[tuple[str, str]]:
        if len(record) != self.width:
            return [("", _("%(n)d giá trị, dòng tiêu đề có %(m)d") % {"n": len(record), "m": self.width})]
        problems: list[tuple[str, str]] = []
        v = {c: record[self.index[c]].strip() for c in self._present}
        for column in REQUIRED:
            if not v[column]:
                problems.append((column, _("thiếu giá trị")))
        for column, limit in _MAX_LENGTH.items():
            if len(v.get(column, "")) > limit:
                problems.append((column, _("dài quá %(n)d ký tự") % {"n": limit}))
        for column, allowed in _ENUMS.items():
            if v.get(column) and v[column] not in allowed:
                problems.append((column, _("%(value)r không thuộc: %(allowed)s") % {
                    "value": v[column], "allowed": ", ".join(sorted(allowed))}))
        instants: dict[str, dt.datetime | None] = {}
        for column in ("received_at", "due_at", "extended_due_at", "finished_at", "returned_at"):
            text = v.get(column, "")
            instants[column] = None
            if text:
                try:
                    instants[column] = parse_instant(text)
                except ValueError:
                    problems.append((column, _("không phải thời điểm ISO 8601: %(value)r") % {"value": text}))
        supplements = 0
        if v.get("supplement_requests"):
            try:
                supplements = int(v["supplement_requests"])
                if not 0 <= supplements <= 32767:
                    raise ValueError
            except ValueError:
                problems.append(("supplement_requests", _("không phải số nguyên ≥ 0: %(value)r") % {
                    "value": v["supplement_requests"]}))
        received, finished, returned = instants["received_at"], instants["finished_at"], instants["returned_at"]
        outcome = v.get("outcome", "")
        for column in ("due_at", "extended_due_at", "finished_at"):
            value = instants[column]
            if value is not None and received is not None and value < received:
                problems.append((column, _("trước received_at")))
        if v.get("finished_at") and not outcome:
            problems.append(("outcome", _("bắt buộc khi có finished_at")))
        if outcome and not v.get("finished_at"):
            problems.append(("finished_at", _("bắt buộc khi có outcome")))
        if v.get("returned_at"):
            if not v.get("finished_at"):
                problems.append(("returned_at", _("có giá trị mà finished_at trống")))
            elif returned is not None and finished is not None and returned < finished:
                problems.append(("returned_at", _("trước finished_at")))
            elif outcome in _ENUMS["outcome"] and outcome not in _RETURNABLE:
                problems.append(("returned_at", _("hồ sơ %(outcome)s không có kết quả để trả") % {
                    "outcome": outcome}))
        unit: tuple[int, str] | str = (0, "")
        if received is not None and v["unit_code"]:
            unit = self.units.find(v["unit_code"], received.date())
            if isinstance(unit, str):
                problems.append(("unit_code", unit))
        if problems:
            return problems
        assert received is not None and instants["due_at"] is not None and not isinstance(unit, str)
        return LegacyRow(
            row=row_no, code=v["code"], procedure_code=v["procedure_code"], procedure_name=v.get("procedure_name", ""),
            unit_code=v["unit_code"], unit_id=unit[0], level=v.get("level") or unit[1], channel=v["channel"],
            received_at=received, due_at=instants["due_at"], extended_due_at=instants["extended_due_at"],
            supplement_requests=supplements, finished_at=finished, outcome=outcome, returned_at=returned,
            applicant_name=v.get("applicant_name", ""), applicant_id=v.get("applicant_id", ""),
            applicant_phone=v.get("applicant_phone", ""),
        )


def check_header(header: list[str]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append((name, _("có hai lần trong dòng tiêu đề")))
        seen.add(name)
        if name not in COLUMNS:
            problems.append((name, _("cột không có trong định dạng (các cột: %(columns)s)") % {
                "columns": ", ".join(COLUMNS)}))
    problems += [(c, _("thiếu cột bắt buộc")) for c in REQUIRED if c not in seen]
    return problems


# Plain strings (not the enums): the bulk writer binds millions of them.
RECEIVED, IN_PROCESSING, RETURNED = Status.RECEIVED.value, Status.IN_PROCESSING.value, Status.RETURNED.value
_FINISH = {
    outcome.value: (action.value, status.value) for outcome, action, status in (
        (Outcome.APPROVED, Action.RESOLVE, Status.RESULT_READY), (Outcome.REFUSED, Action.REFUSE, Status.REFUSED),
        (Outcome.STOPPED, Action.STOP, Status.STOPPED), (Outcome.WITHDRAWN, Action.WITHDRAW, Status.WITHDRAWN))
}
Event = tuple[str, dt.datetime, str, str, "dict[str, Any] | None"]


def events_for(row: LegacyRow) -> list[Event]:
    """The typed events of an imported dossier: (action, at, from_status, to_status, payload or None)."""
    events: list[Event] = [(EventKind.RECEIVE, row.received_at, "", RECEIVED, None)]
    if row.extended_due_at is not None:
        # When the apology was sent is not in the old data: it is dated at receipt and marked as imported.
        events.append((Action.APOLOGIZE.value, row.received_at, RECEIVED, RECEIVED, {
            "original_due_at": f"{row.due_at.isoformat()}+07:00",
            "new_due_at": f"{row.extended_due_at.isoformat()}+07:00",
            "imported": True}))
    if row.finished_at is not None:
        # Nor are the steps between receipt and the end: the finishing event starts from
        # in_processing, where the lifecycle table has it.
        action, status = _FINISH[row.outcome]
        events.append((action, row.finished_at, IN_PROCESSING, status, None))
        if row.returned_at is not None:
            events.append((Action.RETURN.value, row.returned_at, status, RETURNED, None))
    return events


def status_of(row: LegacyRow) -> str:
    if row.finished_at is None:
        return IN_PROCESSING
    if row.returned_at is not None:
        return RETURNED
    return _FINISH[row.outcome][1]


