"""`python manage.py report` (docs/architecture.md, "report"): formats, output file, bad input."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.reports import rollups
from motcua.reports.form06 import COUNT_KEYS
from motcua.units.models import AdministrativeUnit

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture
def district() -> AdministrativeUnit:
    legacy = {"valid_from": dt.date(2004, 1, 1), "valid_to": dt.date(2025, 6, 30)}
    d = AdministrativeUnit.objects.create(code="ZY1", name="Huyện Thử", level="district", **legacy)
    c = AdministrativeUnit.objects.create(code="ZY101", name="Xã Thử", level="commune", parent=d, **legacy)
    proc = Procedure.objects.create(code="9.000001", name="Thủ tục thử", legal_minutes=480)
    deltas = rollups.Deltas()
    rows = [
        (d, at("2021-02-01T09:00"), at("2021-02-02T09:00"), at("2021-02-02T08:00")),
        (d, at("2021-02-01T09:00"), at("2021-02-02T09:00"), at("2021-02-04T08:00")),
        (c, at("2021-03-01T09:00"), at("2021-03-02T09:00"), None),
    ]
    for n, (unit, received, due, finished) in enumerate(rows):
        dossier = Dossier.objects.create(
            code=f"CMD-{n}", regime="2018", procedure=proc, unit=unit, level=unit.level, channel="counter",
            status="result_ready" if finished else "in_processing", received_at=received, due_at=due,
            finished_at=finished, outcome="approved" if finished else "",
        )
        rollups.add_final_state(dossier, deltas)  # made without the services: the rollups get its history
    deltas.write()
    return d


def run(*args: str) -> str:
    buf = io.StringIO()
    call_command("report", *args, stdout=buf)
    return buf.getvalue()


BASE = ("--unit", "ZY1", "--from", "2021-01-01", "--to", "2021-09-15")


def test_json_is_one_object_with_vietnamese_unescaped(district):
    text = run(*BASE, "--by", "level")
    assert "Huyện Thử" in text and "Cấp huyện" in text  # ensure_ascii=False
    out = json.loads(text)
    assert out["unit"] == {"code": "ZY1", "name": "Huyện Thử"}
    rows = {r["key"]: r for r in out["rows"]}
    assert rows["district"]["resolved_on_time"] == 1 and rows["district"]["resolved_late"] == 1
    assert rows["commune"]["in_progress_overdue"] == 1
    assert out["totals"]["on_time_rate"] == pytest.approx(1 - 2 / 3)


def test_as_of_option_without_offset_is_local_time(district):
    out = json.loads(run(*BASE, "--as-of", "2021-02-03T12:00"))
    assert out["as_of"] == "2021-02-03T12:00:00+07:00"
    t = out["totals"]
    assert (t["resolved_total"], t["in_progress_total"], t["in_progress_overdue"]) == (1, 1, 1)
    assert out["rows"] == []


def test_csv_has_header_rows_and_totals(district):
    lines = list(csv.reader(io.StringIO(run(*BASE, "--by", "child", "--format", "csv"))))
    assert lines[0] == ["key", "label", *COUNT_KEYS, "on_time_rate"]
    assert [line[0] for line in lines[1:]] == ["ZY1", "ZY101", "total"]
    assert lines[-1][2] == "3"


def test_xlsx_to_a_file(district, tmp_path):
    target = tmp_path / "mau06.xlsx"
    assert run(*BASE, "--by", "child", "--format", "xlsx", "--output", str(target)) == ""
    with zipfile.ZipFile(target) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
    for text in ("Số hồ sơ nhận giải quyết", "Số hồ sơ đã giải quyết", "Số hồ sơ đang giải quyết", "Huyện Thử",
                 "Xã Thử", "Tổng cộng"):
        assert text in strings


def test_json_to_a_file(district, tmp_path):
    target = tmp_path / "out.json"
    assert run(*BASE, "--output", str(target)) == ""
    assert json.loads(target.read_text(encoding="utf-8"))["totals"]["received_total"] == 3


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--unit", "ZY1", "--from", "2021-13-01", "--to", "2021-09-15"), "--from"),
        (("--unit", "ZY1", "--from", "20210101", "--to", "2021-09-15"), "--from"),
        (("--unit", "ZY1", "--from", "2021-09-16", "--to", "2021-09-15"), "--from"),
        (("--unit", "QQQ", "--from", "2021-01-01", "--to", "2021-09-15"), "QQQ"),
        ((*BASE, "--by", "evil"), "--by"),
        ((*BASE, "--format", "pdf"), "--format"),
        ((*BASE, "--as-of", "yesterday"), "--as-of"),
        ((*BASE, "--as-of", "2020-06-01T00:00"), "--as-of"),
        ((*BASE, "--output", "/nonexistent-dir/x.json"), "--output"),
    ],
)
def test_bad_input_is_a_command_error(district, args, needle):
    with pytest.raises(CommandError, match=needle):
        run(*args)


def test_bad_input_from_the_shell_is_one_line_on_stderr(tmp_path):
    # Both are refused before the database is read, so an empty database will do.
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    for args in (
        ["--unit", "06", "--from", "2021-02-30", "--to", "2021-09-15"],
        ["--unit", "06", "--from", "2021-01-01"],  # --to missing
    ):
        done = subprocess.run([sys.executable, "manage.py", "report", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        assert done.returncode != 0
        assert done.stdout == ""
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, done.stderr
        assert "Traceback" not in done.stderr
