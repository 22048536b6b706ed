"""Legal regimes as data (docs/domain.md §2): dates in force, form set, dossier-code format.

Pure Python. A dossier uses the regime in force on its receipt date. Adding a third regime
is adding one ``Regime(...)`` to ``REGIMES``; nothing else branches on the regime's name.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FormSpec:
    number: str
    key: str  # what the form is for: receipt, completion_request, refusal, apology, stop, control_slip, logbook
    title: str


@dataclass(frozen=True)
class Regime:
    code: str
    valid_from: dt.date
    valid_to: dt.date | None
    texts: tuple[str, ...]  # the texts that set the regime (the last circular sets the forms)
    levels: tuple[str, ...]
    forms: tuple[FormSpec, ...]
    # str.format pattern; fields: agency (agency code), date (YYMMDD of receipt), seq (daily number)
    dossier_code_format: str = "{agency}-{date}-{seq:04d}"
    # Nationally centralised services, from a date: the owner's two digits (AA) before the sequence:
    # MX1X2.Y1Y2Y3.Z1Z2-YYMMDD-AAXXXX, XXXX at least 4 digits.
    centralised_code_format: str | None = None
    centralised_code_from: dt.date | None = None
    # How an applicant ends a received dossier before its result: "withdraw" (no form) or "stop"
    # (the one-stop section issues the notice of stopping, form "stop").
    closing_on_request: str = "withdraw"
    # Requests to supplement a dossier during processing: how many (None: no limit), and within how
    # many working days of receipt (a late one is recorded, not forbidden).
    max_supplement_requests: int | None = None
    supplement_request_days: int = 3
    apology_requests_extension: bool = False
    # An online dossier is taken in (accepted, asked to complete, or refused) within this many working
    # minutes of its submission, counted on the receiving unit's legal clock from the next working
    # instant: the officials' "awaiting intake" queue shows it. docs/domain.md names no text for it;
    # a deployment sets it here (default one working day).
    online_intake_minutes: int = 480
    amended_by: tuple[str, ...] = ()  # texts amending them, in force for the regime's dossiers
    extra: dict[str, str] = field(default_factory=dict)

    def in_force(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def form(self, key: str) -> FormSpec | None:
        return next((f for f in self.forms if f.key == key), None)

    def _code_format(self, day: dt.date, owner: str) -> str:
        centralised = owner and self.centralised_code_format and self.centralised_code_from is not None
        if centralised and day >= self.centralised_code_from:  # type: ignore[operator]
            return self.centralised_code_format  # type: ignore[return-value]
        return self.dossier_code_format

    def dossier_code(self, agency_code: str, day: dt.date, seq: int, owner: str = "") -> str:
        """The code of the ``seq``-th dossier of the day at this agency; ``owner``: the two digits of a
        nationally centralised system's owner, for its services."""
        return self._code_format(day, owner).format(agency=agency_code, date=day.strftime("%y%m%d"), seq=seq,
                                                    owner=owner)

    def code_prefix(self, agency_code: str, day: dt.date, owner: str = "") -> str:
        """What the codes of one daily sequence share (the code without its sequence number)."""
        return self._code_format(day, owner).split("{seq", 1)[0].format(
            agency=agency_code, date=day.strftime("%y%m%d"), owner=owner)


REGIMES: tuple[Regime, ...] = (
    Regime(
        code="2018",
        valid_from=dt.date(2018, 6, 21),
        valid_to=dt.date(2025, 6, 30),
        texts=("Nghị định 61/2018/NĐ-CP", "Nghị định 107/2021/NĐ-CP", "Thông tư 01/2018/TT-VPCP"),
        levels=("province", "district", "commune"),
        forms=(
            FormSpec("01", "receipt", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
            FormSpec("02", "completion_request", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
            FormSpec("03", "refusal", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
            FormSpec("04", "apology", "Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
            FormSpec("05", "control_slip", "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
            FormSpec("06", "logbook", "Sổ theo dõi hồ sơ"),
        ),
    ),
    Regime(
        code="2025",
        valid_from=dt.date(2025, 7, 1),
        valid_to=None,
        texts=("Nghị định 118/2025/NĐ-CP", "Thông tư 03/2025/TT-VPCP"),
        amended_by=("Nghị định 367/2025/NĐ-CP", "Thông tư 04/2025/TT-VPCP"),
        levels=("province", "commune"),
        forms=(
            FormSpec("01", "receipt", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
            FormSpec("02", "completion_request", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
            FormSpec("03", "refusal", "Phiếu từ chối tiếp nhận hồ sơ"),
            FormSpec("04", "apology", "Phiếu xin lỗi và đề nghị gia hạn thời gian giải quyết"),
            FormSpec("05", "stop", "Thông báo dừng giải quyết hồ sơ"),
            FormSpec("06", "control_slip", "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
            FormSpec("07", "logbook", "Sổ theo dõi hồ sơ"),
        ),
        closing_on_request="stop",
        centralised_code_format="{agency}-{date}-{owner}{seq:04d}",
        centralised_code_from=dt.date(2026, 1, 25),
        max_supplement_requests=1,
        apology_requests_extension=True,
    ),
)


class NoRegime(LookupError):
    pass


def regime_at(day: dt.date) -> Regime:
    """The regime in force on ``day``."""
    for regime in REGIMES:
        if regime.in_force(day):
            return regime
    raise NoRegime(f"no legal regime in force on {day.isoformat()}")


def regime_by_code(code: str) -> Regime:
    for regime in REGIMES:
        if regime.code == code:
            return regime
    raise NoRegime(f"unknown regime {code!r}")
