"""``manage.py duedate`` as docs/architecture.md promises it: one line out, one line of error, no traceback."""
from __future__ import annotations

import datetime as dt
import io
import pathlib
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from motcua.units.models import AdministrativeUnit, CalendarOverride, Level
from tests.subprocess_support import child_env

ROOT = pathlib.Path(__file__).resolve().parents[1]


def duedate(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("duedate", *args, stdout=out)
    return out.getvalue().splitlines()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--received", "2026-02-13T16:10", "--duration", "5d"], "2026-02-27T16:10:00+07:00"),
        (["--received", "2026-02-13T16:10", "--duration", "4h"], "2026-02-23T11:10:00+07:00"),
        (["--received", "2026-02-13T16:10", "--duration", "5d", "--cutoff", "15:00"], "2026-02-27T17:00:00+07:00"),
        (["--received", "2026-02-13T15:00", "--duration", "0.5d", "--cutoff", "15:00"], "2026-02-23T10:00:00+07:00"),
        (["--received", "2026-02-13T09:10Z", "--duration", "4h"], "2026-02-23T11:10:00+07:00"),
        (["--received", "2026-03-06T08:00", "--duration", "1d"], "2026-03-06T17:00:00+07:00"),
    ],
)
def test_prints_the_due_instant(args: list[str], expected: str) -> None:
    assert duedate(*args) == [expected]


@pytest.mark.django_db
def test_explain_prints_more_lines_after_the_due_instant() -> None:
    lines = duedate("--received", "2026-02-13T16:10", "--duration", "5d", "--explain")
    assert lines[0] == "2026-02-27T16:10:00+07:00"
    text = "\n".join(lines[1:])
    assert "2026-02-13T16:10:00+07:00" in text
    assert "Bỏ qua 2026-02-17: Tết Nguyên Đán" in text
    assert "Bỏ qua 2026-02-14: Thứ Bảy" in text
    made_up = duedate("--received", "2024-04-26T10:00", "--duration", "5d", "--explain")
    assert made_up[0] == "2024-05-07T10:00:00+07:00"
    assert any(line.startswith("Làm việc 2024-05-04") for line in made_up)


@pytest.mark.django_db
def test_unit_version_valid_on_the_receipt_date_applies() -> None:
    common = {"name": "Xã Thử", "level": Level.COMMUNE}
    old = AdministrativeUnit.objects.create(
        code="ZZ001", valid_from=dt.date(2000, 1, 1), valid_to=dt.date(2025, 6, 30),
        sessions="07:00-11:00,13:00-17:00", **common,
    )
    AdministrativeUnit.objects.create(code="ZZ001", valid_from=dt.date(2025, 7, 1), sessions="", **common)
    # Old version opens at 07:00: a 07:00 receipt plus 4 hours is due at 11:00.
    assert duedate("--received", "2025-03-05T07:00", "--duration", "4h", "--unit", "ZZ001") == [
        "2025-03-05T11:00:00+07:00"
    ]
    # Current version inherits the national 08:00 opening: 08:00 + 4h = 12:00.
    assert duedate("--received", "2026-03-04T07:00", "--duration", "4h", "--unit", "ZZ001") == [
        "2026-03-04T12:00:00+07:00"
    ]
    CalendarOverride.objects.create(date=dt.date(2025, 3, 6), is_working=False, reason="Lễ hội xã", unit=old)
    assert duedate("--received", "2025-03-05T16:00", "--duration", "2h", "--unit", "ZZ001") == [
        "2025-03-07T08:00:00+07:00"
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--received", "2026-02-30T10:00", "--duration", "5d"], "--received"),
        (["--received", "hôm qua", "--duration", "5d"], "--received"),
        (["--received", "2026-02-13T16:10", "--duration", "5 ngày"], "--duration"),
        (["--received", "2026-02-13T16:10", "--duration", "1.5h"], "--duration"),
        (["--received", "2026-02-13T16:10", "--duration", "5d", "--cutoff", "25:00"], "--cutoff"),
        (["--received", "2026-02-13T16:10", "--duration", "5d", "--unit", "NOPE9"], "--unit"),
    ],
)
def test_bad_input_raises_command_error_naming_the_option(args: list[str], names: str) -> None:
    with pytest.raises(CommandError, match=names):
        duedate(*args)


@pytest.fixture(scope="module")
def migrated_db(django_db_setup: None, django_db_blocker, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:  # noqa: ANN001
    """A child process's environment on the session's test database, already migrated."""
    with django_db_blocker.unblock():
        return child_env(tmp_path_factory)


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "manage.py", "duedate", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_subprocess_success_is_one_line(migrated_db: dict[str, str]) -> None:
    done = run(migrated_db, "--received", "2026-02-13T16:10", "--duration", "5d")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "2026-02-27T16:10:00+07:00\n"


@pytest.mark.parametrize(
    "args",
    [
        ["--received", "2026-13-01", "--duration", "5d"],
        ["--received", "2026-02-13T16:10", "--duration", "5x"],
        ["--received", "2026-02-13T16:10", "--duration", "5d", "--cutoff", "3pm"],
        ["--received", "2026-02-13T16:10", "--duration", "5d", "--unit", "NOPE9"],
        ["--received", "2026-02-13T16:10"],
    ],
)
def test_subprocess_bad_input_exits_non_zero_with_one_line(migrated_db: dict[str, str], args: list[str]) -> None:
    done = run(migrated_db, *args)
    assert done.returncode != 0
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr


# --- issue 12, item 9: 24/11, Vietnamese Culture Day ---------------------------------------------------

def test_item9_culture_day_is_an_announcement_awaiting_the_labour_code(db) -> None:  # noqa: ANN001
    from motcua.workdays.announcements import announcement_basis

    basis = announcement_basis(dt.date(2026, 11, 24))
    assert basis is not None and "Nghị quyết 80-NQ/TW" in basis and "Bộ luật Lao động" in basis


def test_item9_duedate_explain_shows_the_culture_day_basis(db) -> None:  # noqa: ANN001
    lines = duedate("--received", "2026-11-23T09:00", "--duration", "2d", "--explain")
    assert lines[0] == "2026-11-26T09:00:00+07:00"
    assert "Bỏ qua 2026-11-24: Ngày Văn hóa Việt Nam (căn cứ: Nghị quyết 80-NQ/TW; chờ sửa đổi Điều 112 " \
           "Bộ luật Lao động (chưa có hiệu lực))" in lines


def test_item9_an_administrator_makes_the_culture_day_a_working_day_in_the_admin(client, db) -> None:  # noqa: ANN001
    from django.contrib.auth.models import User

    from motcua.units.calendars import calendar_for_unit

    admin = User.objects.create_superuser("quantri", password="mat-khau-quan-tri-1")
    client.force_login(admin)
    response = client.post("/admin/units/calendaroverride/add/", {
        "date": "2026-11-24", "is_working": "on", "reason": "Chưa có ngày nghỉ theo Bộ luật Lao động",
        "legal_basis": "Điều 112 Bộ luật Lao động 2019", "unit": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert calendar_for_unit(None).is_working_day(dt.date(2026, 11, 24))
    assert duedate("--received", "2026-11-23T09:00", "--duration", "2d") == ["2026-11-25T09:00:00+07:00"]
