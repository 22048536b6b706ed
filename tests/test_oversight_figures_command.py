"""``manage.py oversight_figures`` as the interface promises: one JSON object on stdout; an unknown
unit or a bad date exits non-zero with one line on stderr."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from motcua.units.models import AdministrativeUnit
from tests.subprocess_support import child_env

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def env(django_db_setup: None, django_db_blocker, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN001, ANN201
    """A child process's database holding one unit (committed, whatever earlier tests flushed)."""
    with django_db_blocker.unblock():
        unit, _ = AdministrativeUnit.objects.get_or_create(code="ZFIG1", valid_from=dt.date(2000, 1, 1),
                                                           defaults={"name": "Tỉnh Số Liệu", "level": "province"})
        yield child_env(tmp_path_factory)
        unit.delete()


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "manage.py", "oversight_figures", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("args", "names"), [
    (["--unit", "NOPE9", "--from", "2024-01-01", "--to", "2024-12-31"], "--unit"),
    (["--unit", "08", "--from", "2024-13-01", "--to", "2024-12-31"], "--from"),
    (["--unit", "08", "--from", "2024-01-01", "--to", "31/12/2024"], "--to"),
    (["--unit", "08", "--from", "2024-06-01", "--to", "2024-01-01"], "--to"),
])
def test_bad_input_names_the_option(db, args: list[str], names: str) -> None:  # noqa: ANN001
    with pytest.raises(CommandError, match=names):
        call_command("oversight_figures", *args)


def test_subprocess_json_and_one_line_errors(env: dict[str, str]) -> None:
    done = _run(env, "--unit", "ZFIG1", "--from", "2026-01-01", "--to", "2026-12-31")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    for key in ("inspections_done", "targets_planned", "targets_inspected", "coverage", "plan_tasks_total",
                "plan_tasks_done", "recommendations_total", "recommendations_done", "recommendations_overdue",
                "internal_procedures_planned", "internal_procedures_simplified", "par_index", "par_rank",
                "par_peers"):
        assert key in body, key
    assert (body["unit"], body["inspections_done"], body["coverage"], body["par_index"]) == ("ZFIG1", 0, None, None)
    bad = _run(env, "--unit", "NOPE9", "--from", "2026-01-01", "--to", "2026-12-31")
    assert bad.returncode != 0 and bad.stdout == ""
    assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr
