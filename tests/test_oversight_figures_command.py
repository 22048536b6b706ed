"""``manage.py oversight_figures`` as the interface promises: one JSON object on stdout; an unknown
unit or a bad date exits non-zero with one line on stderr."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from tests.test_duedate_command import ROOT, migrated_db  # noqa: F401 - the migrated database of a child process


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


def test_subprocess_json_and_one_line_errors(migrated_db: dict[str, str]) -> None:  # noqa: F811
    done = _run(migrated_db, "--unit", "08", "--from", "2026-01-01", "--to", "2026-12-31")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    for key in ("inspections_done", "targets_planned", "targets_inspected", "coverage", "plan_tasks_total",
                "plan_tasks_done", "recommendations_total", "recommendations_done", "recommendations_overdue",
                "internal_procedures_planned", "internal_procedures_simplified", "par_index", "par_rank",
                "par_peers"):
        assert key in body, key
    assert (body["unit"], body["inspections_done"], body["coverage"], body["par_index"]) == ("08", 0, None, None)
    bad = _run(migrated_db, "--unit", "NOPE9", "--from", "2026-01-01", "--to", "2026-12-31")
    assert bad.returncode != 0 and bad.stdout == ""
    assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr
