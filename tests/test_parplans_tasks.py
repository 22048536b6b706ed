"""A PAR plan task on its own: deadlines on the unit's legal clock (end of a working day, N working days
from an instant), who acts (the owner agency's staff, the plan unit's PAR officer/head/leader, the
administrator; a leader or the administrator cancels and reopens), refusals that say why, evidence
documents uploaded on the task's page (and refused outside the scope), overdue computed at an instant."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.parplans import evidence, services
from motcua.parplans.figures import task_figures
from motcua.statemachine import Forbidden, InvalidInput, NotAllowed
from motcua.units.models import StaffRole
from tests.factories import at, make_world

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _user(name: str, role: str, **scope: object) -> User:
    user = User.objects.create_user(name, password="mat-khau-dai-1234")
    StaffRole.objects.create(user=user, role=role, **scope)
    return user


@pytest.fixture
def media(settings, tmp_path):  # noqa: ANN001, ANN201
    settings.MEDIA_ROOT = tmp_path


def test_deadlines_on_the_legal_clock() -> None:
    w = make_world()
    # Friday 2026-05-01 is Labour Day: its "end of working day" is the next working day's close.
    assert services.end_of_working_day(at("2026-03-06 00:00").date(), w.commune) == at("2026-03-06 17:00")
    assert services.end_of_working_day(at("2026-05-01 00:00").date(), w.commune) == at("2026-05-04 17:00")
    # 3 working days from Thursday 10:00 → Tuesday 10:00 (the weekend does not count).
    assert services.after_working_days(at("2026-03-05 10:00"), 3, w.commune) == at("2026-03-10 10:00")
    # From Saturday: the clock starts on Monday's opening.
    assert services.after_working_days(at("2026-03-07 10:00"), 1, w.commune) == at("2026-03-09 17:00")
    with pytest.raises(InvalidInput) as refused:
        services.after_working_days(at("2026-03-05 10:00"), -1, w.commune)
    assert refused.value.field == "working_days"


def test_who_acts_and_refusals_say_why() -> None:
    w = make_world()
    officer = _user("cchc", "par_officer", unit=w.commune)
    owner_staff = _user("chutri", "head", agency=w.agency)
    admin = _user("quantri", "admin", unit=w.province)
    stranger = _user("khac", "par_officer", unit=w.other_commune)
    specialist = _user("chuyenvien", "specialist", unit=w.commune)
    plan = services.create_plan(unit=w.commune, year=2026, title="Kế hoạch CCHC 2026", issuer="UBND xã Một")
    task = services.add_task(plan, title="Rà soát văn bản", area="institutions", owner=w.agency,
                             deadline=at("2026-06-30 17:00"), at=at("2026-01-05 08:00"))
    for user in (stranger, specialist):
        with pytest.raises(Forbidden):
            services.perform(task, "start", actor=user, at=at("2026-02-02 08:00"))
    task = services.perform(task, "start", actor=owner_staff, at=at("2026-02-02 08:00"))
    with pytest.raises(NotAllowed) as wrong_status:
        services.perform(task, "reopen", actor=admin, reason="x", at=at("2026-02-03 08:00"))
    assert "Đang thực hiện" in wrong_status.value.message
    with pytest.raises(InvalidInput) as missing:
        services.perform(task, "complete", actor=officer, at=at("2026-02-03 08:00"))
    assert "minh chứng" in missing.value.message
    task = services.perform(task, "complete", actor=officer, evidence="Báo cáo 12/BC", at=at("2026-06-29 09:00"))
    assert task.completed_at == at("2026-06-29 09:00") and task.on_time()
    with pytest.raises(Forbidden):
        services.perform(task, "reopen", actor=officer, reason="Chưa đạt", at=at("2026-07-01 08:00"))
    with pytest.raises(InvalidInput) as no_reason:
        services.perform(task, "reopen", actor=admin, at=at("2026-07-01 08:00"))
    assert "Lý do" in no_reason.value.message
    task = services.perform(task, "reopen", actor=admin, reason="Sản phẩm chưa đạt", at=at("2026-07-01 08:00"))
    assert task.status == "in_progress" and task.completed_at is None
    # Reopened after the deadline: overdue now, computed at the instant — no job wrote it.
    assert task_figures([task], at("2026-07-01 09:00"))["plan_tasks_overdue"] == 1
    assert task_figures([task], at("2026-06-30 16:59"))["plan_tasks_overdue"] == 0
    assert [e.action for e in task.events.order_by("seq")] == ["create", "start", "complete", "reopen"]


def test_evidence_documents_on_the_task_page(client, media) -> None:  # noqa: ANN001
    w = make_world()
    officer = _user("cchc", "par_officer", unit=w.commune)
    stranger = _user("khac", "par_officer", unit=w.other_commune)
    plan = services.create_plan(unit=w.commune, year=2026, title="Kế hoạch CCHC 2026", issuer="UBND xã Một")
    task = services.add_task(plan, title="Số hóa hồ sơ", area="digital", deadline=at("2026-09-30 17:00"))
    client.force_login(officer)
    url = f"/ke-hoach-cchc/nhiem-vu/{task.pk}/minh-chung/"
    page = client.post(url, {"file": SimpleUploadedFile("bao-cao.pdf", PDF, "application/pdf"),
                             "description": "Báo cáo kết quả"})
    assert page.status_code == 302
    shown = client.get(f"/ke-hoach-cchc/nhiem-vu/{task.pk}/")
    assert [d.original_name for d in shown.context["documents"]] == ["bao-cao.pdf"]
    assert "Báo cáo kết quả" in shown.content.decode()
    doc = task.documents.get()
    assert doc.sha256 and doc.uploaded_by == officer
    assert b"".join(client.get(f"{url}{doc.pk}/").streaming_content) == PDF
    bad = client.post(url, {"file": SimpleUploadedFile("virus.exe", b"MZ\x90\x00", "application/octet-stream")})
    assert bad.status_code == 400 and "Tệp minh chứng" in bad.content.decode() and task.documents.count() == 1
    with pytest.raises(InvalidInput) as none:
        evidence.attach(task, None, actor=officer)
    assert none.value.field == "file"
    client.force_login(stranger)
    assert client.post(url, {"file": SimpleUploadedFile("x.pdf", PDF)}).status_code == 404
    assert client.get(f"{url}{doc.pk}/").status_code == 404
    with pytest.raises(Forbidden):
        evidence.attach(task, SimpleUploadedFile("x.pdf", PDF), actor=stranger)
    assert task.documents.count() == 1
