"""Fake Vietnamese people for the demo: names drawn from lists of common family, middle and
given names (plus names common among the Tày, Nùng and Dao of the northern mountains).
No real personal data: identity numbers and phone numbers are random digits."""
from __future__ import annotations

import random
from dataclasses import dataclass

FAMILY = [
    "Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ",
    "Ngô", "Dương", "Lý", "Ma", "Hà", "Nông", "Triệu", "Lục", "Quan", "Hứa", "Chu", "Đinh", "Lương",
]
MIDDLE_MALE = ["Văn", "Văn", "Đức", "Minh", "Hữu", "Quang", "Thanh", "Xuân", "Tiến", "Công", "Ngọc", "Mạnh"]
MIDDLE_FEMALE = ["Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Kim", "Minh", "Phương", "Bích", "Mai"]
GIVEN_MALE = [
    "An", "Bình", "Cường", "Dũng", "Đạt", "Giang", "Hải", "Hiếu", "Hùng", "Huy", "Khánh", "Kiên", "Long",
    "Minh", "Nam", "Phong", "Quân", "Sơn", "Thắng", "Thành", "Trung", "Tuấn", "Việt", "Vinh",
]
GIVEN_FEMALE = [
    "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hiền", "Hoa", "Hương", "Huyền", "Lan", "Linh", "Mai", "Nga",
    "Ngọc", "Nhung", "Oanh", "Phương", "Quỳnh", "Tâm", "Thảo", "Trang", "Vân", "Yến",
]
HAMLETS = ["Thôn", "Bản", "Tổ dân phố"]


@dataclass
class FakePerson:
    name: str
    id_number: str
    phone: str
    email: str
    address: str


def fake_name(rng: random.Random) -> tuple[str, str, str]:
    """(family, middle, given), consistent in gender."""
    if rng.random() < 0.5:
        return rng.choice(FAMILY), rng.choice(MIDDLE_MALE), rng.choice(GIVEN_MALE)
    return rng.choice(FAMILY), rng.choice(MIDDLE_FEMALE), rng.choice(GIVEN_FEMALE)


def fake_person(rng: random.Random, province_code: str, place: str, with_email: bool = False) -> FakePerson:
    family, middle, given = fake_name(rng)
    # 12-digit citizen identity number: province of birth (3), gender/century (1), year (2), random (6).
    born = rng.randint(1950, 2006)
    gender_century = (0 if middle in MIDDLE_MALE else 1) + (2 if born >= 2000 else 0)
    id_number = f"{int(province_code or 0):03d}{gender_century}{born % 100:02d}{rng.randrange(10**6):06d}"
    phone = "0" + rng.choice(["9", "8", "3", "7"]) + f"{rng.randrange(10**8):08d}"
    email = ""
    if with_email:
        email = f"congdan{rng.randrange(10**6):06d}@example.vn"
    address = f"{rng.choice(HAMLETS)} {rng.randint(1, 15)}, {place}"
    return FakePerson(f"{family} {middle} {given}", id_number, phone, email, address)
