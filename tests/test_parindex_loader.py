"""Criteria sets as data files: the example loads (marked as an example); a bad file is refused whole
with every bad entry named by its line, nothing written; a set is its year, level and decision — loading
it again updates it until it is assessed, then the same content changes nothing and another is refused."""
from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from motcua.parindex import loader, services
from motcua.parindex.models import IndexSet, SubCriterion
from tests.factories import make_world

pytestmark = pytest.mark.django_db
EXAMPLE = Path(__file__).resolve().parents[1] / "motcua/parindex/sets/example-commune-2025.yaml"
TEXT = EXAMPLE.read_text(encoding="utf-8")
FIELD5 = '- code: "5"'


def _line(text: str, fragment: str) -> int:
    return next(n for n, row in enumerate(text.splitlines(), start=1) if fragment in row)


def test_the_example_set_loads_with_its_bands_and_computed_metrics() -> None:
    out = io.StringIO()
    call_command("load_index_set", str(EXAMPLE), stdout=out)
    s = IndexSet.objects.get()
    assert (s.year, s.level, s.decision_number, s.is_example, s.max_points) == (2025, "commune", "VÍ DỤ", True,
                                                                                Decimal(100))
    assert [(b["band"], b["min"]) for b in s.bands] == [("A", 90), ("B", 80), ("C", 0)]
    computed = dict(s.subcriteria.filter(method="computed").values_list("metric", "full_at"))
    assert computed == {"on_time_rate": Decimal("0.98"), "online_share": Decimal("0.8"),
                        "apologies_sent": Decimal("1"), "satisfaction": Decimal("0.95")}
    assert s.subcriteria.filter(method="survey").count() == 1
    for field in s.fields.all():  # the file's sums hold in the database
        assert field.max_points == sum(c.max_points for c in field.criteria.all())
        for c in field.criteria.all():
            assert c.max_points == sum(x.max_points for x in c.subcriteria.all())
    assert "22 tiêu chí thành phần" in out.getvalue()


def test_a_bad_file_is_refused_whole_every_entry_named_by_its_line(tmp_path) -> None:  # noqa: ANN001
    bad = (TEXT.replace('{code: "1.2.2", name: Nội dung báo cáo đầy đủ, max: 1, method: appraised}',
                        '{code: "1.2.2", name: Nội dung báo cáo đầy đủ, max: 1, method: guessed}')
           .replace('{code: "3.1.1", name: Không vượt số lượng cấp phó, max: 5, method: self_assessed}',
                    '{code: "3.1.1", name: Không vượt số lượng cấp phó, method: self_assessed}')
           .replace('{code: "4.2.1", name: Đánh giá đúng quy định, max: 6,', '{code: "4.1.2", name: Đánh giá đúng quy '
                    'định, max: 6,')
           .replace('max: 8, method: computed, metric: on_time_rate, full_at: 0.98',
                    'max: 8, method: computed, metric: on_time_rate, full_at: 1.5')
           .replace("    name: Cải cách tài chính công\n    max: 8", "    name: Cải cách tài chính công\n    max: 9"))
    path = tmp_path / "bad.yaml"
    path.write_text(bad, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="5 lỗi, không ghi gì"):
        call_command("load_index_set", str(path), "--dry-run", stderr=err)
    assert err.getvalue().splitlines() == [  # in the file's order
        f"dòng {_line(bad, '1.2.2')}: phương pháp 'guessed' không thuộc self_assessed, appraised, survey, computed",
        f"dòng {_line(bad, 'full_at: 1.5')}: full_at 1.5 phải là tỷ lệ lớn hơn 0 và không quá 1",
        f"dòng {_line(bad, '3.1.1')}: tiêu chí thành phần 3.1.1: thiếu điểm tối đa (max)",
        f"dòng {_line(bad, 'Đánh giá đúng quy')}: mã 4.1.2 trùng với dòng {_line(bad, 'Kiểm tra công vụ')}",
        f"dòng {_line(bad, FIELD5)}: lĩnh vực 5: điểm tối đa 9 khác tổng các mục con 8",
    ]
    with pytest.raises(CommandError):
        call_command("load_index_set", str(path), stderr=io.StringIO())
    assert not IndexSet.objects.exists() and not SubCriterion.objects.exists()
    with pytest.raises(loader.SetError, match="cần danh sách sub không rỗng"):
        loader.load(TEXT.replace('''        sub:
          - {code: "5.1.1", name: Công khai ngân sách, max: 4, method: self_assessed}
          - {code: "5.1.2", name: Thực hiện cơ chế tự chủ, max: 4, method: self_assessed}''', "        sub: []"))
    call_command("load_index_set", str(EXAMPLE), "--dry-run", stdout=io.StringIO())
    assert not IndexSet.objects.exists()  # a dry run writes nothing


def test_reloading_updates_until_assessed_then_is_idempotent_or_refused() -> None:
    first = loader.load(TEXT)
    again = loader.load(TEXT.replace("name: Bộ chỉ số CCHC cấp xã (ví dụ)", "name: Bộ chỉ số cấp xã (sửa tên)")
                        .replace("max: 2, method: self_assessed}", "max: 2, method: self_assessed, evidence: true}"))
    assert again.pk == first.pk and IndexSet.objects.count() == 1 and again.name == "Bộ chỉ số cấp xã (sửa tên)"
    assert again.subcriteria.count() == 22 and again.subcriteria.get(code="1.2.1").evidence_required
    w = make_world()
    a = services.start(again, w.commune)
    edited = (TEXT.replace("name: Bộ chỉ số CCHC cấp xã (ví dụ)", "name: Bộ chỉ số cấp xã (sửa tên)")
              .replace("max: 2, method: self_assessed}", "max: 2, method: self_assessed, evidence: true}"))
    same = loader.load(edited)
    assert same.pk == first.pk and a.scores.count() == 22  # nothing replaced under the assessment
    with pytest.raises(loader.SetError, match="đã có bản đánh giá"):
        loader.load(TEXT)  # evidence no longer required: a change
    with pytest.raises(loader.SetError, match="đã có bản đánh giá"):
        loader.load(edited.replace("min: 90", "min: 85"))  # the bands too
    assert SubCriterion.objects.get(index_set=first, code="1.2.1").evidence_required
    with pytest.raises(loader.SetError, match="mã bộ chỉ số vi-du-cap-xa-2025 đã dùng"):
        loader.load(TEXT.replace('number: "VÍ DỤ"', 'number: "12/QĐ-UBND"'))
    other = loader.load(TEXT.replace('number: "VÍ DỤ"', 'number: "12/QĐ-UBND"').replace(
        "code: vi-du-cap-xa-2025", "code: xa-2025-qd12"))
    assert other.pk != first.pk and IndexSet.objects.count() == 2
