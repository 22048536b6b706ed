"""The inbox: per role and agency, sorted by due instant, with working time left and its colour."""
from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from motcua.dossiers import services
from motcua.office import views_inbox
from motcua.office.timeleft import format_working
from tests.factories import at
from tests.office_support import INBOX_NOW, Office, office_at_inbox_now, receive  # noqa: F401 (fixture)

NOW = INBOX_NOW



def rows(html: str) -> list[tuple[str, str]]:
    """(code, time-left text) of each inbox row, in order."""
    found = []
    for code, body in re.findall(r'<tr data-code="([^"]+)">(.*?)</tr>', html, re.S):
        badge = re.search(r'class="badge time-left [^"]*" data-state="(\w+)">([^<]+)<', body)
        found.append((code, f"{badge.group(1)}:{badge.group(2)}" if badge else "-"))
    return found


@pytest.mark.parametrize("minutes,text", [
    (2 * 480 + 3 * 60, "2 ngày 3 giờ"), (480, "1 ngày"), (45, "45 phút"), (0, "0 phút"), (-480, "1 ngày"),
    (480 + 30, "1 ngày"),
])
def test_working_time_is_written_in_days_and_hours(minutes: int, text: str) -> None:
    assert format_working(minutes) == text


def test_counter_inbox_sorted_by_due_with_time_left(client: Client, office: Office) -> None:
    late = receive(office, at=at("2026-03-10 09:00"), name="Người A")  # 5 working days: due Tue 17/3 09:00
    later = receive(office, at=at("2026-03-16 11:00"), name="Người C")
    soon = receive(office, at=at("2026-03-11 10:00"), name="Người B")  # due Wed 18/3 10:00
    online = receive(office, at=at("2026-03-17 08:30"), online=True, name="Người D")  # no due yet: last
    elsewhere = receive(office, agency=office.world.other_agency, at=at("2026-03-10 09:00"))
    client.force_login(office.counter)
    # The online dossier awaiting intake has its own tab, opened first (tests/test_work_queues.py).
    assert [code for code, _ in rows(client.get(reverse("office:inbox")).content.decode())] == [online.code]
    html = client.get(reverse("office:inbox"), {"tab": "step"}).content.decode()
    listed = rows(html)
    assert [code for code, _ in listed] == [late.code, soon.code, later.code]
    assert elsewhere.code not in html
    assert listed[0][1] == "overdue:quá hạn 1 ngày"
    assert listed[1][1] == "soon:còn 1 giờ"
    assert listed[2][1].startswith("ok:còn 3 ngày")
    assert "text-bg-danger" in html and "text-bg-warning" in html


def test_specialist_sees_dossiers_at_their_step_only(client: Client, office: Office) -> None:
    waiting = receive(office, at=at("2026-03-16 09:00"))
    handed = receive(office, at=at("2026-03-16 10:00"))
    services.perform(handed, "hand_over", role="counter", actor=office.counter, at=at("2026-03-16 10:30"))
    client.force_login(office.specialist)
    html = client.get(reverse("office:inbox")).content.decode()
    assert [code for code, _ in rows(html)] == [handed.code]
    assert waiting.code not in html
    client.force_login(office.head)
    assert rows(client.get(reverse("office:inbox")).content.decode()) == []


def test_paused_dossier_shows_the_time_kept(client: Client, office: Office) -> None:
    d = receive(office, at=at("2026-03-16 09:00"))
    services.perform(d, "hand_over", role="counter", actor=office.counter, at=at("2026-03-16 09:30"))
    services.perform(d, "request_supplement", role="specialist", actor=office.specialist,
                     at=at("2026-03-17 09:00"), note="Bản sao giấy chứng sinh")
    d.refresh_from_db()
    client.force_login(office.specialist)
    listed = rows(client.get(reverse("office:inbox")).content.decode())
    assert listed == [(d.code, f"paused:tạm dừng, còn {format_working(d.remaining_minutes)}")]


def test_inbox_is_paginated_and_bad_page_numbers_do_not_fail(client: Client, office: Office) -> None:
    for i in range(views_inbox.PER_PAGE + 2):
        receive(office, at=at("2026-03-16 09:00"), name=f"Người {i}")
    client.force_login(office.counter)
    first = rows(client.get(reverse("office:inbox")).content.decode())
    second = rows(client.get(reverse("office:inbox"), {"page": "2"}).content.decode())
    assert len(first) == views_inbox.PER_PAGE and len(second) == 2
    assert not set(first) & set(second)
    for bad in ("0", "-1", "abc", "99999", "1e9"):
        assert client.get(reverse("office:inbox"), {"page": bad}).status_code == 200


def test_inbox_needs_login(client: Client, office: Office) -> None:
    response = client.get(reverse("office:inbox"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
