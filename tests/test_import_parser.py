"""The import's two row parsers held against each other: the quick one (``RowParser._good``) takes
exactly the rows the careful one (``RowParser._checked``) finds valid, with the same values, and
leaves every other row to it."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from motcua.dossiers.legacy.rows import COLUMNS, LegacyRow, RowParser, UnitIndex
from motcua.units.models import AdministrativeUnit

# For each column: values good on their own (some with spaces around), and bad ones.
VALUES = {
    "code": (["A-1", " B-2 ", "C-3"], ["", "x" * 61]),
    "procedure_code": (["1.000001", " 2.000002"], ["", "p" * 31]),
    "procedure_name": (["", "Thủ tục cũ"], ["n" * 501]),
    "unit_code": (["979", "97901", "97", " 979 "], ["99999", ""]),
    "level": (["", "province", "district", "commune"], ["town"]),
    "channel": (["counter", "online", "postal", " online "], ["fax", ""]),
    "received_at": (["2021-03-01T08:30", "2025-08-04T14:00:00Z", "2021-03-01T08:30:00+07:00", "2017-02-01T08:00",
                     "2025-09-01 08:00", "2025-06-30T23:30:00-01:00"], ["2021-02-30T08:00", "", "yesterday"]),
    "due_at": (["2021-03-08T17:00", "2025-08-11T17:00", "2021-03-08"], ["", "soon"]),
    "extended_due_at": (["", "2021-03-12T17:00"], ["later"]),
    "supplement_requests": (["", "0", "2", " 3 ", "1_0"], ["-1", "x", "40000"]),
    "finished_at": (["", "2021-03-05T10:00", "2025-08-06T08:00", "2025-09-01T07:00:00Z"], ["bad", "2021-02-01T10:00"]),
    "outcome": (["", "approved", "refused", "stopped", "withdrawn"], ["lost"]),
    "returned_at": (["", "2021-03-06T09:00", "2025-08-07T08:00"], ["bad", "2021-03-01T09:00"]),
    "applicant_name": (["", "Nguyễn Văn A"], ["x" * 201]),
    "applicant_id": (["", "001090000001"], ["9" * 21]),
    "applicant_phone": (["", "0912345678"], ["0" * 21]),
}


def value(good: list[str], bad: list[str]) -> st.SearchStrategy[str]:
    """A good value nine times in ten: rows valid as a whole come often enough."""
    return st.tuples(st.integers(0, 9), st.sampled_from(good), st.sampled_from(bad)).map(
        lambda t: t[1] if t[0] else t[2])


@pytest.fixture
def parser(db: None) -> RowParser:
    """Units of a test province (codes 97.. are not real ones): the old tree until 2025-06-30, the new after."""
    old, new = dt.date(2025, 6, 30), dt.date(2025, 7, 1)
    province = AdministrativeUnit.objects.create(code="97", name="Tỉnh Thử", level="province",
                                                 valid_from=dt.date(2000, 1, 1), valid_to=old)
    district = AdministrativeUnit.objects.create(code="979", name="Huyện Thử", level="district", parent=province,
                                                 valid_from=dt.date(2000, 1, 1), valid_to=old)
    AdministrativeUnit.objects.create(code="97901", name="Xã Cũ", level="commune", parent=district,
                                      valid_from=dt.date(2000, 1, 1), valid_to=old)
    new_province = AdministrativeUnit.objects.create(code="97", name="Tỉnh Thử", level="province", valid_from=new)
    AdministrativeUnit.objects.create(code="97901", name="Xã Mới", level="commune", parent=new_province,
                                      valid_from=new)
    return RowParser(list(COLUMNS), UnitIndex())


records = st.fixed_dictionaries({c: value(*v) for c, v in VALUES.items()}).map(
    lambda values: [values[c] for c in COLUMNS])


@pytest.mark.slow  # 3,000 examples
@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(record=records, cut=st.sampled_from([0, 0, 0, 1, -1]))
def test_the_quick_parser_takes_exactly_the_valid_rows(parser: RowParser, record: list[str], cut: int) -> None:
    if cut == 1:
        record = [*record, "extra"]
    elif cut == -1:
        record = record[:-1]
    careful = parser._checked(7, list(record))
    quick = parser._good(7, list(record))
    assert quick == (careful if isinstance(careful, LegacyRow) else None)
    assert parser.parse(7, list(record)) == careful
    event("valid" if quick else "invalid")  # hypothesis --hypothesis-show-statistics: both, often


def test_both_parsers_see_valid_and_invalid_rows(parser: RowParser) -> None:
    """The values above make both kinds: the property above is not vacuous."""
    good = ["A-1", "1.000001", "979", "counter", "2021-03-01T08:30", "2021-03-08T17:00", "", "", "", "", "", "", "",
            "", "", ""]
    assert isinstance(parser._good(2, list(good)), LegacyRow)
    bad = [*good[:4], "2021-02-30T08:00", *good[5:]]
    assert parser._good(2, list(bad)) is None
    assert parser._checked(2, list(bad)) == [("received_at", "không phải thời điểm ISO 8601: '2021-02-30T08:00'")]


def test_the_reading_thread_ends_when_the_importer_stops_first() -> None:
    """An importer that stops (an error of its own) while the reader fails with a full queue must
    not wait for the reader forever."""
    import threading

    from motcua.dossiers.legacy.pipeline import in_background

    failed = threading.Event()

    def items():  # noqa: ANN202 - a generator of ints
        yield 1
        yield 2
        failed.set()
        raise ValueError("unreadable")

    batches = in_background(items(), ahead=1)  # type: ignore[arg-type]
    assert next(batches) == 1
    assert failed.wait(5)  # 2 fills the queue; the reader has failed and holds its error
    closing = threading.Thread(target=batches.close)
    closing.start()
    closing.join(5)
    assert not closing.is_alive()


def test_the_reading_process_hands_over_its_items_and_its_error() -> None:
    """What the forked reader makes arrives in order; an error raised there is raised here."""
    from motcua.dossiers.legacy.pipeline import in_process

    def items():  # noqa: ANN202 - a generator of ints
        yield from range(3)
        raise ValueError("unreadable")

    got = []
    with pytest.raises(ValueError, match="unreadable"):
        for item in in_process(items()):  # type: ignore[arg-type]
            got.append(item)
    assert got == [0, 1, 2]


def test_the_reading_process_ends_when_the_importer_stops_first() -> None:
    """An importer that stops taking batches (an error of its own) must not wait for the reader,
    which may be blocked on a full pipe."""
    import multiprocessing
    import time

    from motcua.dossiers.legacy.pipeline import in_process

    def items():  # noqa: ANN202 - endless, and each item larger than a pipe holds
        while True:
            yield "x" * 1_000_000

    batches = in_process(items())  # type: ignore[arg-type]
    next(batches)
    assert [p.name for p in multiprocessing.active_children()] == ["import-reader"]
    started = time.monotonic()
    batches.close()
    assert time.monotonic() - started < 5
    assert multiprocessing.active_children() == []  # the reader has ended, and was waited for
