"""The PAR index demo: the example set, the demo communes' assessments with computed sub-criteria, and
the seeds' districts ranked as the seeds say; idempotent."""
from __future__ import annotations

import pytest

from motcua.parindex import demo, scoring
from motcua.parindex.models import Assessment, IndexSet

pytestmark = pytest.mark.django_db


def test_load_demo_builds_the_seeds_rankings_and_is_idempotent() -> None:
    first = demo.load_demo()
    assert first["index_sets"] == 4 and first["commune_assessments"] == 2
    assert (first["vu_quang_2022"], first["me_linh_2021_2023"]) == (13, 60)
    vu_quang = Assessment.objects.get(unit__name="Huyện Vũ Quang", year=2022)
    assert (str(scoring.result(vu_quang).index), scoring.rank_of(vu_quang)) == ("89.30", (12, 13))
    assert {x["reason"] for x in scoring.lost(vu_quang)} == {
        "Không có sáng kiến kinh nghiệm cấp tỉnh", "Có cán bộ, công chức bị kiểm điểm, xem xét kỷ luật",
        "Số lượng lãnh đạo tại 1 đơn vị chưa đúng quy định"}
    peers = scoring.ranking(vu_quang.index_set)  # the real units of Hà Tĩnh, Lộc Hà (merged in 2025) added back
    assert {"Huyện Lộc Hà", "Huyện Hương Sơn", "Thị xã Kỳ Anh"} <= {r["unit"].name for r in peers}
    assert all(r["unit"].parent.name == "Tỉnh Hà Tĩnh" for r in peers)
    me_linh = Assessment.objects.get(unit__name="Huyện Mê Linh", year=2023)
    assert scoring.rank_of(me_linh) == (13, 30) and scoring.rank_change(me_linh, 2021) == 10
    assert all(r["unit"].parent.name == "Thành phố Hà Nội" for r in scoring.ranking(me_linh.index_set))
    commune = IndexSet.objects.get(code="vi-du-cap-xa-2025").assessments.first()
    assert commune.status == "draft" and commune.scores.filter(computed_at__isnull=False).count() == 4
    counts = (Assessment.objects.count(), IndexSet.objects.count())
    assert demo.load_demo() == {"index_sets": 0, "commune_assessments": 0, "vu_quang_2022": 0, "me_linh_2021_2023": 0}
    assert (Assessment.objects.count(), IndexSet.objects.count()) == counts

