"""The named facts that indicator formulas may use, each a database aggregate over dossiers.

Every fact is computed for a scope of units over a period ``[start, end)`` (local days) in ONE
query per period (``motcua.quality.compute``): counts by conditional aggregation, so the cost is
independent of the number of indicators. A fact also knows its *members* — the dossiers it counts —
so the drill-down can list the dossiers that cost an indicator its points.

Populations (the same as report form 06, so the two never disagree):

- *handled*: received (``received_at`` set) no later than the end of the period, and either
  received in the period or carried over (received before it and still open at its start).
  Decision 766 keeps the dossiers withdrawn by the citizen in this population (form 06 shows them
  apart): a withdrawn dossier ended at its withdrawal, on time if no later than its due date.
- *received*: received in the period.

Facts marked ``stub`` have no data in this system yet: their value is ``None`` ("no data"), they
carry a note saying why, and an indicator whose formula uses one is not applicable.
"""
from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import GreaterThanOrEqual, LessThan, LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Channel as CatalogChannel
from motcua.catalog.models import Procedure
from motcua.dossiers.lifecycle import EventKind
from motcua.dossiers.models import Document, DocumentKind, DossierEvent
from motcua.portal.models import ELEMENTS
from motcua.workdays import TZ

NOTHING = Q(pk__in=[])
ONLINE_CHANNELS = {CatalogChannel.ONLINE_FULL.value, CatalogChannel.ONLINE_PARTIAL.value}
FULL_ONLINE_CHANNELS = {CatalogChannel.ONLINE_FULL.value}
RATING_MAX = 5 * len(ELEMENTS)  # five elements, 1–5 each
# SIPAS scale: 4 "satisfied", 5 "very satisfied"; a rating averaging below 3 ("neutral") is a dislike.
SATISFIED = 4
DISLIKE_BELOW = 3 * len(ELEMENTS)


@dataclass(frozen=True)
class Period:
    date_from: dt.date
    date_to: dt.date
    # Look-ups shared by the facts of one computation (e.g. the procedures offering online service).
    memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def _channels(self) -> list[tuple[int, set[str]]]:
        if "channels" not in self.memo:
            self.memo["channels"] = [(pk, set(channels or []))
                                     for pk, channels in Procedure.objects.values_list("pk", "channels")]
        return self.memo["channels"]

    def online_procedure_ids(self) -> list[int]:
        return [pk for pk, channels in self._channels() if ONLINE_CHANNELS & channels]

    def full_online_procedure_ids(self) -> list[int]:
        return [pk for pk, channels in self._channels() if FULL_ONLINE_CHANNELS & channels]

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.date_from, dt.time.min, tzinfo=TZ)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=TZ)

    @property
    def as_of(self) -> dt.datetime:
        return self.end - dt.timedelta(microseconds=1)


# --- populations ------------------------------------------------------------------------------

def received_in(p: Period) -> Q:
    return Q(received_at__gte=p.start, received_at__lt=p.end)


def withdrawn_by(p: Period) -> Q:
    return Q(withdrawn_at__lte=p.as_of) | Q(outcome="withdrawn", finished_at__lte=p.as_of)


def handled(p: Period) -> Q:
    open_at_start = ~Q(finished_at__lt=p.start) & ~Q(withdrawn_at__lt=p.start)
    carried = Q(received_at__lt=p.start) & open_at_start
    return Q(received_at__isnull=False, received_at__lte=p.as_of) & (received_in(p) | carried)


def finished_by(p: Period) -> Q:
    return Q(finished_at__lte=p.as_of)


def ended_by(p: Period) -> Q:
    """Finished (a result) or withdrawn by the end of the period."""
    return finished_by(p) | Q(finished_at__isnull=True, withdrawn_at__lte=p.as_of)


def on_time_766(p: Period) -> Q:
    """Handled and, by the end of the period, finished no later than the due date or still within
    time — with at most one supplement request (more than one makes a dossier late in Decision 766,
    whatever its dates). The supplement time itself is already outside ``due_at`` (pause policy).
    A dossier without a due instant is on time (as in form 06); so is one whose clock is stopped at
    the end of the period by a pause that began before its due instant. A withdrawn dossier ended at
    its withdrawal: on time if withdrawn no later than its due date."""
    ended_on = TruncDate(Coalesce("finished_at", "withdrawn_at"), tzinfo=TZ)
    due_on = TruncDate("due_at", tzinfo=TZ)
    dated_ok = Q(due_at__isnull=True) | Q(LessThanOrEqual(ended_on, due_on))
    paused_in_time = Q(paused_at__lte=p.as_of) & Q(paused_at__lte=F("due_at"))
    within = Q(due_at__isnull=True) | Q(GreaterThanOrEqual(due_on, p.date_to)) | paused_in_time
    state_ok = (ended_by(p) & dated_ok) | (~ended_by(p) & within)
    return handled(p) & Q(supplement_requests__lte=1) & state_ok


def _digitised() -> Q:
    """A document of the dossier's own file (handed in, scanned at the counter, or sent as a supplement)
    exists as a file; the result file the agency attaches is the result, not the dossier digitised."""
    files = (Document.objects.filter(dossier=OuterRef("pk"), kind__in=(DocumentKind.INTAKE, DocumentKind.SUPPLEMENT))
             .exclude(file="", sha256=""))
    return Q(Exists(files))


def _result_file() -> Q:
    """The agency attached the result as a file (kind "result"; a file, or its digest for an imported one)."""
    return Q(Exists(Document.objects.filter(dossier=OuterRef("pk"), kind=DocumentKind.RESULT)
                    .exclude(file="", sha256="")))


def _payment_requested() -> Q:
    return Q(Exists(DossierEvent.objects.filter(dossier=OuterRef("pk"), action=EventKind.REQUEST_PAYMENT)))


def rated_in(p: Period) -> Q:
    return Q(rating__created_at__gte=p.start, rating__created_at__lt=p.end)


def disliked_by(p: Period) -> Q:
    """Rated by the end of the period with an average below "neutral" (a dislike)."""
    return Q(rating__created_at__lte=p.as_of) & Q(LessThan(_rating_total(), DISLIKE_BELOW))


def results_in(p: Period) -> Q:
    return Q(finished_at__gte=p.start, finished_at__lt=p.end, outcome="approved")


# --- the catalogue ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Fact:
    name: str
    label: str
    members: Callable[[Period], Q]
    # The database aggregate; None for a fact derived from others (see ``derive``).
    aggregate: Callable[[Period, Q], object] | None = None
    derive: Callable[[dict[str, float]], float] | None = None
    # Dossiers that cost points when this fact is a numerator; default: not members.
    shortfall: Callable[[Period], Q] | None = None
    stub: bool = False
    note: str = ""


def _count(p: Period, members: Q) -> object:
    return Count("pk", filter=members)


def _rating_total() -> object:
    """The five SIPAS elements of the dossier's rating, added up (5–25)."""
    return reduce(operator.add, (F(f"rating__{name}") for name in ELEMENTS))


def _rating_sum(p: Period, members: Q) -> object:
    return Sum(_rating_total(), filter=members)


def _rating_below_max(p: Period) -> Q:
    return rated_in(p) & Q(LessThan(_rating_total(), RATING_MAX))


def _facts() -> dict[str, Fact]:
    no_register = str(_("Hệ thống chưa có sổ tiếp nhận, xử lý phản ánh, kiến nghị: chưa có dữ liệu."))
    items = [
        Fact("handled", str(_("Hồ sơ phải giải quyết trong kỳ (tiếp nhận trong kỳ và kỳ trước chuyển sang, "
                              "kể cả hồ sơ công dân rút)")), handled, _count),
        Fact("on_time_766", str(_("Hồ sơ đã giải quyết hoặc đang giải quyết trong hạn (không quá 1 lần yêu cầu "
                                  "bổ sung; hồ sơ rút trước hạn tính là đúng hạn)")), on_time_766, _count),
        Fact("late_766", str(_("Hồ sơ trễ hạn theo cách tính của Quyết định 766")),
             lambda p: handled(p) & ~on_time_766(p), derive=lambda f: f["handled"] - f["on_time_766"]),
        Fact("received", str(_("Hồ sơ tiếp nhận trong kỳ")), lambda p: received_in(p), _count),
        Fact("received_online", str(_("Hồ sơ tiếp nhận trực tuyến trong kỳ")),
             lambda p: received_in(p) & Q(channel="online"), _count),
        Fact("online_capable", str(_("Hồ sơ tiếp nhận trong kỳ của thủ tục có dịch vụ công trực tuyến")),
             lambda p: received_in(p) & Q(procedure_id__in=p.online_procedure_ids()), _count),
        Fact("online_of_capable", str(_("Trong đó nộp trực tuyến")),
             lambda p: received_in(p) & Q(procedure_id__in=p.online_procedure_ids(), channel="online"), _count),
        Fact("online_full_capable", str(_("Hồ sơ tiếp nhận trong kỳ của thủ tục có dịch vụ công trực tuyến "
                                          "toàn trình")),
             lambda p: received_in(p) & Q(procedure_id__in=p.full_online_procedure_ids()), _count),
        Fact("online_full", str(_("Trong đó nộp trực tuyến (toàn trình)")),
             lambda p: received_in(p) & Q(procedure_id__in=p.full_online_procedure_ids(), channel="online"),
             _count),
        Fact("payment_required", str(_("Hồ sơ tiếp nhận trong kỳ có yêu cầu thực hiện nghĩa vụ tài chính")),
             lambda p: received_in(p) & _payment_requested(), _count),
        Fact("paid_online", str(_("Trong đó thanh toán trực tuyến")), lambda p: NOTHING, stub=True,
             note=str(_("Hệ thống chưa kết nối cổng thanh toán: thao tác 'đã thực hiện nghĩa vụ tài chính' không ghi "
                        "hình thức thanh toán, nên chưa có dữ liệu thanh toán trực tuyến."))),
        Fact("digitised", str(_("Hồ sơ tiếp nhận trong kỳ có thành phần hồ sơ được số hóa (có tệp)")),
             lambda p: received_in(p) & _digitised(), _count),
        Fact("results_issued", str(_("Kết quả giải quyết (có kết quả) trong kỳ")), results_in, _count),
        Fact("results_electronic", str(_("Trong đó có tệp kết quả điện tử do cơ quan giải quyết đính kèm")),
             lambda p: results_in(p) & _result_file(), _count),
        Fact("rated", str(_("Hồ sơ được người dân đánh giá trong kỳ")), rated_in, _count),
        Fact("rating_points", str(_("Tổng điểm đánh giá (5 tiêu chí SIPAS, 1–5 mỗi tiêu chí)")), rated_in,
             _rating_sum, shortfall=_rating_below_max),
        Fact("rating_max", str(_("Điểm đánh giá tối đa của các hồ sơ được đánh giá")), rated_in,
             derive=lambda f: RATING_MAX * f["rated"]),
        Fact("feedback_satisfied", str(_("Hồ sơ được đánh giá trong kỳ hài lòng (4–5) với việc tiếp nhận, xử lý "
                                         "góp ý, phản ánh, kiến nghị")),
             lambda p: rated_in(p) & Q(rating__feedback__gte=SATISFIED), _count),
        Fact("feedback_handled", str(_("Phản ánh, kiến nghị đã xử lý trong kỳ")), lambda p: NOTHING, stub=True,
             note=no_register),
        Fact("feedback_on_time", str(_("Trong đó xử lý đúng hạn")), lambda p: NOTHING, stub=True, note=no_register),
        Fact("feedback_or_dislike", str(_("Hồ sơ phải giải quyết bị phản ánh, kiến nghị hoặc bị đánh giá không "
                                          "hài lòng")),
             lambda p: handled(p) & disliked_by(p), _count,
             note=str(_("Chưa có sổ phản ánh, kiến nghị: chỉ tính hồ sơ bị đánh giá không hài lòng (điểm trung bình "
                        "dưới 3)."))),
    ]
    return {fact.name: fact for fact in items}


FACTS: dict[str, Fact] = _facts()
FACT_NAMES = frozenset(FACTS)

