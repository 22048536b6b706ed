"""Round trips to PostgreSQL counted at the driver (psycopg): what bench/transitions.py prints beside the
statements of each transition, and what the tests of the round trips count."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def counting_exchanges() -> Iterator[list[int]]:
    """The number of round trips meanwhile, on every connection: each exchange in which the driver sends
    something and waits for the server's answer before going on. A statement, a BEGIN or a COMMIT sent
    alone is one; statements sent together in the driver's pipeline mode are one, answered together at
    the pipeline's end (or at each of its syncs); a commit with nothing left to commit goes nowhere
    and is none. Counted from what the driver does, not from the time its answers take: a count made
    by watching for answers not yet come saw fewer on a busy machine, where they had come by the
    time the driver looked."""
    import psycopg

    count = [0]
    real_wait, real_exit, real_sync = psycopg.Connection.wait, psycopg.Pipeline.__exit__, psycopg.Pipeline.sync

    def counted(gen):  # noqa: ANN001, ANN202 - the driver's generator, unchanged, counted if it sends anything
        try:
            request = next(gen)
        except StopIteration as done:
            return done.value
        count[0] += 1
        try:
            while True:
                request = gen.send((yield request))
        except StopIteration as done:
            return done.value

    def wait(self, gen, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202 - a command and its answer
        return real_wait(self, gen if self._pipeline is not None else counted(gen), *args, **kwargs)

    def pipeline_exit(self, *args):  # noqa: ANN001, ANN002, ANN202 - a pipeline's statements and their answers
        count[0] += 1
        return real_exit(self, *args)

    def sync(self):  # noqa: ANN001, ANN202
        count[0] += 1
        return real_sync(self)

    psycopg.Connection.wait, psycopg.Pipeline.__exit__, psycopg.Pipeline.sync = wait, pipeline_exit, sync
    try:
        yield count
    finally:
        psycopg.Connection.wait, psycopg.Pipeline.__exit__, psycopg.Pipeline.sync = real_wait, real_exit, real_sync
