"""The supervision demo (seed 000's delegation) built through the services on the real unit data:
Ban Pháp chế's delegation no. 18 with Lâm Bình district and Minh Quang commune as they were in
2022, every Law 87 deadline met, its report and conclusion published; idempotent."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from motcua.supervision import deadlines, figures
from motcua.supervision.demo import load_demo
from motcua.supervision.models import Delegation

pytestmark = pytest.mark.django_db


def test_load_demo_builds_seed_000s_delegation_once(client) -> None:  # noqa: ANN001
    assert load_demo() == {"programmes": 1, "delegations": 1, "sessions": 2, "reports": 1}
    assert load_demo() == {"programmes": 0, "delegations": 0, "sessions": 0, "reports": 0}
    d = Delegation.objects.get(number="18")
    assert (d.committee, d.status, d.starts_on, d.ends_on) == (
        "Ban Pháp chế HĐND tỉnh", "concluded", dt.date(2022, 2, 20), dt.date(2022, 2, 21))
    units = sorted(d.units.all(), key=lambda u: u.level)
    assert [(u.name, u.level) for u in units] == [("Xã Minh Quang", "commune"), ("Huyện Lâm Bình", "district")]
    assert all(u.valid_to is not None and u.valid_to < dt.date(2025, 7, 1) for u in units)  # the 2022 versions
    now = timezone.now()
    assert {x.state_at(now) for x in deadlines.deadlines(d)} == {"on_time"}
    district = next(u for u in units if u.level == "district")
    assert figures.figures({district.pk}, dt.date(2022, 1, 1), dt.date(2022, 12, 31)) == {
        "delegations": 1, "supervision_sessions": 2, "supervision_reports": 1}
    body = client.get("/giam-sat/cong-khai/").content.decode()
    assert d.code in body and "phần mềm hộ tịch chưa kết nối" in body and "Đề nghị UBND huyện Lâm Bình" in body
