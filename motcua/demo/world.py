"""The demo world: a real province and two of its real communes, their agencies, staff of every
role, the catalogue, and (see ``motcua.demo.dossiers``) thousands of dossiers driven through the services.

Idempotent: agencies by code, users by username, dossiers by an idempotency key per index.
DEMO ONLY: every demo user has the same fixed password, printed by ``seed_demo``.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AbstractBaseUser

from motcua.catalog.loader import LoadResult, load_catalog
from motcua.catalog.search import fold
from motcua.demo import catalog as demo_catalog
from motcua.demo.names import fake_name
from motcua.units.models import AdministrativeUnit, Agency, Level, Role, StaffRole

DEMO_PASSWORD = "demo12345"  # demo only: never use on a real deployment
DEMO_PROVINCE_CODE = "08"  # Tuyên Quang (Decision 19/2025/QĐ-TTg)
DEMO_COMMUNE_NAMES = ("Xã Lâm Bình", "Xã Minh Quang")  # the communes of seed 000
REFORM_DAY = dt.date(2025, 7, 1)  # the day the two-tier local government began


class DemoError(RuntimeError):
    """The demo cannot be built (e.g. no administrative units loaded)."""


@dataclass
class Login:
    username: str
    role: str
    agency: str


@dataclass
class CommuneSite:
    unit: AdministrativeUnit
    centre: Agency
    ubnd: Agency
    slug: str
    # Before the reform: the commune version the current one succeeded (if the unit data has it).
    legacy_unit: AdministrativeUnit | None = None
    legacy_agency: Agency | None = None


@dataclass
class DemoWorld:
    province: AdministrativeUnit
    province_centre: Agency
    communes: list[CommuneSite]
    logins: list[Login] = field(default_factory=list)
    # (agency id, role) -> user, for the actors of the dossiers' events
    staff: dict[tuple[int, str], AbstractBaseUser] = field(default_factory=dict)


def pick_units(province_code: str = DEMO_PROVINCE_CODE) -> tuple[AdministrativeUnit, list[AdministrativeUnit]]:
    """The demo province (current version) and two of its current communes."""
    current = AdministrativeUnit.objects.current()
    province = current.filter(level=Level.PROVINCE, code=province_code).first()
    if province is None:
        province = current.filter(level=Level.PROVINCE).order_by("code").first()
    if province is None:
        raise DemoError("Chưa có dữ liệu đơn vị hành chính (AdministrativeUnit); hãy chạy 'manage.py migrate'.")
    children = list(current.filter(parent=province, level=Level.COMMUNE).order_by("code"))
    chosen = [c for name in DEMO_COMMUNE_NAMES for c in children if c.name == name]
    for child in children:
        if len(chosen) >= 2:
            break
        if child not in chosen:
            chosen.append(child)
    if len(chosen) < 2:
        raise DemoError(f"Tỉnh {province.name} chưa có đủ 2 đơn vị cấp xã hiện hành trong dữ liệu.")
    return province, chosen[:2]


def _slug(unit: AdministrativeUnit) -> str:
    words = fold(unit.name).split()
    if words and words[0] in {"xa", "phuong", "dac", "thi"}:
        words = words[2:] if words[:2] == ["dac", "khu"] or words[:2] == ["thi", "tran"] else words[1:]
    return "".join(words) or unit.code


def _agency(code: str, name: str, kind: str, unit: AdministrativeUnit, one_stop: bool = False,
            valid_from: dt.date = REFORM_DAY, valid_to: dt.date | None = None) -> Agency:
    agency, _ = Agency.objects.update_or_create(
        code=code,
        defaults={"name": name, "kind": kind, "unit": unit, "level": unit.level, "has_one_stop": one_stop,
                  "valid_from": valid_from, "valid_to": valid_to},
    )
    return agency


def _short(unit: AdministrativeUnit) -> str:
    """'Xã Lâm Bình' -> 'xã Lâm Bình' inside an agency name."""
    return unit.name[:1].lower() + unit.name[1:]


def _legacy_commune(unit: AdministrativeUnit) -> AdministrativeUnit | None:
    """The commune version this one succeeded at the reform, if the loaded unit data links them."""
    preds = list(unit.predecessors.filter(level=Level.COMMUNE, valid_to__lt=REFORM_DAY).order_by("code"))
    same = [p for p in preds if p.code == unit.code] or [p for p in preds if p.name == unit.name]
    return (same or preds or [None])[0]


def load_demo_catalog() -> LoadResult:
    """The demo catalogue of real procedures (``motcua.demo.catalog``), loaded idempotently."""
    return load_catalog(demo_catalog.PROCEDURES, demo_catalog.FIELDS)


def build_world(province_code: str = DEMO_PROVINCE_CODE) -> DemoWorld:
    """Agencies and staff of the demo province (idempotent)."""
    province, communes = pick_units(province_code)
    p = province.code
    world = DemoWorld(
        province=province,
        province_centre=_agency(f"{p}-TTPVHCC", f"Trung tâm Phục vụ hành chính công {_short(province)}",
                                Agency.Kind.SERVICE_CENTRE, province, one_stop=True),
        communes=[],
    )
    justice = _agency(f"{p}-STP", f"Sở Tư pháp {_short(province)}", Agency.Kind.DEPARTMENT, province)
    land = _agency(f"{p}-VPDKDD", f"Văn phòng Đăng ký đất đai {_short(province)}", Agency.Kind.OTHER, province)
    users = [
        ("tinh.motcua", Role.COUNTER, world.province_centre),
        ("tinh.chuyenvien", Role.SPECIALIST, world.province_centre),
        ("tinh.truongphong", Role.HEAD, world.province_centre),
        ("stp.chuyenvien", Role.SPECIALIST, justice),
        ("stp.truongphong", Role.HEAD, justice),
        ("stp.giamdoc", Role.LEADER, justice),
        ("vpdk.chuyenvien", Role.SPECIALIST, land),
        ("vpdk.giamdoc", Role.HEAD, land),
    ]
    for unit in communes:
        c = unit.code
        site = CommuneSite(
            unit=unit, slug=_slug(unit),
            centre=_agency(f"{c}-TTPVHCC", f"Trung tâm Phục vụ hành chính công {_short(unit)}",
                           Agency.Kind.SERVICE_CENTRE, unit, one_stop=True),
            ubnd=_agency(f"{c}-UBND", f"Ủy ban nhân dân {_short(unit)}", Agency.Kind.PEOPLES_COMMITTEE, unit),
        )
        office = _agency(f"{c}-PKT", f"Phòng Kinh tế {_short(unit)}", Agency.Kind.OFFICE, unit)
        police = _agency(f"{c}-CA", f"Công an {_short(unit)}", Agency.Kind.OTHER, unit)
        legacy = _legacy_commune(unit)
        if legacy is not None:
            site.legacy_unit = legacy
            site.legacy_agency = _agency(
                f"{legacy.code}-UBND-CU", f"Ủy ban nhân dân {_short(legacy)} (trước 01/7/2025)",
                Agency.Kind.PEOPLES_COMMITTEE, legacy, one_stop=True,
                valid_from=dt.date(2000, 1, 1), valid_to=REFORM_DAY - dt.timedelta(days=1),
            )
        world.communes.append(site)
        s = site.slug
        users += [
            (f"{s}.motcua", Role.COUNTER, site.centre),
            (f"{s}.tuphap", Role.SPECIALIST, site.ubnd),
            (f"{s}.chutich", Role.LEADER, site.ubnd),
            (f"{s}.kinhte", Role.SPECIALIST, office),
            (f"{s}.truongphong", Role.HEAD, office),
            (f"{s}.congan", Role.SPECIALIST, police),
            (f"{s}.truongcongan", Role.HEAD, police),
            (f"{s}.cchc", Role.PAR_OFFICER, site.ubnd),
        ]
        if site.legacy_agency is not None:
            users += [(f"{s}.cu.motcua", Role.COUNTER, site.legacy_agency),
                      (f"{s}.cu.chutich", Role.LEADER, site.legacy_agency)]
    rng = random.Random(f"staff:{p}")
    passwords = _Passwords()
    for username, role, agency in users:
        user = _user(username, rng, passwords)
        StaffRole.objects.get_or_create(user=user, role=role, agency=agency)
        world.staff[(agency.pk, role)] = user
        world.logins.append(Login(username, str(role), agency.name))
    inspector = _user("thanhtra", rng, passwords)
    StaffRole.objects.get_or_create(user=inspector, role=Role.INSPECTOR, unit=province)
    world.logins.append(Login("thanhtra", Role.INSPECTOR, province.name))
    for username, role in (("hdnd", Role.COUNCIL), ("thamdinh", Role.APPRAISER)):
        overseer = _user(username, rng, passwords)
        StaffRole.objects.get_or_create(user=overseer, role=role, unit=province)
        world.logins.append(Login(username, role, province.name))
    admin = _user("admin", rng, passwords, superuser=True)
    StaffRole.objects.get_or_create(user=admin, role=Role.ADMIN, unit=province)
    world.logins.append(Login("admin", Role.ADMIN, f"{province.name} (quản trị, superuser)"))
    return world


class _Passwords:
    """One Argon2 hash of the demo password, shared by all demo users (hashing is deliberately slow:
    ~0.1–0.7 s each). Existing users keep their hash when it already matches the demo password."""

    def __init__(self) -> None:
        self._encoded: str | None = None
        self._verified: dict[str, bool] = {}

    def encoded(self) -> str:
        if self._encoded is None:
            self._encoded = make_password(DEMO_PASSWORD)
        return self._encoded

    def ok(self, stored: str) -> bool:
        if stored not in self._verified:
            self._verified[stored] = bool(stored) and check_password(DEMO_PASSWORD, stored)
        return self._verified[stored]


def _user(username: str, rng: random.Random, passwords: _Passwords, superuser: bool = False) -> AbstractBaseUser:
    model = get_user_model()
    user = model.objects.filter(username=username).first()
    family, middle, given = fake_name(rng)  # drawn for every user, so that the names stay stable
    if user is None:
        user = model(username=username, first_name=given, last_name=f"{family} {middle}",
                     email=f"{username}@demo.motcua.invalid")
    user.is_staff = True
    user.is_superuser = superuser
    user.is_active = True
    if not passwords.ok(user.password):
        user.password = passwords.encoded()
    user.save()
    return user

