"""In Debian's Chromium: an inspector plans an inspection of a commune's one-stop section, attaches the
evidence motcua holds, records a finding and a recommendation; the commune's leader answers it with a
document; the inspector closes it; the council's register shows the follow-up.

Fixtures from tests/browser_support.py; screenshots under test-artifacts/screenshots/<test>/.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from motcua.dossiers import services as dossiers
from motcua.followup.models import Recommendation
from motcua.inspections.models import Evidence, Inspection
from motcua.units.calendars import calendar_for_unit
from motcua.units.models import StaffRole
from tests.browser_support import Shots, Site, needs_chromium, tiny_pdf
from tests.factories import at, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]
PASSWORD = "mat-khau-thu-nghiem-1"


def _user(username: str, first: str, last: str, role: str, unit) -> User:  # noqa: ANN001
    user = User.objects.create_user(username, password=PASSWORD, first_name=first, last_name=last)
    StaffRole.objects.create(user=user, role=role, unit=unit)
    return user


def _working_day_ahead(unit, days: int) -> dt.date:  # noqa: ANN001
    calendar = calendar_for_unit(unit)
    day = timezone.localdate() + dt.timedelta(days=days)
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def test_inspection_to_closed_recommendation(site: Site, shots: Shots, media_root, tmp_path) -> None:  # noqa: ANN001
    w = make_world()
    _user("thanhtra", "An", "Nguyễn Văn", "inspector", w.province)
    _user("chutich_xa", "Bình", "Lê Thị", "leader", w.commune)
    _user("hdnd", "Cường", "Phạm Văn", "council", w.province)
    for day in ("2026-03-02 09:00", "2026-03-03 09:00"):
        d = dossiers.receive(procedure=w.procedure, unit=w.commune, agency=w.agency, at=at(day), role="system")
        dossiers.perform(d, "hand_over", role="system", at=at(day) + dt.timedelta(hours=1))

    # The inspector plans: a plan, the commune as a target, an inspection of its one-stop section.
    inspector = site.login("thanhtra", PASSWORD)
    inspector.goto("/kiem-tra/ke-hoach/")
    inspector.fill("#id_year", "2026")
    inspector.fill("#id_title", "Kế hoạch kiểm tra công vụ năm 2026")
    inspector.fill("#id_issuer", "Sở Nội vụ")
    inspector.fill("#id_unit", w.province.code)
    with inspector.expect_navigation():
        inspector.click("main form button[type=submit]")
    inspector.fill("#id_population", "UBND cấp xã")
    inspector.fill("#id_unit", w.commune.code)
    with inspector.expect_navigation():
        inspector.click("text=Thêm đối tượng")
    assert inspector.locator("[data-testid=coverage]").inner_text().count("UBND cấp xã") == 1
    with inspector.expect_navigation():
        inspector.click("[data-testid^=plan-inspection-]")
    inspector.fill("#id_topic", "Kỷ luật, kỷ cương tại Bộ phận một cửa")
    inspector.fill("#id_agency", w.agency.code)
    inspector.fill("#id_decision_number", "15/QĐ-SNV")
    for field, value in (("period_from", "2026-03-01"), ("period_to", "2026-03-31"), ("starts_on", "2026-04-06"),
                         ("ends_on", "2026-04-07")):
        inspector.fill(f"#id_{field}", value)
    inspector.fill("#id_team", "Nguyễn Văn An; Chánh Thanh tra; trưởng đoàn\nTrần Thị Hoa; Thanh tra viên; thành viên")
    shots(inspector, "inspection-form")
    with inspector.expect_navigation():
        inspector.click("main form button[type=submit]")
    code = inspector.locator("[data-testid=code]").inner_text()
    with inspector.expect_navigation():
        inspector.click("form[data-action=start] button")
    assert inspector.locator("[data-testid=status]").inner_text() == "Đang kiểm tra"

    # One click: the evidence motcua holds for the commune and the period.
    with inspector.expect_navigation():
        inspector.click("[data-testid=attach]")
    evidence = inspector.locator("[data-testid=evidence]").inner_text()
    assert "Báo cáo tình hình giải quyết TTHC (mẫu 06)" in evidence and "Sổ theo dõi hồ sơ" in evidence
    assert Evidence.objects.filter(inspection__code=code).count() == 4

    # A finding, then a recommendation from it.
    inspector.fill("#id_theme", "Công khai thủ tục")
    inspector.fill("#id_description", "Chưa niêm yết đủ thủ tục hành chính tại Bộ phận một cửa.")
    inspector.select_option("#id_severity", "shortcoming")
    with inspector.expect_navigation():
        inspector.click("text=Ghi nhận phát hiện")
    shots.for_readme(shots(inspector, "inspection-with-evidence"), "oversight-inspection.png", width=1000)
    with inspector.expect_navigation():
        inspector.click("[data-testid^=recommend-]")
    assert inspector.locator("[data-testid=source]").inner_text().startswith(code)
    deadline = _working_day_ahead(w.commune, 30)
    inspector.fill("#id_title", "Niêm yết đầy đủ thủ tục hành chính")
    inspector.fill("#id_text", "Niêm yết đầy đủ, đúng quy định các thủ tục hành chính tại Bộ phận một cửa.")
    inspector.fill("#id_deadline", deadline.isoformat())
    with inspector.expect_navigation():
        inspector.click("main form button[type=submit]")
    rec_code = inspector.locator("[data-testid=code]").inner_text()
    rec = Recommendation.objects.get(code=rec_code)
    assert rec.source_kind == "inspection" and rec.addressee_unit_id == w.commune.pk

    # The commune's leader sees what is asked of the commune and answers with a document.
    leader = site.login("chutich_xa", PASSWORD)
    leader.goto("/kien-nghi/cua-don-vi/")
    assert rec_code in leader.content()
    with leader.expect_navigation():
        leader.click(f"text={rec_code}")
    leader.fill("#respond-note", "Đã niêm yết đủ 120 thủ tục; gửi kèm biên bản.")
    pdf = tmp_path / "bien-ban-niem-yet.pdf"
    pdf.write_bytes(tiny_pdf("Bien ban niem yet"))
    leader.set_input_files("#respond-documents", str(pdf))
    with leader.expect_navigation():
        leader.click("form[data-action=respond] button")
    assert leader.locator("[data-testid=state]").inner_text() == "Đang thực hiện"
    assert "bien-ban-niem-yet.pdf" in leader.locator("[data-testid=history]").inner_text()
    shots.for_readme(shots(leader, "recommendation-answered"), "oversight-recommendation.png", width=1000)

    # The inspector closes it.
    inspector.goto(f"/kien-nghi/{rec_code}/")
    inspector.fill("#close-note", "Đã kiểm tra lại tại trụ sở: thực hiện đầy đủ.")
    with inspector.expect_navigation():
        inspector.click("form[data-action=close] button")
    assert inspector.locator("[data-testid=state]").inner_text() == "Đã hoàn thành"

    # The council's register shows the follow-up.
    council = site.login("hdnd", PASSWORD)
    council.goto("/kien-nghi/?kind=inspection")
    row = council.locator(f"tr[data-code='{rec_code}']").inner_text()
    assert "Đã hoàn thành" in row and "Xã Một" in row
    shots.for_readme(shots(council, "council-register"), "oversight-register.png", width=1000)
    rec.refresh_from_db()
    assert list(rec.events.values_list("action", flat=True)) == ["recommend", "respond", "close"]
    assert Inspection.objects.get(code=code).findings.count() == 1
