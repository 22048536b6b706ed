"""The deadlines of a thematic supervision (Law 87/2015/QH13, art. 80), computed from the data:

- the content, plan and report outline are sent to the bodies supervised **within 15 days** of the
  decision setting up the delegation;
- the programme and the members are sent **at least 10 days** before working with a body (one
  deadline per session);
- the delegation reports to the committee **within 10 days** after its work ends.

The law says "ngày" (days), not "ngày làm việc" (working days): calendar days, so each deadline
is a date, and a weekend or a holiday (Tết included) neither stops nor extends it. At an instant, a deadline is
*on time* or *late* once its act is recorded, else *pending* (with a warning when at most
``WARN_DAYS`` days are left) or *overdue* once its date has passed. Nothing is stored; no job runs.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from motcua.supervision.models import Delegation
from motcua.workdays import TZ

PLAN_DAYS, NOTICE_DAYS, REPORT_DAYS = 15, 10, 10
WARN_DAYS = 3


@dataclass(frozen=True)
class Deadline:
    key: str
    label: str
    due: dt.date
    done: dt.date | None

    def state_at(self, at: dt.datetime) -> str:
        if self.done is not None:
            return "on_time" if self.done <= self.due else "late"
        today = at.astimezone(TZ).date()
        if today > self.due:
            return "overdue"
        return "due_soon" if (self.due - today).days <= WARN_DAYS else "pending"


STATE_LABELS = {"on_time": "Đúng hạn", "late": "Trễ hạn", "pending": "Chưa đến hạn", "due_soon": "Sắp đến hạn",
                "overdue": "Quá hạn"}


def deadlines(d: Delegation) -> list[Deadline]:
    out = [Deadline("plan", "Gửi nội dung, kế hoạch, đề cương báo cáo cho đối tượng giám sát (15 ngày kể từ ngày "
                    "quyết định)", d.decision_date + dt.timedelta(days=PLAN_DAYS), d.plan_sent_on)]
    for s in sorted(d.sessions.all(), key=lambda s: (s.date, s.pk)):  # prefetch-friendly
        out.append(Deadline(f"notice-{s.pk}", f"Gửi chương trình, thành phần đoàn cho {s} (chậm nhất 10 ngày trước "
                            "buổi làm việc)", s.date - dt.timedelta(days=NOTICE_DAYS), s.programme_sent_on))
    out.append(Deadline("report", "Báo cáo kết quả giám sát với Ban (10 ngày sau khi kết thúc)",
                        d.ends_on + dt.timedelta(days=REPORT_DAYS), d.reported_on))
    return out


WARNING_STATES = ("due_soon", "overdue", "late")


def warnings(d: Delegation, at: dt.datetime) -> list[tuple[Deadline, str]]:
    return [(x, x.state_at(at)) for x in deadlines(d) if x.state_at(at) in WARNING_STATES]


def attention(delegations: Iterable[Delegation], at: dt.datetime,
              states: tuple[str, ...] = ("due_soon", "overdue")) -> list[tuple[Delegation, Deadline, str]]:
    """"Sắp đến hạn / quá hạn": the deadlines in ``states`` at ``at`` over the delegations (prefetch
    their sessions), the most urgent first."""
    rows = [(d, x, x.state_at(at)) for d in delegations for x in deadlines(d)]
    return sorted([r for r in rows if r[2] in states], key=lambda r: (r[1].due, r[0].code, r[1].key))
