"""What the benches share to set up PostgreSQL: a statement run outside any transaction (CREATE and DROP
DATABASE), and a server's URL pointed at another database."""
from __future__ import annotations

import re


def pg_admin(url: str, sql: str) -> None:
    """``sql`` on ``url`` in autocommit."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def with_db(url: str, name: str) -> str:
    """``url`` with its database replaced by ``name``."""
    return re.sub(r"/[^/]*$", f"/{name}", url)
