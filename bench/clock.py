"""Benchmark of the clock: µs per due-instant computation, against ``holidays``' own get_nth_working_day.

    .venv/bin/python bench/clock.py [--n 20000] [--seed 1]

Receipts are random minutes over 2024–2026 (Asia/Ho_Chi_Minh), durations random whole working
days; each row uses the same receipts and the same day counts for every method:

- ``motcua start+add``: ``cal.add_working_time(cal.start_of_clock(received), days * 480)``
  (what dossiers/services.py does; minute precision, aware datetimes in and out);
- ``holidays nth``: ``HolidayBase.get_nth_working_day(received.date(), days)`` — days only, no hours,
  no sessions, no cut-off (it walks day by day, so it grows with the day count).
"""
from __future__ import annotations

import argparse
import gc
import pathlib
import random
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import holidays  # noqa: E402

from motcua.workdays import ANNOUNCEMENTS, TZ, Calendar  # noqa: E402

DAY_COUNTS = (1, 2, 3, 5, 7, 10, 15, 20, 30, 45)


def per_call_us(fn: Callable[[], None], calls: int, repeat: int = 7) -> float:
    """Best of ``repeat`` runs (the least disturbed by other processes), garbage collector off."""
    best = float("inf")
    gc.disable()
    try:
        for _ in range(repeat):
            started = time.process_time()  # CPU time of this process: other processes' load does not count
            fn()
            best = min(best, time.process_time() - started)
    finally:
        gc.enable()
    return best / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000, help="receipts per row")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    rng = random.Random(options.seed)

    started = time.perf_counter()
    cal = Calendar.national(  # as motcua.units.calendars builds it, without database overrides
        extra_non_working=[(day, why) for day, working, why, _basis in ANNOUNCEMENTS if not working],
        extra_working=[(day, why) for day, working, why, _basis in ANNOUNCEMENTS if working],
    )
    build_ms = (time.perf_counter() - started) * 1e3
    known = holidays.country_holidays("VN", years=range(2015, 2036), language="vi")

    origin = datetime(2024, 1, 1, tzinfo=TZ)
    span = (datetime(2027, 1, 1, tzinfo=TZ) - origin) // timedelta(minutes=1)
    receipts = [origin + timedelta(minutes=rng.randrange(span)) for _ in range(options.n)]

    rows: list[tuple[str, float, float]] = []
    for label, counts in [("mixed", [rng.choice(DAY_COUNTS) for _ in receipts])] + [
        (f"{d}d", [d] * len(receipts)) for d in (1, 5, 15, 45)
    ]:
        work = list(zip(receipts, [d * 480 for d in counts], strict=True))
        day_work = list(zip([r.date() for r in receipts], counts, strict=True))

        def two_calls(work: list = work) -> None:
            start_of_clock, add = cal.start_of_clock, cal.add_working_time
            for received, minutes in work:
                add(start_of_clock(received), minutes)

        def package(day_work: list = day_work) -> None:
            nth = known.get_nth_working_day
            for day, n in day_work:
                nth(day, n)

        rows.append((label, per_call_us(two_calls, len(work)), per_call_us(package, len(day_work), repeat=3)))

    # Same due date as the package, where the two can be compared (an in-session receipt plus whole days).
    # Expected differences: a receipt at the opening minute (08:00) plus N days is due at 17:00 of the
    # N-th working day counting the receipt day (the package says the next day), and days the package
    # does not know (announcements such as 2 Jan 2026).
    agree = at_opening = other = 0
    for received, days in zip(receipts[:5000], [rng.choice(DAY_COUNTS) for _ in range(5000)], strict=True):
        start = cal.start_of_clock(received)
        if start != received:
            continue
        if cal.add_working_time(start, days * 480).date() == known.get_nth_working_day(start.date(), days):
            agree += 1
        elif start.hour * 60 + start.minute == cal.sessions[0][0]:
            at_opening += 1
        else:
            other += 1

    print(f"Python {sys.version.split()[0]}, holidays {holidays.__version__}, {options.n} receipts over 2024–2026")
    print(f"Calendar.national() build (2015–2035, package + announcements + tables): {build_ms:.0f} ms")
    print()
    print(f"{'days':>6} | {'motcua start+add':>17} | {'holidays nth':>13} | ratio")
    print(f"{'-' * 6}-+-{'-' * 17}-+-{'-' * 13}-+------")
    for label, two, pkg in rows:
        print(f"{label:>6} | {two:14.2f} µs | {pkg:10.2f} µs | {pkg / two:4.0f}×")
    print()
    print(f"in-session receipts with the same due date as holidays' nth working day: {agree}; "
          f"different, receipt at the opening minute (due 17:00 the N-th day): {at_opening}; other: {other} "
          "(days the package lacks, e.g. 2 Jan 2026)")


if __name__ == "__main__":
    main()
