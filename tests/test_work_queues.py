"""The inbox's work queues: tabs by what the officer must do next, their counts, online dossiers
awaiting intake first with their own deadline, and the current step's due instant on each row."""
from __future__ import annotations

import dataclasses
import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motcua.documents.templatetags.vndates import human_datetime
from motcua.dossiers import services
from motcua.dossiers.lifecycle import Action
from motcua.dossiers.models import DossierStep
from motcua.office import queue_rows
from motcua.regimes import regime_by_code
from tests.factories import at
from tests.office_support import INBOX_NOW, Office, office_at_inbox_now, receive  # noqa: F401 (fixture)

NOW = INBOX_NOW



def tabs(html: str) -> list[tuple[str, int]]:
    return [(k, int(n)) for k, n in re.findall(r'data-tab="(\w+)"[^>]*>[^<]*<span [^>]*data-count="(\d+)"', html)]


def active(html: str) -> str:
    return re.search(r'class="nav-link active" href="\?tab=(\w+)"', html).group(1)


def codes(html: str) -> list[str]:
    return re.findall(r'<tr data-code="([^"]+)"', html)


def row(html: str, code: str) -> str:
    return re.search(rf'<tr data-code="{re.escape(code)}">(.*?)</tr>', html, re.S).group(1)


def counter_world(office: Office) -> dict[str, object]:
    """One dossier of each kind of work at the counter's agency."""
    c = office.counter
    w = {
        "online_old": receive(office, at=at("2026-03-16 10:00"), online=True, name="Trần Văn Cũ"),
        "online_new": receive(office, at=at("2026-03-17 15:00"), online=True, name="Lê Thị Mới"),
        "received": receive(office, at=at("2026-03-16 09:00")),
        "waiting": receive(office, at=at("2026-03-12 09:00")),
        "ready": receive(office, at=at("2026-03-11 09:00")),
    }
    services.perform(w["waiting"], Action.HAND_OVER, actor=c, at=at("2026-03-12 10:00"))
    services.perform(w["waiting"], Action.REQUEST_SUPPLEMENT, actor=office.specialist, at=at("2026-03-13 09:00"),
                     note="Bản sao giấy chứng sinh")
    for action, who, when in ((Action.HAND_OVER, c, "2026-03-11 10:00"),
                              (Action.HAND_OVER, office.specialist, "2026-03-12 10:00"),
                              (Action.RESOLVE, office.head, "2026-03-13 10:00")):
        services.perform(w["ready"], action, actor=who, at=at(when))
    receive(office, agency=office.world.other_agency, at=at("2026-03-16 10:00"), online=True)  # elsewhere
    return w


def test_counter_tabs_counts_and_intake_first(client: Client, office: Office) -> None:
    w = counter_world(office)
    client.force_login(office.counter)
    html = client.get(reverse("office:inbox")).content.decode()
    # The test helper records the counter as the actor of every dossier it creates (online ones too), at
    # its agency and at the other's: 5 dossiers it still sees were acted on in the last 30 days.
    assert tabs(html) == [("intake", 2), ("step", 1), ("citizen", 1), ("return", 1), ("mine", 0), ("done", 5)]
    assert active(html) == "intake"  # online dossiers awaiting intake are the first thing shown
    assert codes(html) == [w["online_old"].code, w["online_new"].code]  # oldest first
    for tab, expected in (("step", ["received"]), ("citizen", ["waiting"]), ("return", ["ready"]),
                          ("done", ["online_old", "online_new", "received", "waiting", "ready"])):
        listed = codes(client.get(reverse("office:inbox"), {"tab": tab}).content.decode())
        assert sorted(listed) == sorted(w[k].code for k in expected), tab


def test_each_online_dossier_has_its_own_intake_deadline_from_the_regime(
    client: Client, office: Office, monkeypatch
) -> None:  # noqa: ANN001
    w = counter_world(office)
    client.force_login(office.counter)
    html = client.get(reverse("office:inbox")).content.decode()
    # Submitted Mon 16/3 10:00, one working day to take it in: Tue 17/3 10:00, overdue by now (Wed 09:00).
    old = row(html, w["online_old"].code)
    assert human_datetime(at("2026-03-17 10:00")) in old and 'data-state="overdue"' in old
    # Submitted Tue 17/3 15:00: Wed 18/3 15:00, under a working day left.
    new = row(html, w["online_new"].code)
    assert human_datetime(at("2026-03-18 15:00")) in new and 'data-state="soon"' in new

    two_days = dataclasses.replace(regime_by_code(w["online_new"].regime), online_intake_minutes=2 * 480)
    monkeypatch.setattr(queue_rows, "regime_by_code", lambda code: two_days)
    html = client.get(reverse("office:inbox")).content.decode()
    assert human_datetime(at("2026-03-19 15:00")) in row(html, w["online_new"].code)


def test_a_specialist_has_no_intake_or_return_tab_and_sees_the_current_steps_due(
    client: Client, office: Office
) -> None:
    w = counter_world(office)
    d = receive(office, at=at("2026-03-16 09:00"))
    services.perform(d, Action.HAND_OVER, actor=office.counter, at=at("2026-03-16 09:30"))
    client.force_login(office.specialist)
    html = client.get(reverse("office:inbox")).content.decode()
    assert [k for k, _ in tabs(html)] == ["step", "citizen", "mine", "done"]
    assert active(html) == "step" and codes(html) == [d.code]
    step = DossierStep.objects.get(dossier=d, order=2)
    d.refresh_from_db()
    assert step.due_at != d.due_at
    cells = row(html, d.code)
    step_cell = re.search(r'data-testid="step-due">(.*?)</td>', cells, re.S).group(1)
    assert "Bước 2" in step_cell and human_datetime(step.due_at) in step_cell
    assert re.search(r'class="badge step-left [^"]*" data-state="\w+">còn ', step_cell)
    assert human_datetime(d.due_at) in cells and human_datetime(d.due_at) not in step_cell
    waiting = codes(client.get(reverse("office:inbox"), {"tab": "citizen"}).content.decode())
    assert waiting == [w["waiting"].code]


def test_done_by_me_lists_recent_acts_only(client: Client, office: Office) -> None:
    old = receive(office, at=at("2026-01-05 09:00"))  # more than 30 days before now
    recent = receive(office, at=at("2026-03-16 09:00"))
    client.force_login(office.counter)
    assert codes(client.get(reverse("office:inbox"), {"tab": "done"}).content.decode()) == [recent.code]
    assert old.code not in client.get(reverse("office:inbox"), {"tab": "done"}).content.decode()


def test_an_unknown_tab_falls_back_and_an_officer_without_roles_gets_an_empty_inbox(
    client: Client, office: Office, django_user_model
) -> None:  # noqa: ANN001
    counter_world(office)
    client.force_login(office.counter)
    assert client.get(reverse("office:inbox"), {"tab": "nonsense"}).status_code == 200
    nobody = django_user_model.objects.create_user("khong_vai_tro")
    client.force_login(nobody)
    response = client.get(reverse("office:inbox"))
    assert response.status_code == 200 and codes(response.content.decode()) == []


def test_the_inbox_reads_a_bounded_number_of_queries(client: Client, office: Office) -> None:
    """Counts and rows do not grow with the dossiers: one COUNT a tab, one page, one read of the steps."""
    counter_world(office)
    client.force_login(office.counter)
    client.get(reverse("office:inbox"), {"tab": "step"})  # warm the per-user caches of the session
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("office:inbox"), {"tab": "step"})
    for i in range(12):
        receive(office, at=at("2026-03-16 09:00"), name=f"Người {i}")
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("office:inbox"), {"tab": "step"}).content.decode()
    assert len(codes(html)) == 13
    assert len(many.captured_queries) == len(few.captured_queries)
