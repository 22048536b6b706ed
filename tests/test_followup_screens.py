"""The follow-up screens: scoping (commune A never reads nor answers commune B's recommendations),
answering with a document, the issuer's actions, the register's xlsx, the unit's page and the
public page (published results only)."""
from __future__ import annotations

import io

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.followup import services
from motcua.followup.models import Recommendation
from motcua.units.models import StaffRole
from tests.factories import at, make_world

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _user(name, role, unit):  # noqa: ANN001, ANN201
    user = User.objects.create_user(name, password="mat-khau-dai-1234")
    StaffRole.objects.create(user=user, role=role, unit=unit)
    return user


@pytest.fixture
def world():  # noqa: ANN201
    w = make_world()
    w.inspector = _user("thanhtra", "inspector", w.province)
    w.leader_a = _user("lanhdao_a", "leader", w.commune)
    w.leader_b = _user("lanhdao_b", "leader", w.other_commune)
    deadline = at("2027-06-30 17:00")
    w.rec_a = services.recommend(source=None, addressee_unit=w.commune, title="Niêm yết thủ tục", text="Niêm yết đủ.",
                                 deadline=deadline, actor=w.inspector, issuer_name="Đoàn kiểm tra", published=True)
    w.rec_b = services.recommend(source=None, addressee_unit=w.other_commune, title="Sắp xếp lưu trữ",
                                 text="Lưu trữ hồ sơ một cửa.", deadline=deadline, actor=w.inspector,
                                 issuer_name="Đoàn kiểm tra")
    return w


def test_a_commune_never_reads_nor_answers_another_communes_recommendation(client, world) -> None:  # noqa: ANN001
    client.force_login(world.leader_a)
    register = client.get("/kien-nghi/").content.decode()
    assert world.rec_a.code in register and world.rec_b.code not in register
    assert client.get(f"/kien-nghi/{world.rec_b.code}/").status_code == 404
    response = client.post(f"/kien-nghi/{world.rec_b.code}/thao-tac/",
                           {"action": "respond", "version": 1, "note": "Trả lời hộ"})
    assert response.status_code == 404
    world.rec_b.refresh_from_db()
    assert (world.rec_b.status, world.rec_b.version) == ("open", 1)
    # The inspector of the province sees both.
    client.force_login(world.inspector)
    register = client.get("/kien-nghi/").content.decode()
    assert world.rec_a.code in register and world.rec_b.code in register


def test_the_leader_answers_with_a_document_and_the_inspector_closes(client, world) -> None:  # noqa: ANN001
    client.force_login(world.leader_a)
    page = client.get(f"/kien-nghi/{world.rec_a.code}/").content.decode()
    assert 'data-action="respond"' in page and 'data-action="close"' not in page
    response = client.post(f"/kien-nghi/{world.rec_a.code}/thao-tac/", {
        "action": "respond", "version": 1, "note": "Đã niêm yết 120 thủ tục.",
        "documents": [SimpleUploadedFile("bien-ban.pdf", PDF, content_type="application/pdf")]})
    assert response.status_code == 302
    page = client.get(f"/kien-nghi/{world.rec_a.code}/").content.decode()
    assert "Đang thực hiện" in page and "bien-ban.pdf" in page
    doc = Recommendation.objects.get(pk=world.rec_a.pk).documents.get()
    download = client.get(f"/kien-nghi/{world.rec_a.code}/tai-lieu/{doc.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    # A stale form is refused with a message, nothing written.
    stale = client.post(f"/kien-nghi/{world.rec_a.code}/thao-tac/", {"action": "respond", "version": 1, "note": "x"})
    assert stale.status_code == 409 and "vừa được người khác cập nhật" in stale.content.decode()
    client.force_login(world.inspector)
    missing = client.post(f"/kien-nghi/{world.rec_a.code}/thao-tac/", {"action": "close", "version": 2})
    assert missing.status_code == 400 and "Cần nhập &#x27;Nội dung&#x27;" in missing.content.decode()
    done = client.post(f"/kien-nghi/{world.rec_a.code}/thao-tac/",
                       {"action": "close", "version": 2, "note": "Kiểm tra lại: đã thực hiện."})
    assert done.status_code == 302
    assert Recommendation.objects.get(pk=world.rec_a.pk).status == "done"


def test_register_xlsx_and_state_filter(client, world) -> None:  # noqa: ANN001
    services.perform(world.rec_b, "respond", role="leader", note="Đang làm")
    client.force_login(world.inspector)
    response = client.get("/kien-nghi/?state=in_progress&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]]
    assert [(r[0], r[5], r[8]) for r in rows] == [(world.rec_b.code, "Xã Hai", "Đang thực hiện")]
    assert sheet.cell(row=3, column=8).value == "Hạn thực hiện"


def test_new_recommendation_names_the_bad_field(client, world) -> None:  # noqa: ANN001
    client.force_login(world.leader_a)
    assert client.get("/kien-nghi/moi/").status_code == 404  # only issuers make recommendations
    client.force_login(world.inspector)
    bad = client.post("/kien-nghi/moi/", {"addressee_unit": "KHONGCO", "title": "T", "text": "N",
                                          "deadline": "2027-01-02", "issuer_name": "Đoàn"})
    assert bad.status_code == 400 and "Không có đơn vị hành chính mã KHONGCO" in bad.content.decode()
    holiday = client.post("/kien-nghi/moi/", {"addressee_unit": world.commune.code, "title": "T", "text": "N",
                                              "deadline": "2027-01-02", "issuer_name": "Đoàn"})
    assert "không phải ngày làm việc" in holiday.content.decode()
    count = Recommendation.objects.count()
    good = client.post("/kien-nghi/moi/", {"addressee_unit": world.commune.code, "title": "Công khai",
                                           "text": "Công khai kết quả", "deadline": "2027-01-05",
                                           "issuer_name": "Đoàn kiểm tra"})
    assert good.status_code == 302 and Recommendation.objects.count() == count + 1
    rec = Recommendation.objects.latest("pk")
    assert rec.deadline == at("2027-01-05 17:00") and rec.issuer_unit_id == world.province.pk


def test_the_units_page_and_the_public_page(client, world) -> None:  # noqa: ANN001
    client.force_login(world.leader_a)
    ours = client.get("/kien-nghi/cua-don-vi/").content.decode()
    assert world.rec_a.code in ours and world.rec_b.code not in ours and "ngày làm việc" in ours
    client.logout()
    public = client.get("/kien-nghi/cong-khai/").content.decode()
    assert world.rec_a.code in public and world.rec_b.code not in public  # only what is published
    assert "thanhtra" not in public
    assert client.get(f"/kien-nghi/{world.rec_a.code}/").status_code == 302  # the register needs a login
