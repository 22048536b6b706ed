"""The demo's council supervision, modelled on a provincial news report (February 2022): the
provincial council's Ban Pháp chế, delegation no. 18, working on 20–21/02/2022 with Lâm Bình
district and Minh Quang commune on public-service performance over 2019–2021, under the 2022
supervision programme; its report (the findings the report lists), its conclusion, published.
Both bodies are the unit *versions* of 2022 (the district existed until 30/06/2025).

Built through the services, idempotent: nothing is created when the delegation exists. The
recommendations are made through the follow-up register by the demo's oversight part.
"""
from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from motcua.supervision import services
from motcua.supervision.models import Delegation, Programme
from motcua.units.models import AdministrativeUnit, Level
from motcua.workdays import TZ

PROVINCE_CODE = "08"  # Tuyên Quang (the demo province)
FINDINGS = (
    "Giai đoạn 2019–2021, UBND huyện quan tâm chỉ đạo việc thực thi công vụ; các cơ quan, đơn vị đổi mới phương "
    "pháp điều hành, lề lối làm việc. Huyện hợp nhất, giảm 02 cơ quan chuyên môn và 04 đơn vị sự nghiệp công lập; "
    "tăng 06 đơn vị sự nghiệp do điều chỉnh địa giới, chuyển 02 xã Minh Quang, Phúc Sơn về huyện.\n"
    "Hạn chế: báo cáo kết quả thực hiện văn hóa công vụ chưa kịp thời; vẫn còn cán bộ, công chức bị đánh giá, xếp "
    "loại không hoàn thành nhiệm vụ, bị kỷ luật; việc kiểm tra, đôn đốc các đơn vị chưa thường xuyên; hồ sơ tại Bộ "
    "phận Tiếp nhận và trả kết quả lưu chưa đầy đủ, khoa học. Tại xã Minh Quang: phối hợp sau điều chỉnh địa giới "
    "chưa chặt chẽ; giải quyết đơn thư còn kéo dài, chưa dứt điểm; cấp thẻ cán bộ, công chức còn chậm; phần mềm hộ "
    "tịch chưa kết nối nên cấp thẻ bảo hiểm y tế cho trẻ em chưa liên thông trực tiếp."
)
CONCLUSION = (
    "Đề nghị UBND huyện Lâm Bình chỉ đạo sát sao hơn công tác quản lý địa bàn, tự rà soát, kiểm tra việc thực thi "
    "công vụ của cán bộ, công chức; có giải pháp cụ thể khắc phục các hạn chế; quy định rõ quyền hạn gắn với trách "
    "nhiệm của người đứng đầu; tiếp tục phối hợp với Ủy ban MTTQ và các tổ chức chính trị - xã hội."
)


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def _province() -> AdministrativeUnit:
    province = AdministrativeUnit.objects.filter(code=PROVINCE_CODE, level=Level.PROVINCE,
                                                 valid_to__isnull=True).first()
    if province is None:
        raise LookupError(f"Chưa có tỉnh mã {PROVINCE_CODE} trong dữ liệu đơn vị hành chính.")
    return province


def _bodies(province: AdministrativeUnit) -> list[AdministrativeUnit]:
    """Lâm Bình district and Minh Quang commune as they were in 2022."""
    day = dt.date(2022, 2, 20)
    on_day = AdministrativeUnit.objects.filter(valid_from__lte=day).exclude(valid_to__lt=day)
    district = on_day.filter(name="Huyện Lâm Bình", level=Level.DISTRICT).order_by("-valid_from").first()
    commune = None
    if district is not None:
        commune = on_day.filter(name="Xã Minh Quang", level=Level.COMMUNE, parent=district).first()
    if commune is None:  # unit data without the 2022 versions: today's commune
        commune = AdministrativeUnit.objects.filter(name="Xã Minh Quang", level=Level.COMMUNE,
                                                    valid_to__isnull=True).first()
    bodies = [u for u in (district, commune) if u is not None]
    return bodies or [province]


def _council_user() -> object:
    user = get_user_model().objects.filter(username="hdnd").first()
    if user is None:
        from motcua.demo.world import build_world

        build_world()
        user = get_user_model().objects.get(username="hdnd")
    return user


def load_demo() -> dict[str, int]:
    """Seed 000's delegation (idempotent); returns what was created."""
    province = _province()
    created = {"programmes": 0, "delegations": 0, "sessions": 0, "reports": 0}
    if Delegation.objects.filter(council_unit=province, number="18", decision_date__year=2022).exists():
        return created
    council = _council_user()
    programme = Programme.objects.filter(council_unit=province, year=2022).first()
    if programme is None:
        programme = services.create_programme(
            council_unit=province, year=2022, title="Chương trình giám sát năm 2022 của HĐND tỉnh",
            adopted_on=dt.date(2021, 7, 15), actor=council)
        created["programmes"] = 1
    bodies = _bodies(province)
    d = services.create_delegation(
        council_unit=province, programme=programme, committee="Ban Pháp chế HĐND tỉnh", number="18",
        decision_number="18/QĐ-BPC", decision_date=dt.date(2022, 2, 7),
        topic="Việc thực thi công vụ của các cơ quan hành chính nhà nước và công chức giai đoạn 2019–2021",
        scope="Giám sát chuyên đề; thời kỳ 2019–2021", subject="UBND huyện Lâm Bình, một số cơ quan, đơn vị thuộc "
        "huyện và UBND xã Minh Quang", period_from=dt.date(2019, 1, 1), period_to=dt.date(2021, 12, 31),
        starts_on=dt.date(2022, 2, 20), ends_on=dt.date(2022, 2, 21), units=bodies,
        members=[("Trưởng Ban Pháp chế HĐND tỉnh", "Trưởng đoàn"), ("Phó Trưởng Ban Pháp chế HĐND tỉnh",
                                                                    "Phó Trưởng đoàn"),
                 ("Ủy viên Ban Pháp chế HĐND tỉnh", "Thành viên")],
        actor=council, at=_at("2022-02-07 09:00"))
    created["delegations"] = 1
    services.record_plan_sent(d, dt.date(2022, 2, 10), actor=council, at=_at("2022-02-10 10:00"))
    for day, unit in zip((dt.date(2022, 2, 20), dt.date(2022, 2, 21)), bodies, strict=False):
        sent = day - dt.timedelta(days=12)
        services.add_session(d, date=day, unit=unit, programme_sent_on=sent, notes="Làm việc tại " + unit.name,
                             actor=council, at=_at(f"{sent} 10:00"))
        created["sessions"] += 1
    services.perform(d, "start", actor=council, at=_at("2022-02-20 08:00"))
    services.perform(d, "report", actor=council, at=_at("2022-02-28 15:00"), findings=FINDINGS)
    created["reports"] = 1
    services.perform(d, "conclude", actor=council, at=_at("2022-03-10 09:00"), conclusion=CONCLUSION)
    services.publish(d, actor=council, at=_at("2022-03-15 09:00"))
    return created
