"""A demo catalogue of real procedures (thủ tục hành chính), as plain data.

Codes are the national codes of the Cơ sở dữ liệu quốc gia về TTHC where known; a code
followed by the comment ``code to confirm`` is our best recollection and must be checked
against https://dichvucong.gov.vn before production use. Legal times, fees and documents
follow the texts named in ``legal_basis``; fees fixed by each province's People's Council
(Nghị quyết HĐND tỉnh) are typical amounts, marked [practice].

Route steps: ``(name, role, agency_level, agency_kind, share_minutes)``. An empty level means
"the unit that received the dossier" (procedures handled at several levels); an empty level
and kind means the receiving agency itself. The shares of a route sum exactly to the legal
time (``legal_minutes``; a working day is 480 minutes, a working hour 60).
"""
from __future__ import annotations

from typing import Any

DAY = 480
HOUR = 60

FIELDS: list[dict[str, str]] = [
    {"code": "HOTICH", "name": "Hộ tịch"},
    {"code": "CHUNGTHUC", "name": "Chứng thực"},
    {"code": "CUTRU", "name": "Đăng ký, quản lý cư trú"},
    {"code": "HKD", "name": "Thành lập và hoạt động của hộ kinh doanh"},
    {"code": "DOANHNGHIEP", "name": "Thành lập và hoạt động doanh nghiệp"},
    {"code": "XAYDUNG", "name": "Hoạt động xây dựng"},
    {"code": "DATDAI", "name": "Đất đai"},
    {"code": "LLTP", "name": "Lý lịch tư pháp"},
    {"code": "DUONGBO", "name": "Đường bộ (cấp, đổi giấy phép lái xe)"},
]

COUNTER_POSTAL_ONLINE = ["counter", "postal", "online_full"]
HOTICH_BASIS = (
    "Luật Hộ tịch số 60/2014/QH13; Nghị định 123/2015/NĐ-CP (sửa đổi bởi Nghị định 07/2025/NĐ-CP); "
    "Thông tư 04/2020/TT-BTP; Thông tư 85/2019/TT-BTC (lệ phí hộ tịch)"
)
CHUNGTHUC_BASIS = "Nghị định 23/2015/NĐ-CP; Thông tư 01/2020/TT-BTP; Thông tư 226/2016/TT-BTC (phí chứng thực)"
HKD_DN_BASIS = (
    "Luật Doanh nghiệp 2020; Nghị định 01/2021/NĐ-CP (đến 30/6/2025), Nghị định 168/2025/NĐ-CP (từ 01/7/2025); "
    "Thông tư 47/2019/TT-BTC (lệ phí đăng ký)"
)
DATDAI_BASIS = "Luật Đất đai 2024; Nghị định 101/2024/NĐ-CP; Nghị định 151/2025/NĐ-CP (phân quyền từ 01/7/2025)"


def _doc(name: str, form: str = "bản chính", count: int = 1, required: bool = True) -> dict[str, Any]:
    return {"name": name, "form": form, "count": count, "required": required}


def _hotich_same_day(code: str, name: str, docs: list[dict[str, Any]], fees: list[dict[str, Any]],
                     result: str, channels: list[str] | None = None) -> dict[str, Any]:
    """Civil-status procedures decided 'ngay trong ngày' (after 15:00: the next working day)."""
    return {
        "code": code, "name": name, "field": "HOTICH", "levels": ["commune"],
        "legal_minutes": 8 * HOUR, "legal_time_unit": "h", "clock_policy": "pause", "cutoff": "15:00",
        "fees": fees, "channels": channels or COUNTER_POSTAL_ONLINE, "result_type": result,
        "legal_basis": HOTICH_BASIS, "documents": docs,
        "steps": [
            ("Tiếp nhận, kiểm tra hồ sơ", "counter", "commune", "centre", 60),
            ("Công chức tư pháp - hộ tịch kiểm tra, ghi Sổ hộ tịch", "specialist", "commune", "ubnd", 300),
            ("Chủ tịch UBND xã ký", "leader", "commune", "ubnd", 120),
        ],
    }


def _hotich_days(code: str, name: str, days: int, docs: list[dict[str, Any]], fees: list[dict[str, Any]],
                 result: str, clock_policy: str = "pause") -> dict[str, Any]:
    total = days * DAY
    return {
        "code": code, "name": name, "field": "HOTICH", "levels": ["commune"],
        "legal_minutes": total, "legal_time_unit": "d", "clock_policy": clock_policy, "cutoff": None,
        "fees": fees, "channels": COUNTER_POSTAL_ONLINE, "result_type": result,
        "legal_basis": HOTICH_BASIS, "documents": docs,
        "steps": [
            ("Tiếp nhận, kiểm tra hồ sơ", "counter", "commune", "centre", 60),
            ("Công chức tư pháp - hộ tịch thẩm tra, xác minh", "specialist", "commune", "ubnd", total - 60 - DAY // 2),
            ("Lãnh đạo UBND xã ký", "leader", "commune", "ubnd", DAY // 2),
        ],
    }


def _chungthuc(code: str, name: str, docs: list[dict[str, Any]], fees: list[dict[str, Any]]) -> dict[str, Any]:
    """Certifications: 'trong ngày' (Nghị định 23/2015 art. 7), after 15:00 the next working day.
    [choice] 'trong ngày' is counted as 4 working hours with a 15:00 cut-off."""
    return {
        "code": code, "name": name, "field": "CHUNGTHUC", "levels": ["district", "commune"],
        "legal_minutes": 4 * HOUR, "legal_time_unit": "h", "clock_policy": "pause", "cutoff": "15:00",
        "fees": fees, "channels": ["counter"], "result_type": "Bản sao / giấy tờ được chứng thực (bản giấy)",
        "legal_basis": CHUNGTHUC_BASIS, "documents": docs,
        "steps": [
            ("Tiếp nhận, đối chiếu bản chính", "counter", "", "centre", 30),
            ("Kiểm tra, ghi Sổ chứng thực", "specialist", "", "ubnd", 150),
            ("Lãnh đạo ký chứng thực, đóng dấu", "leader", "", "ubnd", 60),
        ],
    }


PROCEDURES: list[dict[str, Any]] = [
    _hotich_same_day(
        "1.001193", "Đăng ký khai sinh",
        [_doc("Tờ khai đăng ký khai sinh"), _doc("Giấy chứng sinh hoặc giấy tờ thay thế"),
         _doc("Văn bản ủy quyền (trường hợp ủy quyền)", required=False)],
        [{"name": "Lệ phí đăng ký khai sinh đúng hạn (miễn)", "amount": 0}],
        "Giấy khai sinh (bản chính, bản điện tử)",
    ),
    _hotich_same_day(
        "1.000894", "Đăng ký kết hôn",
        [_doc("Tờ khai đăng ký kết hôn"),
         _doc("Giấy xác nhận tình trạng hôn nhân (nếu không thường trú tại nơi đăng ký)", required=False)],
        [{"name": "Lệ phí đăng ký kết hôn (miễn, công dân cư trú trong nước)", "amount": 0}],
        "Giấy chứng nhận kết hôn (02 bản chính)", channels=["counter", "online_partial"],
    ),
    _hotich_same_day(
        "1.000656", "Đăng ký khai tử",
        [_doc("Tờ khai đăng ký khai tử"), _doc("Giấy báo tử hoặc giấy tờ thay thế giấy báo tử")],
        [{"name": "Lệ phí đăng ký khai tử đúng hạn (miễn)", "amount": 0}],
        "Trích lục khai tử",
    ),
    _hotich_same_day(
        "2.000635", "Cấp bản sao Trích lục hộ tịch",  # code to confirm
        [_doc("Tờ khai cấp bản sao trích lục hộ tịch")],
        [{"name": "Phí cấp bản sao trích lục hộ tịch, mỗi bản", "amount": 8000}],
        "Bản sao trích lục hộ tịch",
    ),
    _hotich_days(
        "1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân", 3,
        [_doc("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân"),
         _doc("Giấy tờ chứng minh việc ly hôn, hủy kết hôn hoặc người chồng/vợ đã chết", "bản sao", required=False)],
        [{"name": "Lệ phí [practice: theo Nghị quyết HĐND tỉnh]", "amount": 3000}],
        "Giấy xác nhận tình trạng hôn nhân",
    ),
    _hotich_days(
        "1.000689", "Đăng ký giám hộ", 3,  # code to confirm
        [_doc("Tờ khai đăng ký giám hộ"), _doc("Văn bản cử người giám hộ")],
        [{"name": "Lệ phí đăng ký giám hộ (miễn)", "amount": 0}],
        "Trích lục đăng ký giám hộ",
    ),
    _hotich_days(
        "1.001022", "Đăng ký nhận cha, mẹ, con", 3,  # code to confirm
        [_doc("Tờ khai đăng ký nhận cha, mẹ, con"),
         _doc("Văn bản xác nhận quan hệ cha, con hoặc mẹ, con (giám định ADN...)", "bản sao")],
        [{"name": "Lệ phí [practice: theo Nghị quyết HĐND tỉnh]", "amount": 15000}],
        "Trích lục đăng ký nhận cha, mẹ, con",
    ),
    _hotich_days(
        "1.004884", "Đăng ký lại khai sinh", 5,  # code to confirm
        [_doc("Tờ khai đăng ký lại khai sinh"), _doc("Bản sao giấy khai sinh hoặc giấy tờ chứng minh", "bản sao"),
         _doc("Văn bản cam đoan về việc đã đăng ký khai sinh nhưng không lưu giữ được bản chính", required=False)],
        [{"name": "Lệ phí [practice: theo Nghị quyết HĐND tỉnh]", "amount": 5000}],
        "Giấy khai sinh (đăng ký lại)",
    ),
    _chungthuc(
        "2.000815", "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp",
        [_doc("Bản chính giấy tờ, văn bản làm cơ sở chứng thực"), _doc("Bản sao cần chứng thực", "bản sao")],
        [{"name": "Phí chứng thực bản sao, trang thứ nhất và thứ hai (mỗi trang)", "amount": 2000},
         {"name": "Từ trang thứ ba trở lên, mỗi trang (tối đa 200.000 đồng/bản)", "amount": 1000}],
    ),
    _chungthuc(
        "2.000884", "Chứng thực chữ ký trong các giấy tờ, văn bản",  # code to confirm
        [_doc("Giấy tờ tùy thân còn giá trị sử dụng (đối chiếu)"), _doc("Giấy tờ, văn bản cần chứng thực chữ ký")],
        [{"name": "Phí chứng thực chữ ký, mỗi trường hợp", "amount": 10000}],
    ),
    {
        "code": "1.004194", "name": "Đăng ký thường trú", "field": "CUTRU", "levels": ["commune"],  # code to confirm
        "legal_minutes": 7 * DAY, "legal_time_unit": "d", "clock_policy": "pause", "cutoff": None,
        "fees": [{"name": "Lệ phí đăng ký thường trú (nộp trực tiếp)", "amount": 20000},
                 {"name": "Lệ phí đăng ký thường trú (nộp trực tuyến)", "amount": 10000}],
        "channels": ["counter", "online_full"],
        "result_type": "Thông báo kết quả, cập nhật Cơ sở dữ liệu về cư trú",
        "legal_basis": "Luật Cư trú 2020; Nghị định 62/2021/NĐ-CP (sửa đổi bởi Nghị định 154/2024/NĐ-CP); "
                       "Thông tư 55/2021/TT-BCA; Thông tư 75/2022/TT-BTC (lệ phí)",
        "documents": [_doc("Tờ khai thay đổi thông tin cư trú (mẫu CT01)"),
                      _doc("Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp", "bản sao")],
        # Inter-agency: the commune's service centre receives, the commune police decide.
        "steps": [
            ("Tiếp nhận hồ sơ, chuyển Công an xã", "counter", "commune", "centre", 240),
            ("Cán bộ đăng ký cư trú kiểm tra, xác minh", "specialist", "commune", "other", 2400),
            ("Trưởng Công an xã phê duyệt, cập nhật CSDL cư trú", "head", "commune", "other", 720),
        ],
    },
    {
        "code": "2.000720", "name": "Đăng ký thành lập hộ kinh doanh", "field": "HKD",
        "levels": ["district", "commune"],
        "legal_minutes": 3 * DAY, "legal_time_unit": "d", "clock_policy": "pause", "cutoff": None,
        "fees": [{"name": "Lệ phí đăng ký hộ kinh doanh [practice: theo Nghị quyết HĐND tỉnh]", "amount": 100000}],
        "channels": COUNTER_POSTAL_ONLINE, "result_type": "Giấy chứng nhận đăng ký hộ kinh doanh",
        "legal_basis": HKD_DN_BASIS,
        "documents": [_doc("Giấy đề nghị đăng ký hộ kinh doanh"),
                      _doc("Biên bản họp thành viên hộ gia đình về việc thành lập hộ kinh doanh", "bản sao",
                           required=False),
                      _doc("Văn bản ủy quyền cho thành viên làm chủ hộ kinh doanh", "bản sao", required=False)],
        "steps": [
            ("Tiếp nhận hồ sơ", "counter", "", "centre", 120),
            ("Chuyên viên thẩm định hồ sơ", "specialist", "", "office", 840),
            ("Lãnh đạo phòng kiểm tra", "head", "", "office", 240),
            ("Lãnh đạo UBND ký Giấy chứng nhận", "leader", "", "ubnd", 240),
        ],
    },
    {
        "code": "1.009994", "name": "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",  # code to confirm
        "field": "XAYDUNG", "levels": ["district", "commune"],
        # "kể từ ngày nhận đủ hồ sơ hợp lệ": after a supplement the full time starts again.
        "legal_minutes": 15 * DAY, "legal_time_unit": "d", "clock_policy": "restart", "cutoff": None,
        "fees": [{"name": "Lệ phí cấp giấy phép xây dựng nhà ở riêng lẻ [practice: theo Nghị quyết HĐND tỉnh]",
                  "amount": 75000}],
        "channels": ["counter", "postal", "online_partial"], "result_type": "Giấy phép xây dựng (bản giấy)",
        "legal_basis": "Luật Xây dựng 2014 (sửa đổi 2020); Nghị định 15/2021/NĐ-CP, thay thế bởi "
                       "Nghị định 175/2024/NĐ-CP (to confirm)",
        "documents": [_doc("Đơn đề nghị cấp giấy phép xây dựng (Mẫu số 01 Phụ lục II)"),
                      _doc("Giấy tờ chứng minh quyền sử dụng đất", "bản sao"),
                      _doc("Bản vẽ thiết kế xây dựng", "bản chính", 2),
                      _doc("Bản kê khai năng lực, kinh nghiệm của tổ chức, cá nhân thiết kế", required=False)],
        "steps": [
            ("Tiếp nhận hồ sơ", "counter", "", "centre", 240),
            ("Thẩm định hồ sơ, kiểm tra thực địa", "specialist", "", "office", 5040),
            ("Lãnh đạo phòng trình ký", "head", "", "office", 1200),
            ("Lãnh đạo UBND ký giấy phép", "leader", "", "ubnd", 720),
        ],
    },
    {
        "code": "1.012756",  # code to confirm (new code set under Luật Đất đai 2024)
        "name": "Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận quyền sử dụng đất, "
                "quyền sở hữu tài sản gắn liền với đất lần đầu",
        "field": "DATDAI", "levels": ["district", "commune"],
        "legal_minutes": 20 * DAY, "legal_time_unit": "d", "clock_policy": "restart", "cutoff": None,
        "fees": [{"name": "Lệ phí cấp Giấy chứng nhận [practice: theo Nghị quyết HĐND tỉnh]", "amount": 100000},
                 {"name": "Phí thẩm định hồ sơ cấp Giấy chứng nhận [practice]", "amount": 300000}],
        "channels": ["counter", "postal", "online_partial"],
        "result_type": "Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
        "legal_basis": DATDAI_BASIS,
        "documents": [_doc("Đơn đăng ký đất đai, tài sản gắn liền với đất (Mẫu số 04/ĐK)"),
                      _doc("Giấy tờ về quyền sử dụng đất (nếu có)", "bản sao", required=False),
                      _doc("Chứng từ thực hiện nghĩa vụ tài chính (nếu có)", "bản sao", required=False)],
        # Inter-agency: commune → the province's land registration office → commune.
        "steps": [
            ("Tiếp nhận hồ sơ", "counter", "commune", "centre", 240),
            ("Kiểm tra hiện trạng, nguồn gốc, niêm yết công khai", "specialist", "commune", "office", 2400),
            ("Văn phòng đăng ký đất đai trích đo, xác định nghĩa vụ tài chính", "specialist", "province", "other",
             4560),
            ("Lãnh đạo Văn phòng đăng ký đất đai kiểm tra", "head", "province", "other", 960),
            ("Chủ tịch UBND xã ký Giấy chứng nhận", "leader", "commune", "ubnd", 1440),
        ],
    },
    {
        "code": "1.012757",  # code to confirm
        "name": "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất "
                "(chuyển nhượng, tặng cho, thừa kế)",
        "field": "DATDAI", "levels": ["province", "commune"],
        "legal_minutes": 10 * DAY, "legal_time_unit": "d", "clock_policy": "pause", "cutoff": None,
        "fees": [{"name": "Lệ phí chỉnh lý biến động [practice: theo Nghị quyết HĐND tỉnh]", "amount": 30000}],
        "channels": ["counter", "postal", "online_partial"],
        "result_type": "Giấy chứng nhận đã xác nhận nội dung biến động",
        "legal_basis": DATDAI_BASIS,
        "documents": [_doc("Đơn đăng ký biến động đất đai, tài sản gắn liền với đất (Mẫu số 11/ĐK)"),
                      _doc("Hợp đồng, văn bản về chuyển quyền đã công chứng, chứng thực"),
                      _doc("Giấy chứng nhận đã cấp")],
        # Inter-agency: received at the commune, decided by the province's land registration office.
        "steps": [
            ("Tiếp nhận hồ sơ, chuyển Văn phòng đăng ký đất đai", "counter", "commune", "centre", 240),
            ("Thẩm định, chỉnh lý hồ sơ địa chính", "specialist", "province", "other", 3360),
            ("Lãnh đạo Văn phòng đăng ký đất đai xác nhận biến động", "head", "province", "other", 1200),
        ],
    },
    {
        "code": "2.000488", "name": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",  # code to confirm
        "field": "LLTP", "levels": ["province"],
        "legal_minutes": 10 * DAY, "legal_time_unit": "d", "clock_policy": "pause", "cutoff": None,
        "fees": [{"name": "Phí cung cấp thông tin lý lịch tư pháp", "amount": 200000},
                 {"name": "Phí (sinh viên, người có công với cách mạng...)", "amount": 100000}],
        "channels": COUNTER_POSTAL_ONLINE, "result_type": "Phiếu lý lịch tư pháp số 1 / số 2 (giấy hoặc điện tử)",
        "legal_basis": "Luật Lý lịch tư pháp 2009; Nghị định 111/2010/NĐ-CP; Thông tư 244/2016/TT-BTC",
        "documents": [_doc("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp"),
                      _doc("Giấy tờ tùy thân (căn cước)", "bản chụp")],
        # Inter-agency: the province's service centre receives, the Department of Justice decides.
        "steps": [
            ("Tiếp nhận hồ sơ, chuyển Sở Tư pháp", "counter", "province", "centre", 240),
            ("Tra cứu, xác minh (phối hợp Công an tỉnh)", "specialist", "province", "department", 3600),
            ("Lãnh đạo phòng kiểm tra", "head", "province", "department", 480),
            ("Lãnh đạo Sở ký Phiếu lý lịch tư pháp", "leader", "province", "department", 480),
        ],
    },
    {
        "code": "1.002809", "name": "Đổi giấy phép lái xe",  # code to confirm (Bộ Công an since 01/3/2025)
        "field": "DUONGBO", "levels": ["province"],
        "legal_minutes": 5 * DAY, "legal_time_unit": "d", "clock_policy": "pause", "cutoff": None,
        "fees": [{"name": "Lệ phí cấp, đổi giấy phép lái xe", "amount": 135000}],
        "channels": ["counter", "online_full"], "result_type": "Giấy phép lái xe (thẻ PET) và bản điện tử",
        "legal_basis": "Luật Trật tự, an toàn giao thông đường bộ 2024; Thông tư 35/2024/TT-BCA; "
                       "Thông tư 37/2023/TT-BTC",
        "documents": [_doc("Đơn đề nghị đổi giấy phép lái xe"), _doc("Giấy khám sức khỏe của người lái xe"),
                      _doc("Giấy phép lái xe cũ", "bản sao")],
        "steps": [
            ("Tiếp nhận hồ sơ, chụp ảnh", "counter", "", "", 240),
            ("Kiểm tra, đối chiếu dữ liệu", "specialist", "", "", 1680),
            ("Lãnh đạo phê duyệt", "head", "", "", 480),
        ],
    },
    {
        "code": "2.001610", "name": "Đăng ký thành lập doanh nghiệp tư nhân",  # code to confirm
        "field": "DOANHNGHIEP", "levels": ["province"],
        "legal_minutes": 3 * DAY, "legal_time_unit": "d", "clock_policy": "pause", "cutoff": None,
        "fees": [{"name": "Lệ phí đăng ký doanh nghiệp (miễn khi nộp trực tuyến)", "amount": 50000},
                 {"name": "Phí công bố nội dung đăng ký doanh nghiệp", "amount": 100000}],
        "channels": COUNTER_POSTAL_ONLINE, "result_type": "Giấy chứng nhận đăng ký doanh nghiệp",
        "legal_basis": HKD_DN_BASIS,
        "documents": [_doc("Giấy đề nghị đăng ký doanh nghiệp"),
                      _doc("Giấy tờ pháp lý của cá nhân chủ doanh nghiệp", "bản sao")],
        "steps": [
            ("Tiếp nhận hồ sơ", "counter", "", "", 120),
            ("Chuyên viên Phòng Đăng ký kinh doanh xử lý", "specialist", "", "", 960),
            ("Trưởng phòng ký Giấy chứng nhận", "head", "", "", 360),
        ],
    },
]
