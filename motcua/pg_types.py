"""Timestamps read from PostgreSQL by psycopg's compiled loader instead of Django's Python one.

Django (5.2, psycopg 3) registers its own loader for ``timestamptz``: a subclass of psycopg's
*Python* loader that parses each value in Python, then replaces its zone with the connection's.
Every transition reads a dossier with a dozen timestamps (and its steps' and events'), so that
parsing was about a twentieth of a transition's Python (docs/benchmarks.md). psycopg's compiled
loader (the ``psycopg[binary]`` package, pinned) parses in C and gives each value the session's zone,
which Django has set to UTC when the connection opened: the same values, the same ``tzinfo``
(``datetime.UTC``). Its class cannot be subclassed: the loader registered here hands psycopg
the compiled loader's ``load`` itself.

Registered only where that holds: PostgreSQL, Django keeping datetimes in UTC (``USE_TZ``, no
``TIME_ZONE`` of the database's own), the session in UTC, and the compiled loader installed. It
carries the ``timezone`` Django looks for on it, so Django does not put its own back on each cursor.
"""
from __future__ import annotations

import datetime as dt
import functools
from typing import Any

TIMESTAMPTZ = "timestamptz"


@functools.cache
def _compiled_loader() -> type | None:
    """A loader whose ``load`` is the compiled loader's own (psycopg calls it directly, no Python frame
    between), carrying Django's ``timezone`` attribute; None when psycopg's compiled part is missing."""
    import psycopg
    from psycopg.adapt import Loader
    from psycopg.pq import Format

    compiled = psycopg.adapters.get_loader(psycopg.adapters.types[TIMESTAMPTZ].oid, Format.TEXT)
    if compiled is None or not compiled.__module__.startswith(("psycopg_binary", "psycopg_c")):
        return None

    class UtcTimestamptzLoader(Loader):
        timezone = dt.UTC

        def __init__(self, oid: int, context: Any = None) -> None:
            super().__init__(oid, context)
            self.load = compiled(oid, context).load  # type: ignore[method-assign]

        def load(self, data: Any) -> dt.datetime:  # replaced on each instance by the compiled one
            raise NotImplementedError

    return UtcTimestamptzLoader


def use_compiled_loader(sender: Any, connection: Any, **kwargs: Any) -> None:  # noqa: ARG001 - a signal's
    """``connection_created``: the compiled loader on this connection, where it gives what Django's would."""
    if connection.vendor != "postgresql" or connection.timezone is not dt.UTC:
        return
    loader = _compiled_loader()
    if loader is not None and connection.connection.info.parameter_status("TimeZone") in ("UTC", "Etc/UTC"):
        connection.connection.adapters.register_loader(TIMESTAMPTZ, loader)
