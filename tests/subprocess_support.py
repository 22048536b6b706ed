"""Running a management command in a child process on the test database, as a user would."""
from __future__ import annotations

import os
import sqlite3

import pytest
from django.db import connection


def child_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a child process on the session's test database (called with database access):
    on SQLite a copy of it as it is now (it may live in memory); on PostgreSQL the test database itself,
    whose committed data the child only reads."""
    env = {**os.environ}
    if connection.vendor == "sqlite":
        path = tmp_path_factory.mktemp("child") / "db.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        env["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        s = connection.settings_dict
        env["DATABASE_URL"] = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    return env
