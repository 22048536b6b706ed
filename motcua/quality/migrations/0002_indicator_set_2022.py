"""Load the 2022 service-quality index (Decision 766/QĐ-TTg) with the indicators this system can
compute from its own data. Group maxima are the Decision's; how a group's points are split among
the indicators kept here is a [choice] (data: edit it in the admin or add a new set)."""
from decimal import Decimal

from django.db import migrations

BASIS = (
    "Quyết định số 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ phê duyệt Bộ chỉ số chỉ đạo, điều hành "
    "và đánh giá chất lượng phục vụ người dân, doanh nghiệp trong thực hiện thủ tục hành chính, dịch vụ công "
    "theo thời gian thực trên môi trường điện tử"
)

GROUPS = [
    ("1", "Công khai, minh bạch", 18, [
        ("1.1", "Công khai, minh bạch thông tin thủ tục hành chính và tiến độ giải quyết hồ sơ", "", 18, None,
         "Chưa tính được từ dữ liệu hồ sơ của hệ thống này (đánh giá trên Cổng Dịch vụ công); không cộng điểm."),
    ]),
    ("2", "Tiến độ giải quyết", 20, [
        ("2.1", "Tỷ lệ hồ sơ giải quyết trước hạn, đúng hạn (kể cả đang giải quyết trong hạn)",
         "on_time_766 / handled", 20, None,
         "Thời gian chờ bổ sung không tính (đã loại khỏi hạn giải quyết); hồ sơ có quá 1 lần yêu cầu bổ sung "
         "tính là trễ hạn."),
    ]),
    ("3", "Dịch vụ công trực tuyến và thanh toán trực tuyến", 22, [
        ("3.1", "Tỷ lệ hồ sơ nộp trực tuyến (của thủ tục có dịch vụ công trực tuyến)",
         "online_of_capable / online_capable", 12, None, ""),
        ("3.2", "Tỷ lệ hồ sơ có nghĩa vụ tài chính được thanh toán trực tuyến",
         "paid_online / payment_required", 10, None,
         "Chưa có dữ liệu thanh toán trực tuyến (chưa kết nối cổng thanh toán): tính là 0."),
    ]),
    ("4", "Số hóa hồ sơ", 22, [
        ("4.1", "Tỷ lệ kết quả giải quyết được cấp dạng điện tử", "results_electronic / results_issued", 11, None,
         "Hệ thống chưa lưu kết quả điện tử: tính là 0."),
        ("4.2", "Tỷ lệ hồ sơ có thành phần hồ sơ được số hóa", "digitised / received", 11, None, ""),
    ]),
    ("5", "Mức độ hài lòng", 18, [
        ("5.1", "Mức độ hài lòng của người dân (5 tiêu chí SIPAS, quy về thang điểm)",
         "rating_points / rating_max", 12, None, ""),
        ("5.2", "Tỷ lệ hồ sơ không bị phản ánh, kiến nghị", "uncomplained / handled", 6, None,
         "Chưa có sổ phản ánh, kiến nghị: số phản ánh tính là 0."),
    ]),
]


def load(apps, schema_editor):
    IndicatorSet = apps.get_model("quality", "IndicatorSet")
    IndicatorGroup = apps.get_model("quality", "IndicatorGroup")
    Indicator = apps.get_model("quality", "Indicator")
    import datetime as dt

    iset, _ = IndicatorSet.objects.update_or_create(
        code="766-2022",
        defaults={"name": "Bộ chỉ số chất lượng phục vụ người dân, doanh nghiệp (766/QĐ-TTg)",
                  "valid_from": dt.date(2022, 6, 23), "legal_basis": BASIS,
                  "note": "Phân bổ điểm giữa các chỉ tiêu trong một nhóm là lựa chọn của dự án [choice]."},
    )
    for g_order, (g_code, g_name, g_max, indicators) in enumerate(GROUPS, start=1):
        group, _ = IndicatorGroup.objects.update_or_create(
            indicator_set=iset, code=g_code,
            defaults={"name": g_name, "max_points": Decimal(g_max), "order": g_order},
        )
        for i_order, (code, name, formula, max_points, threshold, note) in enumerate(indicators, start=1):
            Indicator.objects.update_or_create(
                group=group, code=code,
                defaults={"name": name, "formula": formula, "max_points": Decimal(max_points),
                          "threshold": threshold, "note": note, "order": i_order},
            )


def unload(apps, schema_editor):
    apps.get_model("quality", "IndicatorSet").objects.filter(code="766-2022").delete()


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
