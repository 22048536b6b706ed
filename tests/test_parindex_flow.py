"""One commune's PAR assessment on the screens, from the self-assessment to publication: evidence
(text and an uploaded document), the sub-criteria computed from the commune's dossiers and frozen,
the appraisal with a note for every change, the survey, the index and band, history, scoping (404
outside the scope), the public page once published; and the same writes through the API."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.api.models import ApiToken
from motcua.dossiers import services as dossiers
from motcua.parindex import loader, services
from motcua.parindex.models import Assessment, SubCriterion
from motcua.units.calendars import calendar_for_unit
from motcua.units.models import AdministrativeUnit, StaffRole
from tests.factories import at, make_world
from tests.test_parindex_loader import TEXT

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _user(name: str, role: str, unit: AdministrativeUnit) -> User:
    user = User.objects.create_user(name, password="mat-khau-dai-1234")
    StaffRole.objects.create(user=user, role=role, unit=unit)
    return user


def _dossiers(w) -> None:  # noqa: ANN001
    """2026 in the commune: one on time, one received online (still open), one late with an apology."""
    d1 = dossiers.receive(procedure=w.procedure, unit=w.commune, agency=w.agency, at=at("2026-03-02 09:00"),
                          role="system")
    dossiers.perform(d1, "hand_over", role="system", at=at("2026-03-02 10:00"))
    dossiers.perform(d1, "resolve", role="system", at=at("2026-03-03 10:00"))
    d2 = dossiers.receive(procedure=w.procedure, unit=w.commune, agency=w.agency, at=at("2026-03-02 09:30"),
                          role="system", online=True, channel="online")
    dossiers.perform(d2, "accept", role="system", at=at("2026-03-02 10:30"))
    d3 = dossiers.receive(procedure=w.procedure, unit=w.commune, agency=w.agency, at=at("2026-03-04 09:00"),
                          role="system")
    new_due = calendar_for_unit(w.commune).add_working_time(d3.due_at, 3 * 480)
    dossiers.perform(d3, "apologize", role="head", at=at("2026-03-04 10:00"), new_due_at=new_due, reason="Xác minh")
    dossiers.perform(d3, "hand_over", role="system", at=at("2026-03-04 11:00"))
    dossiers.perform(d3, "resolve", role="system", at=at("2026-03-20 10:00"))


def _post(client, a: Assessment, **data: object):  # noqa: ANN001, ANN202
    return client.post(f"/chi-so-cchc/{a.pk}/cham-diem/", data)


def test_a_commune_from_self_assessment_to_publication_on_the_screens(client) -> None:  # noqa: ANN001
    w = make_world()
    _dossiers(w)
    index_set = loader.load(TEXT.replace("year: 2025", "year: 2026").replace("vi-du-cap-xa-2025", "xa-2026"))
    officer, officer_b = _user("cchc", "par_officer", w.commune), _user("cchc_b", "par_officer", w.other_commune)
    appraiser = _user("thamdinh", "appraiser", w.province)
    elsewhere = AdministrativeUnit.objects.create(code="Z77", name="Tỉnh Khác", level="province",
                                                  valid_from=dt.date(2000, 1, 1))
    appraiser_x = _user("thamdinh_x", "appraiser", elsewhere)
    a = services.start(index_set, w.commune, actor=officer)

    client.force_login(officer)
    refused = _post(client, a, kind="self", code="1.1.1", points="2")
    assert refused.status_code == 400 and "cần tài liệu kiểm chứng" in refused.content.decode()
    upload = client.post(f"/chi-so-cchc/{a.pk}/kiem-chung/", {"code": "1.1.1", "file": SimpleUploadedFile(
        "ke-hoach-cchc-2026.pdf", PDF, content_type="application/pdf")})
    assert upload.status_code == 302
    bad = client.post(f"/chi-so-cchc/{a.pk}/kiem-chung/", {"code": "1.1.1", "file": SimpleUploadedFile(
        "virus.exe", b"MZ\x90\x00", content_type="application/pdf")})
    assert bad.status_code == 400 and "không phải PDF" in bad.content.decode()
    assert _post(client, a, kind="self", code="1.1.1", points="2").status_code == 302  # the document suffices
    doc = a.scores.get(sub__code="1.1.1").documents.get()
    assert b"".join(client.get(f"/chi-so-cchc/{a.pk}/kiem-chung/{doc.pk}/").streaming_content) == PDF
    selfs = {s.code: s.max_points for s in SubCriterion.objects.filter(index_set=index_set,
                                                                        method__in=("self_assessed", "appraised"))}
    services.record_table(a, "self", selfs, actor=officer)
    assert _post(client, a, kind="compute").status_code == 302
    computed = {s.sub.code: (s.computed_value, s.computed_points, s.not_applicable, s.computed_at is not None)
                for s in a.scores.filter(sub__method="computed").select_related("sub")}
    # 766 counting: the online dossier, still open past its due date, counts as handled late.
    assert computed == {"2.1.1": (Decimal("0.3333"), Decimal("2.72"), False, True),  # 1 of 3 on time (≥ 98 %: 8)
                        "2.1.2": (Decimal("0.3333"), Decimal("2.50"), False, True),  # 1 of 3 online (≥ 80 %: 6)
                        "2.1.3": (Decimal("0.5000"), Decimal("1.50"), False, True),  # 1 apology, 2 late (3)
                        "7.1.1": (None, None, True, True)}  # no rating: not applicable
    a.refresh_from_db()
    assert _post(client, a, action="submit", version=a.version).status_code == 302
    assert _post(client, a, kind="self", code="1.1.2", points="1").status_code == 409
    client.force_login(officer_b)
    assert client.get(f"/chi-so-cchc/{a.pk}/").status_code == 404
    assert client.get(f"/chi-so-cchc/{a.pk}/kiem-chung/{doc.pk}/").status_code == 404
    client.force_login(appraiser_x)
    assert client.get(f"/chi-so-cchc/{a.pk}/").status_code == 404
    assert _post(client, a, kind="appraise", code="1.1.1", points="1", note="x").status_code == 404

    client.force_login(appraiser)
    page = client.get(f"/chi-so-cchc/{a.pk}/")
    assert 'data-testid="appraise-form"' in page.content.decode() and "ke-hoach-cchc-2026.pdf" in page.content.decode()
    no_note = _post(client, a, kind="appraise", code="1.1.1", points="1")
    assert no_note.status_code == 400 and "cần ghi lý do" in no_note.content.decode()
    assert a.scores.get(sub__code="1.1.1").appraised_score is None
    assert _post(client, a, kind="appraise", code="1.1.1", points="1", note="Ban hành chậm 20 ngày").status_code == 302
    assert _post(client, a, kind="survey", code="7.2.1", points="9").status_code == 302
    a.refresh_from_db()
    assert _post(client, a, action="appraise", version=a.version).status_code == 302
    a.refresh_from_db()
    assert _post(client, a, action="publish", version=a.version).status_code == 302
    # (67 self/appraised + 6.72 computed + 9 survey) / (100 − 5 not applicable) = 87.07 %
    page = client.get(f"/chi-so-cchc/{a.pk}/")
    assert (str(page.context["result"].index), page.context["result"].band) == ("87.07", "B")
    assert [(x["code"], x["lost"], x["reason"]) for x in page.context["lost"] if x["code"] == "1.1.1"] == [
        ("1.1.1", Decimal("1.00"), "Ban hành chậm 20 ngày")]
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/chi-so-cchc/{a.pk}/?format=xlsx").content)).active
    lines = list(sheet.iter_rows(min_row=4, values_only=True))
    rows = {r[0]: r for r in lines}
    assert (rows["2.1.1"][5], rows["2.1.1"][11], bool(rows["2.1.1"][12])) == (2.72, 0.3333, True)
    assert (rows["1.1.1"][7], rows["1.1.1"][10], rows["1.1.1"][13]) == (1, "Ban hành chậm 20 ngày",
                                                                          "ke-hoach-cchc-2026.pdf")
    assert lines[-1][1] == "Chỉ số" and lines[-1][8] == 87.07
    actions = [e.action for e in a.events.all()]
    assert actions[0] == "create" and actions[-2:] == ["appraise", "publish"]
    assert {"compute", "score", "submit"} <= set(actions)
    history = page.content.decode()
    assert "Công bố kết quả" in history and "Tính các tiêu chí từ dữ liệu hệ thống" in history

    client.logout()
    public = client.get(f"/chi-so-cchc/cong-bo/{a.pk}/")
    assert public.status_code == 200 and str(public.context["result"].index) == "87.07"
    assert "kiem-chung" not in public.content.decode()  # no evidence documents in public
    assert client.get(f"/chi-so-cchc/{a.pk}/").status_code == 302  # the officials' page needs a login


def test_the_list_filters_and_scopes(client) -> None:  # noqa: ANN001
    w = make_world()
    index_set = loader.load(TEXT)
    mine, theirs = services.start(index_set, w.commune), services.start(index_set, w.other_commune)
    client.force_login(_user("cchc", "par_officer", w.commune))
    rows = client.get("/chi-so-cchc/").context["rows"]
    assert [r["a"].pk for r in rows] == [mine.pk]
    assert client.get(f"/chi-so-cchc/{theirs.pk}/").status_code == 404
    assert client.get("/chi-so-cchc/?set=vi-du-cap-xa-2025&year=2025&status=draft").context["rows"][0]["a"] == mine
    assert client.get("/chi-so-cchc/?level=district").context["rows"] == []
    client.force_login(_user("thamdinh", "appraiser", w.province))
    assert len(client.get("/chi-so-cchc/?level=commune").context["rows"]) == 2


def test_the_api_writes_scores_with_the_callers_role_and_errors_as_code_and_message(client) -> None:  # noqa: ANN001
    w = make_world()
    a = services.start(loader.load(TEXT), w.commune)

    def token(name: str, role: str, unit: AdministrativeUnit) -> dict[str, str]:
        user = _user(name, role, unit)
        return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, role=role, name=name)[1]}"}

    officer, officer_b, appraiser = (token("cchc", "par_officer", w.commune),
                                     token("cchc_b", "par_officer", w.other_commune),
                                     token("thamdinh", "appraiser", w.province))
    url = f"/api/oversight/par-assessments/{a.pk}"
    post = lambda path, body, who: client.post(url + path, body, content_type="application/json", **who)  # noqa: E731
    assert post("/scores", {"kind": "self", "code": "1.2.1", "points": 2}, officer).status_code == 200
    assert post("/scores", {"kind": "self", "code": "1.2.1", "points": 2}, officer_b).status_code == 404
    too_many = post("/scores", {"kind": "self", "code": "1.2.1", "points": 3}, officer)
    assert too_many.status_code == 400 and set(too_many.json()) >= {"code", "message"}
    assert "từ 0 đến 2" in too_many.json()["message"]
    assert post("/scores", {"kind": "appraise", "code": "1.2.1", "points": 1, "note": "x"}, officer).status_code == 403
    assert post("/actions/submit", {}, officer).json()["status"] == "self_assessed"
    no_note = post("/scores", {"kind": "appraise", "code": "1.2.1", "points": 1}, appraiser)
    assert no_note.status_code == 400 and "cần ghi lý do" in no_note.json()["message"]
    assert post("/scores", {"kind": "appraise", "code": "1.2.1", "points": 1, "note": "Báo cáo thiếu số liệu"},
                appraiser).status_code == 200
    scores = {s["code"]: s for s in client.get(url + "/scores", **appraiser).json()}
    row = scores["1.2.1"]
    assert [Decimal(str(row[k])) for k in ("self_score", "appraised_score", "points", "lost")] == [2, 1, 1, 1]
    assert scores["1.2.1"]["appraiser_note"] == "Báo cáo thiếu số liệu"
    listed = client.get("/api/oversight/par-assessments?level=commune&status=self_assessed", **officer_b).json()
    assert listed == []
    assert [x["id"] for x in client.get("/api/oversight/par-assessments?year=2025", **officer).json()] == [a.pk]
