"""Legacy import (docs/architecture.md, "import_dossiers"): what a good file writes, and what is refused."""
from __future__ import annotations

import csv
import datetime as dt
import fcntl
import io
import os
import pty
import random
import re
import sqlite3
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection

from motcua.catalog.models import Procedure
from motcua.dossiers import legacy
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.reports import rollups
from motcua.reports.form06 import compute_form06
from motcua.units.models import AdministrativeUnit
from motcua.workdays import TZ

ROOT = Path(__file__).resolve().parents[1]
HEADER = [
    "code", "procedure_code", "procedure_name", "unit_code", "level", "channel", "received_at", "due_at",
    "extended_due_at", "supplement_requests", "finished_at", "outcome", "returned_at", "applicant_name",
    "applicant_id", "applicant_phone",
]


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture(params=["batches", "bulk"], autouse=True)
def write_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test twice: written batch by batch into the indexed tables, and in bulk (the indexes,
    and on PostgreSQL the foreign and unique keys, taken away while writing and put back)."""
    monkeypatch.setattr(legacy, "bulk_pays", lambda _rows: request.param == "bulk")
    return request.param


def schema() -> list[tuple]:
    """The indexes and constraints of the tables an import writes, as the database has them."""
    tables = [m._meta.db_table for m in legacy.BulkWriter.MODELS]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [tables])
            found = cursor.fetchall()
            cursor.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), condeferrable, "
                           "condeferred, convalidated FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s)",
                           [tables])
            return sorted(found + cursor.fetchall())
        marks = ", ".join(["%s"] * len(tables))
        cursor.execute(f"SELECT tbl_name, name, sql FROM sqlite_master WHERE tbl_name IN ({marks})", tables)
        return sorted(cursor.fetchall())


@pytest.fixture
def units(db: None) -> dict[str, AdministrativeUnit]:
    """Codes 97.. are not real ones, so these do not collide with the loaded units."""
    legacy_to, current_from = dt.date(2025, 6, 30), dt.date(2025, 7, 1)
    old_province = AdministrativeUnit.objects.create(code="97", name="Tỉnh Thử", level="province",
                                                     valid_from=dt.date(2000, 1, 1), valid_to=legacy_to)
    district = AdministrativeUnit.objects.create(code="979", name="Huyện Thử", level="district", parent=old_province,
                                                 valid_from=dt.date(2000, 1, 1), valid_to=legacy_to)
    old_commune = AdministrativeUnit.objects.create(code="97901", name="Xã Cũ", level="commune", parent=district,
                                                    valid_from=dt.date(2000, 1, 1), valid_to=legacy_to)
    province = AdministrativeUnit.objects.create(code="97", name="Tỉnh Thử", level="province",
                                                 valid_from=current_from)
    commune = AdministrativeUnit.objects.create(code="97901", name="Xã Mới", level="commune", parent=province,
                                                valid_from=current_from)
    return {"old_province": old_province, "district": district, "old_commune": old_commune, "province": province,
            "commune": commune}


def row(**values: str) -> dict[str, str]:
    base = {"procedure_code": "1.000001", "procedure_name": "Thủ tục cũ", "unit_code": "979", "channel": "counter",
            "received_at": "2021-03-01T08:30", "due_at": "2021-03-08T17:00"}
    return {**base, **values}


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    header = header or HEADER
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def run(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_dossiers", str(path), *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue().strip()


def refused(path: Path, *args: str) -> tuple[str, list[str]]:
    """Run an import that must fail: (the CommandError message, the lines on stderr)."""
    err = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_dossiers", str(path), *args, stdout=io.StringIO(), stderr=err)
    return str(failure.value), err.getvalue().strip().splitlines()


GOOD = [
    row(code="A-1", finished_at="2021-03-05T10:00", outcome="approved", returned_at="2021-03-06T09:00",
        applicant_name="Nguyễn Văn A", applicant_id="001090000001", applicant_phone="0912345678"),
    row(code="A-2", procedure_code="2.000002", procedure_name="Thủ tục lạ", unit_code="97901", channel="online",
        received_at="2021-03-01T08:30:00+07:00", extended_due_at="2021-03-12T17:00", supplement_requests="2",
        finished_at="2021-03-11T10:00", outcome="refused"),
    row(code="A-3", unit_code="97", level="province", channel="postal", received_at="2025-08-04T14:00:00Z",
        due_at="2025-08-11T17:00", finished_at="2025-08-06T08:00", outcome="stopped"),
    row(code="A-4", received_at="2017-02-01T08:00", due_at="2017-02-10", finished_at="2017-02-03T09:00",
        outcome="withdrawn"),
    row(code="A-5", procedure_code="2.000002", procedure_name="", unit_code="97901", received_at="2025-09-01T08:00",
        due_at="2025-09-02T11:00", extended_due_at="2025-09-09T17:00"),
]


def test_a_good_file_is_imported_with_its_history(units: dict, tmp_path: Path) -> None:
    known = Procedure.objects.create(code="1.000001", name="Đăng ký khai sinh")
    out, err = run(write_csv(tmp_path / "good.csv", GOOD))
    assert out == "đã nhập 5 hồ sơ (bỏ qua 0 hồ sơ đã có), tạo 1 thủ tục tạm"
    assert err == ""
    d = {x.code: x for x in Dossier.objects.select_related("procedure", "unit")}
    assert set(d) == {"A-1", "A-2", "A-3", "A-4", "A-5"}
    assert all(x.imported for x in d.values())

    a1 = d["A-1"]
    assert (a1.status, a1.outcome, a1.procedure, a1.unit, a1.level, a1.channel, a1.regime) == (
        "returned", "approved", known, units["district"], "district", "counter", "2018")
    assert (a1.received_at, a1.clock_start, a1.due_at, a1.finished_at, a1.returned_at, a1.withdrawn_at) == (
        at("2021-03-01 08:30"), at("2021-03-01 08:30"), at("2021-03-08 17:00"), at("2021-03-05 10:00"),
        at("2021-03-06 09:00"), None)
    assert (a1.applicant_name, a1.applicant_id, a1.applicant_phone) == ("Nguyễn Văn A", "001090000001", "0912345678")
    assert [(e.seq, e.action, e.at, e.from_status, e.to_status, e.actor_label) for e in a1.events.all()] == [
        (1, "receive", at("2021-03-01 08:30"), "", "received", "nhập dữ liệu cũ"),
        (2, "resolve", at("2021-03-05 10:00"), "in_processing", "result_ready", "nhập dữ liệu cũ"),
        (3, "return", at("2021-03-06 09:00"), "result_ready", "returned", "nhập dữ liệu cũ"),
    ]
    assert (a1.version, a1.last_event_at) == (3, at("2021-03-06 09:00"))

    a2 = d["A-2"]
    stub = Procedure.objects.get(code="2.000002")
    assert (stub.is_stub, stub.name) == (True, "Thủ tục lạ")
    assert (a2.status, a2.procedure, a2.unit, a2.level, a2.channel, a2.supplement_requests) == (
        "refused", stub, units["old_commune"], "commune", "online", 2)
    assert (a2.due_at, a2.extended_due_at) == (at("2021-03-08 17:00"), at("2021-03-12 17:00"))
    events = list(a2.events.values_list("action", "at", "payload"))
    assert events == [
        ("receive", at("2021-03-01 08:30"), {}),
        ("apologize", at("2021-03-01 08:30"), {"original_due_at": "2021-03-08T17:00:00+07:00",
                                              "new_due_at": "2021-03-12T17:00:00+07:00", "imported": True}),
        ("refuse", at("2021-03-11 10:00"), {}),
    ]

    a3 = d["A-3"]  # 14:00Z is 21:00 in Hà Nội; the current unit version; the 2025 regime
    assert (a3.status, a3.received_at, a3.unit, a3.level, a3.channel, a3.regime) == (
        "stopped", at("2025-08-04 21:00"), units["province"], "province", "postal", "2025")
    a4 = d["A-4"]  # before 2018-06-21: the earliest modelled regime
    assert (a4.status, a4.outcome, a4.withdrawn_at, a4.finished_at, a4.regime, a4.due_at) == (
        "withdrawn", "withdrawn", at("2017-02-03 09:00"), at("2017-02-03 09:00"), "2018", at("2017-02-10 00:00"))
    assert list(a4.events.values_list("action", "to_status")) == [("receive", "received"), ("withdraw", "withdrawn")]
    a5 = d["A-5"]  # still in progress; due_at kept as given, not recomputed by the clock
    assert (a5.status, a5.finished_at, a5.outcome, a5.unit, a5.due_at, a5.version, a5.last_event_at) == (
        "in_processing", None, "", units["commune"], at("2025-09-02 11:00"), 2, at("2025-09-01 08:00"))
    assert DossierEvent.objects.count() == 3 + 3 + 2 + 2 + 2


def test_form06_reads_imported_dossiers(units: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Small batches, so increments of the same keys come from several batches.
    monkeypatch.setattr(legacy.pipeline, "BATCH_SIZE", 2)
    rows = [
        row(code="R-1", due_at="2021-03-08T17:00", finished_at="2021-03-05T10:00", outcome="approved"),  # early
        row(code="R-2", due_at="2021-03-08T17:00", finished_at="2021-03-08T16:00", outcome="refused"),  # on time
        row(code="R-3", due_at="2021-03-08T17:00", extended_due_at="2021-03-20T17:00",
            finished_at="2021-03-10T10:00", outcome="approved"),  # late: the apology does not change that
        row(code="R-4", channel="online", due_at="2021-03-08T17:00"),  # open, overdue on 2021-03-31
        row(code="R-5", channel="postal", finished_at="2021-03-02T10:00", outcome="withdrawn"),
    ]
    run(write_csv(tmp_path / "r.csv", rows))
    # The rollups written by the import agree with a recount from the dossiers' events...
    assert rollups.normalised(rollups.stored()) == rollups.normalised(rollups.recount())
    # ... and both sources of the report give the expected figures.
    for source in ("rollups", "dossiers"):
        totals = compute_form06("979", dt.date(2021, 3, 1), dt.date(2021, 3, 31), source=source)["totals"]
        assert {k: totals[k] for k in ("received_total", "received_online", "received_direct", "received_postal",
                                       "resolved_early", "resolved_on_time", "resolved_late", "in_progress_overdue",
                                       "withdrawn")} == {
            "received_total": 5, "received_online": 1, "received_direct": 3, "received_postal": 1,
            "resolved_early": 1, "resolved_on_time": 1, "resolved_late": 1, "in_progress_overdue": 1, "withdrawn": 1}


def random_rows(seed: int, n: int, prefix: str) -> list[dict[str, str]]:
    """Rows of every shape on few units, procedures and days, so that they share rollup keys."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        received = dt.datetime(2021, 3, 1, 7) + dt.timedelta(hours=rnd.randrange(24 * 40))
        due = received + dt.timedelta(hours=rnd.randrange(0, 24 * 15))
        values = {"code": f"{prefix}-{i}", "procedure_code": rnd.choice(("1.000001", "1.000002", "1.000003")),
                  "unit_code": rnd.choice(("979", "97901", "97")),
                  "channel": rnd.choice(("counter", "online", "postal")), "received_at": received.isoformat(),
                  "due_at": due.isoformat()}
        if values["unit_code"] == "97":
            values["level"] = "province"
        if rnd.random() < 0.2:
            values["extended_due_at"] = (due + dt.timedelta(days=3)).isoformat()
        if rnd.random() < 0.8:
            values["finished_at"] = (received + dt.timedelta(hours=rnd.randrange(1, 24 * 20))).isoformat()
            values["outcome"] = rnd.choice(("approved", "refused", "stopped", "withdrawn"))
        out.append(row(**values))
    return out


def test_rollups_of_two_imports_agree_with_a_recount(
    units: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second import adds to rollup rows the first one wrote (same units, procedures, days)."""
    monkeypatch.setattr(legacy.pipeline, "BATCH_SIZE", 37)
    before = schema()
    for seed, prefix in ((1, "P"), (2, "Q")):
        run(write_csv(tmp_path / f"{prefix}.csv", random_rows(seed, 300, prefix)))
        assert rollups.normalised(rollups.stored()) == rollups.normalised(rollups.recount())
    assert Dossier.objects.filter(imported=True).count() == 600
    assert schema() == before  # what a bulk write took away is back, as it was


def test_the_same_file_twice_adds_nothing(units: dict, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "good.csv", GOOD)
    run(path)
    before = (Dossier.objects.count(), DossierEvent.objects.count(), Procedure.objects.count())
    out, _err = run(path)
    assert out == "đã nhập 0 hồ sơ (bỏ qua 5 hồ sơ đã có), tạo 0 thủ tục tạm"
    assert (Dossier.objects.count(), DossierEvent.objects.count(), Procedure.objects.count()) == before
    assert rollups.normalised(rollups.stored()) == rollups.normalised(rollups.recount())


def test_values_with_tabs_backslashes_and_newlines_are_stored_as_given(units: dict, tmp_path: Path) -> None:
    """On PostgreSQL the dossiers go as COPY's text: what that format escapes must come back as it
    was — stored, and compared when the same row comes again (skipped) or changed (named)."""
    odd = {"applicant_name": "Lê\tVăn\\An\nB", "applicant_id": "0\\1\r2", "procedure_name": "Thủ\ttục\\cũ"}
    path = write_csv(tmp_path / "odd.csv", [row(code="T\\1", **odd)])
    assert run(path)[0] == "đã nhập 1 hồ sơ (bỏ qua 0 hồ sơ đã có), tạo 1 thủ tục tạm"
    d = Dossier.objects.get()
    assert (d.code, d.applicant_name, d.applicant_id, d.matter) == (
        "T\\1", odd["applicant_name"], odd["applicant_id"], odd["procedure_name"])
    assert run(path)[0] == "đã nhập 0 hồ sơ (bỏ qua 1 hồ sơ đã có), tạo 0 thủ tục tạm"
    changed = write_csv(tmp_path / "changed.csv", [row(code="T\\1", **{**odd, "applicant_name": "Lê\tVăn\\Ân"})])
    assert refused(changed)[1] == [
        "dòng 2, cột code: 'T\\\\1' đã có trong cơ sở dữ liệu với giá trị khác ở: applicant_name"]


def test_a_file_with_new_and_present_rows_imports_the_new_ones(units: dict, tmp_path: Path) -> None:
    run(write_csv(tmp_path / "first.csv", GOOD[:2]))
    out, _err = run(write_csv(tmp_path / "all.csv", GOOD))
    assert out == "đã nhập 3 hồ sơ (bỏ qua 2 hồ sơ đã có), tạo 0 thủ tục tạm"
    assert Dossier.objects.count() == 5
    assert rollups.normalised(rollups.stored()) == rollups.normalised(rollups.recount())


def test_dry_run_validates_and_writes_nothing(units: dict, tmp_path: Path) -> None:
    out, _err = run(write_csv(tmp_path / "good.csv", GOOD), "--dry-run")
    assert out == "chạy thử: sẽ nhập 5 hồ sơ (bỏ qua 0 hồ sơ đã có), sẽ tạo 2 thủ tục tạm; không ghi gì"
    assert (Dossier.objects.count(), DossierEvent.objects.count(), Procedure.objects.count()) == (0, 0, 0)
    message, lines = refused(write_csv(tmp_path / "bad.csv", [row(code="X", channel="fax")]), "--dry-run")
    assert lines == ["dòng 2, cột channel: 'fax' không thuộc: counter, online, postal"]


BAD_ROWS = [
    ("malformed instant", row(code="B", received_at="2021-13-01"),
     "dòng 3, cột received_at: không phải thời điểm ISO 8601: '2021-13-01'"),
    ("unknown unit", row(code="B", unit_code="97999"),
     "dòng 3, cột unit_code: không có đơn vị hành chính mã '97999'"),
    ("unit not valid on the receipt date", row(code="B", unit_code="979", received_at="2025-07-01T08:00",
                                                         due_at="2025-07-08T17:00"),
     "dòng 3, cột unit_code: đơn vị '979' không có hiệu lực ngày 2025-07-01 (hiệu lực 2000-01-01..2025-06-30)"),
    ("missing required value", row(code="B", due_at=""), "dòng 3, cột due_at: thiếu giá trị"),
    ("bad outcome", row(code="B", finished_at="2021-03-05T10:00", outcome="done"),
     "dòng 3, cột outcome: 'done' không thuộc: approved, refused, stopped, withdrawn"),
    ("outcome missing when finished", row(code="B", finished_at="2021-03-05T10:00"),
     "dòng 3, cột outcome: bắt buộc khi có finished_at"),
    ("finished before received", row(code="B", finished_at="2021-02-05T10:00", outcome="approved"),
     "dòng 3, cột finished_at: trước received_at"),
    ("item10 due before received", row(code="B", due_at="2021-02-26T17:00"),
     "dòng 3, cột due_at: trước received_at"),
    ("item10 extended due before received", row(code="B", extended_due_at="2021-02-27T17:00"),
     "dòng 3, cột extended_due_at: trước received_at"),
    ("returned before finished", row(code="B", finished_at="2021-03-05T10:00", outcome="approved",
                                     returned_at="2021-03-04T10:00"),
     "dòng 3, cột returned_at: trước finished_at"),
    ("negative supplement count", row(code="B", supplement_requests="-1"),
     "dòng 3, cột supplement_requests: không phải số nguyên ≥ 0: '-1'"),
    ("duplicate code in the file", row(code="OK-1"), "dòng 3, cột code: 'OK-1' trùng mã với dòng 2"),
]


@pytest.mark.parametrize(("label", "bad", "line"), BAD_ROWS, ids=[b[0] for b in BAD_ROWS])
def test_a_bad_row_is_named_and_nothing_is_written(
    units: dict, tmp_path: Path, label: str, bad: dict[str, str], line: str
) -> None:
    path = write_csv(tmp_path / "bad.csv", [row(code="OK-1", procedure_code="9.9"), bad, row(code="OK-2")])
    message, lines = refused(path)
    assert lines == [line]
    assert message == "1 dòng lỗi; không nhập gì"
    assert (Dossier.objects.count(), DossierEvent.objects.count(), Procedure.objects.count()) == (0, 0, 0)


def test_a_code_twice_is_named_as_the_file_has_it(units: dict, tmp_path: Path) -> None:
    """The codes of every row go to the database as text (COPY's on PostgreSQL): a code with the
    characters that text escapes comes back as it was."""
    code = "A\\B\tC"
    path = write_csv(tmp_path / "twice.csv", [row(code=code), row(code="OK-2"), row(code=code)])
    message, lines = refused(path)
    assert lines == [f"dòng 4, cột code: {code!r} trùng mã với dòng 2"]
    assert message == "1 dòng lỗi; không nhập gì"


def test_unknown_and_missing_columns_are_named(units: dict, tmp_path: Path) -> None:
    header = [c for c in HEADER if c != "due_at"] + ["ghi_chu"]
    message, lines = refused(write_csv(tmp_path / "h.csv", [row(code="X")], header=header))
    assert len(lines) == 1 and lines[0].startswith("dòng 1, cột ghi_chu: cột không có trong định dạng (các cột: code, ")
    assert lines[0].endswith("; cột due_at: thiếu cột bắt buộc")
    assert message == "1 dòng lỗi; không nhập gì"


def test_a_code_already_stored_with_other_values_is_a_bad_row(units: dict, tmp_path: Path) -> None:
    run(write_csv(tmp_path / "first.csv", GOOD[:1]))
    changed = {**GOOD[0], "outcome": "refused", "returned_at": ""}
    _message, lines = refused(write_csv(tmp_path / "second.csv", [GOOD[1], changed]))
    assert lines == ["dòng 3, cột code: 'A-1' đã có trong cơ sở dữ liệu với giá trị khác ở: outcome, "
                     "returned_at"]
    assert Dossier.objects.count() == 1 and Dossier.objects.get().outcome == "approved"


def test_every_bad_row_of_a_long_file_is_reported_in_order_and_all_is_rolled_back(
    units: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(legacy.pipeline, "BATCH_SIZE", 3)  # batches are written before the bad rows are reached
    rows = [row(code=f"L-{i}", procedure_code=f"5.{i}") for i in range(10)]
    rows[7]["channel"] = "fax"
    rows.append(row(code="L-2"))
    errors = tmp_path / "errors.csv"
    message, lines = refused(write_csv(tmp_path / "long.csv", rows), "--errors", str(errors))
    assert lines == ["dòng 9, cột channel: 'fax' không thuộc: counter, online, postal",
                     "dòng 12, cột code: 'L-2' trùng mã với dòng 4"]
    assert message == "2 dòng lỗi; không nhập gì"
    assert (Dossier.objects.count(), DossierEvent.objects.count(), Procedure.objects.count()) == (0, 0, 0)
    with errors.open(encoding="utf-8", newline="") as f:
        assert list(csv.reader(f)) == [
            ["row", "column", "reason"],
            ["9", "channel", "'fax' không thuộc: counter, online, postal"],
            ["12", "code", "'L-2' trùng mã với dòng 4"],
        ]


def test_errors_file_names_each_problem_of_a_row(units: dict, tmp_path: Path) -> None:
    errors = tmp_path / "errors.csv"
    bad = row(code="E-1", channel="fax", received_at="hôm qua")
    refused(write_csv(tmp_path / "bad.csv", [bad]), "--errors", str(errors))
    with errors.open(encoding="utf-8", newline="") as f:
        assert list(csv.reader(f))[1:] == [
            ["2", "channel", "'fax' không thuộc: counter, online, postal"],
            ["2", "received_at", "không phải thời điểm ISO 8601: 'hôm qua'"],
        ]


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "tệp rỗng: không có dòng tiêu đề"),
    (b"code,procedure_code\n\xff\xfe\n", "không phải văn bản UTF-8"),
])
def test_unreadable_files_are_one_line(db: None, tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    message, _lines = refused(path)
    assert message.startswith(f"{path}: {reason}")
    assert "\n" not in message


@pytest.mark.parametrize(("damage", "reason"), [
    (b"\xff", r"không phải văn bản UTF-8 \(gần dòng \d+\)"),
    # a quote never closed: a field past the csv module's limit
    (b',"' + b"x" * 140_000, r"dòng \d+: không phải CSV hợp lệ: field larger than field limit \(\d+\)"),
])
def test_a_file_unreadable_far_from_its_header_is_one_line(
    units: dict, tmp_path: Path, damage: bytes, reason: str
) -> None:
    """Past the first kilobytes the file is read by the reading process: its error comes back the
    same, as one line, and nothing is written."""
    path = write_csv(tmp_path / "far.csv", [row(code=f"F-{i}") for i in range(3000)])
    data = path.read_bytes()
    path.write_bytes(data[:200_000] + damage + data[200_000:])
    message, _lines = refused(path)
    assert re.fullmatch(f"{re.escape(str(path))}: {reason}", message)
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("failure", [
    OperationalError("server closed the connection unexpectedly\n\tThis probably means the server terminated"),
    OSError(28, "No space left on device"),
])
def test_an_import_failing_for_another_reason_is_one_line(
    db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: Exception
) -> None:
    """A dropped database connection or a full disk in the middle: one line saying nothing was imported."""
    def failing(*args: object, **kwargs: object) -> None:
        raise failure

    monkeypatch.setattr("motcua.dossiers.management.commands.import_dossiers.import_dossiers", failing)
    path = write_csv(tmp_path / "ok.csv", [row(code="D-1")])
    message, lines = refused(path)
    assert message.startswith(f"{path}: ") and "\n" not in message and message.endswith("không nhập gì" if isinstance(
        failure, OSError) else "chạy lại khi CSDL hoạt động")
    assert "Traceback" not in "\n".join(lines)


def test_missing_file(db: None, tmp_path: Path) -> None:
    message, _lines = refused(tmp_path / "nope.csv")
    assert message == f"{tmp_path / 'nope.csv'}: không có tệp này"


def test_command_line_exit_code_and_stderr_without_traceback(units: dict, tmp_path: Path) -> None:
    """The command as a user runs it: exit 1, one line per bad row, a last line, no traceback."""
    env = {**os.environ}
    if connection.vendor == "sqlite":  # the test database lives in memory: give the child a copy
        copy = tmp_path / "db.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(copy) as target:
            target.executescript("\n".join(connection.connection.iterdump()))
        env["DATABASE_URL"] = f"sqlite:///{copy}"
    else:
        s = connection.settings_dict
        env["DATABASE_URL"] = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    # The child sees only committed data (none on PostgreSQL): a row bad on its own.
    path = write_csv(tmp_path / "bad.csv", [row(code="C-1", received_at="2021-02-30T08:00")])
    done = subprocess.run([sys.executable, "manage.py", "import_dossiers", str(path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "dòng 2, cột received_at: không phải thời điểm ISO 8601: '2021-02-30T08:00'",
        "CommandError: 1 dòng lỗi; không nhập gì",
    ]


def child_database() -> dict[str, str]:
    """The environment of a child process that sees the test database (committed data only)."""
    env = {**os.environ}
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{s['NAME']}"
    else:
        env["DATABASE_URL"] = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    return env


def in_a_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run a command on a pseudo-terminal, as a user at a console does: (exit code, what it showed)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: a terminal of 24 lines of 100 columns (a new one has none)
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, *args], env)
    shown = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    _pid, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), shown.decode("utf-8", "replace")


@pytest.mark.django_db(transaction=True)
def test_a_terminal_shows_a_progress_bar_and_what_comes_after_the_rows(units: dict, tmp_path: Path) -> None:
    """On a terminal, the rows read as a bar, then what the import does once they all are (the
    units are committed here, for the child process to see them)."""
    rows = [row(code=f"T-{i}") for i in range(30)]
    path = write_csv(tmp_path / "t.csv", rows)
    code, shown = in_a_terminal(["manage.py", "import_dossiers", str(path), "--dry-run"], child_database())
    assert code == 0, shown
    assert "import_dossiers" in shown and "30/30" in shown and "100%" in shown  # the bar, full
    assert "tìm mã hồ sơ trùng" in shown  # the stage after the last row
    assert "chạy thử: sẽ nhập 30 hồ sơ" in shown.splitlines()[-1]
    assert not Dossier.objects.exists()  # a dry run


def test_an_imported_open_dossier_goes_on_through_the_services(units: dict, tmp_path: Path) -> None:
    from motcua.dossiers import services
    from motcua.dossiers.lifecycle import SYSTEM

    run(write_csv(tmp_path / "open.csv", [GOOD[4]]))
    d = services.perform(Dossier.objects.get(code="A-5"), "resolve", role=SYSTEM, at=at("2025-09-02 10:00"))
    assert (d.status, d.outcome, d.finished_at, d.version) == ("result_ready", "approved", at("2025-09-02 10:00"), 3)
    assert list(d.events.values_list("seq", "action")) == [(1, "receive"), (2, "apologize"), (3, "resolve")]
    assert rollups.normalised(rollups.stored()) == rollups.normalised(rollups.recount())


def test_only_a_large_import_goes_in_bulk(units: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bulk (indexes rebuilt, tables locked) pays for a large file, not for a few rows, nor for a
    file small beside the dossiers already stored."""
    from motcua.dossiers.legacy import writer

    assert writer.bulk_pays(writer.BULK_MIN_ROWS)  # an empty table
    assert not writer.bulk_pays(writer.BULK_MIN_ROWS - 1)
    run(write_csv(tmp_path / "ten.csv", [row(code=f"S-{i}") for i in range(10)]))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what PostgreSQL's estimate of the table's rows reads
            cursor.execute(f"ANALYZE {Dossier._meta.db_table}")
    monkeypatch.setattr(writer, "BULK_MIN_ROWS", 2)
    assert not writer.bulk_pays(2)  # 2 rows beside 10: less than a quarter
    assert writer.bulk_pays(3)


def test_values_too_long_are_named_not_a_crash(units: dict, tmp_path: Path) -> None:
    """A code longer than any stored one still goes through the checks (twice in the file...)."""
    long_code = "X" * 61
    path = write_csv(tmp_path / "long.csv", [row(code=long_code), row(code="L-2", applicant_name="n" * 201),
                                             row(code=long_code)])
    message, lines = refused(path)
    assert message == "3 dòng lỗi; không nhập gì"
    assert lines == [
        "dòng 2, cột code: dài quá 60 ký tự",
        "dòng 3, cột applicant_name: dài quá 200 ký tự",
        f"dòng 4, cột code: {long_code!r} trùng mã với dòng 2; cột code: dài quá 60 ký tự",
    ]
    assert not Dossier.objects.exists()


def test_the_events_the_database_makes_are_those_of_events_for(units: dict, tmp_path: Path) -> None:
    """The import has the database make each dossier's events from its row (``events_sql``); they
    must be exactly ``rows.events_for``'s, the Python statement of them: every shape of row, with
    offsets and fractions of a second in the instants."""
    rows = random_rows(3, 200, "E")
    for i, values in enumerate(rows[:40]):  # fractions of a second and other offsets
        stamp = dt.datetime.fromisoformat(values["due_at"]) + dt.timedelta(microseconds=1 + 7919 * i)
        values["due_at"] = f"{stamp.isoformat()}{'+00:00' if i % 2 else ''}"
        values["extended_due_at"] = (stamp + dt.timedelta(days=2, microseconds=i)).isoformat()
    rows = [{k: v for k, v in r.items() if k != "returned_at"} for r in rows]
    for values in rows[::3]:
        if values.get("outcome") in ("approved", "refused"):
            finished = dt.datetime.fromisoformat(values["finished_at"])
            values["returned_at"] = (finished + dt.timedelta(hours=5)).isoformat()
    path = write_csv(tmp_path / "e.csv", rows)
    run(path)
    parser = legacy.rows.RowParser(HEADER, legacy.rows.UnitIndex())
    with path.open(encoding="utf-8", newline="") as stream:
        records = list(csv.reader(stream))[1:]
    expected = {}
    for row_no, record in enumerate(records, start=2):
        parsed = parser.parse(row_no, record)
        assert isinstance(parsed, legacy.LegacyRow), parsed
        expected[parsed.code] = [
            (seq, action, when.replace(tzinfo=TZ), from_status, to_status, payload or {}, "nhập dữ liệu cũ")
            for seq, (action, when, from_status, to_status, payload) in enumerate(legacy.events_for(parsed), start=1)]
    stored: dict[str, list[tuple]] = {}
    for e in DossierEvent.objects.select_related("dossier").order_by("dossier__code", "seq"):
        stored.setdefault(e.dossier.code, []).append(
            (e.seq, e.action, e.at, e.from_status, e.to_status, e.payload, e.actor_label))
    assert stored == expected
    assert sum(1 for events in expected.values() for e in events if e[1] == "apologize") >= 40
    assert any(e[1] == "return" for events in expected.values() for e in events)
    versions = dict(Dossier.objects.values_list("code", "version"))
    latest = dict(Dossier.objects.values_list("code", "last_event_at"))
    assert versions == {code: len(events) for code, events in expected.items()}
    assert latest == {code: events[-1][2] for code, events in expected.items()}
