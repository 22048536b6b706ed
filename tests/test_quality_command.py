"""quality_index: the index, rankings, drill-down and timing from the shell, as JSON."""
from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from motcua.quality.compute import compute_index
from motcua.quality.rankings import rank_units
from tests.factories import make_world
from tests.test_quality import MARCH, build

pytestmark = pytest.mark.django_db


def run(*args: str) -> object:
    out = io.StringIO()
    call_command("quality_index", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def scenario():
    return build(make_world())


def test_index_drill_rank_and_timing(scenario):
    w, n = scenario.world, scenario.named
    period = ["--from", MARCH[0].isoformat(), "--to", MARCH[1].isoformat()]
    index = run("--unit", w.commune.code, *period)
    assert index["points"] == pytest.approx(compute_index(w.commune.code, *MARCH)["points"])
    drilled = run("--unit", w.commune.code, *period, "--drill", "2.1")
    assert {row["code"] for row in drilled} == {n["late"].code, n["two_supplements"].code, n["open_overdue"].code}
    ranked = run("--unit", w.province.code, *period, "--rank", "--min-dossiers", "1")
    # The neighbour's only dossier was late: Xã Một ranks first.
    positions = [(row["code"], row["position"]) for row in ranked]
    assert positions == [(w.commune.code, "1/2"), (w.other_commune.code, "2/2")]
    assert ranked == rank_units(w.province.code, *MARCH, min_dossiers=1)
    timing = run("--unit", w.commune.code, *period, "--timing", w.procedure.code)
    assert timing["procedure"]["code"] == w.procedure.code and timing["steps"]


@pytest.mark.parametrize(("args", "message"), [
    (["--unit", "ZZ7", "--from", "2026-03-01", "--to", "2026-03-31"], "ZZ7"),
    (["--unit", "99", "--from", "2026-13-01", "--to", "2026-03-31"], "2026-13-01"),
    (["--unit", "99", "--from", "2026-04-01", "--to", "2026-03-31"], "không sau"),
])
def test_bad_input_is_a_command_error(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("quality_index", *args, stdout=io.StringIO())
