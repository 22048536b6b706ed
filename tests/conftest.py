import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

# Browser fixtures, registered once for the whole session: one Playwright and one Chromium per run
# (a second sync Playwright in the same thread is refused).
from tests.browser_support import (  # noqa: F401
    chromium_fixture,
    media_root_fixture,
    shots_fixture,
    site_fixture,
)


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects: a browser test is slow by its marker alone
def pytest_collection_modifyitems(config, items):  # noqa: ANN001, ANN201
    """Tests marked `postgres` run only when the suite runs on PostgreSQL; tests marked `browser` are
    also `slow` (``make test-fast`` leaves them out)."""
    from django.conf import settings

    on_pg = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords and not on_pg:
            item.add_marker(skip)
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_keepdb: bool, django_db_blocker) -> Iterator[None]:  # noqa: ANN001
    """With ``--reuse-db``, the session runs on a copy of the kept test database, made afresh each time.

    A transactional test (live server, threads, ``on_commit``) ends by emptying every table, the
    administrative units and the indicator set the migrations loaded included: the kept database
    must not be the one emptied, or the next run would start without them. The copy is a file copy
    on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL. A kept database found without its units
    (emptied by a run before this copy existed) is made again.
    """
    from motcua.dossiers import codes

    if not django_db_keepdb or (connection.vendor == "sqlite" and connection.is_in_memory_db()):
        yield
        codes.close_all()  # before the test database is dropped
        _end_other_sessions()
        return
    from motcua.units.models import AdministrativeUnit

    with django_db_blocker.unblock():
        if not AdministrativeUnit.objects.exists():
            connection.close()
            connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
        call_command("createcachetable", verbosity=0)  # a database kept from before the cache tables
        kept = connection.settings_dict["NAME"]
        connection.creation.clone_test_db(suffix="run", verbosity=0, keepdb=False)
        copy = connection.creation.get_test_db_clone_settings("run")["NAME"]
        connection.close()
        connection.settings_dict["NAME"] = copy  # the same dict as settings.DATABASES["default"]
    yield
    codes.close_all()
    with django_db_blocker.unblock():
        connection.creation.destroy_test_db(old_database_name=kept, verbosity=0)


def _end_other_sessions() -> None:
    """PostgreSQL: end the sessions still open on the test database but the current connection's, so
    that it can be dropped. At the end of a whole run one was left (idle after a COMMIT), held by a
    connection object other than the current ``connections["default"]``; PostgreSQL then refused to
    drop the database ("is being accessed by other users") and pytest warned."""
    if connection.vendor != "postgresql":
        return
    import psycopg

    raw = connection.connection
    mine = raw.info.backend_pid if raw is not None and not raw.closed else None
    s = connection.settings_dict
    with psycopg.connect(dbname="postgres", user=s.get("USER") or None, password=s.get("PASSWORD") or None,
                         host=s.get("HOST") or None, port=s.get("PORT") or None, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                      "AND pid <> pg_backend_pid() AND pid IS DISTINCT FROM %s", [s["NAME"], mine])


def pytest_configure(config) -> None:  # noqa: ANN001
    """The static root exists, as ``collectstatic`` leaves it in production: WhiteNoise warns on every
    test client otherwise (the tests serve static files through the finders)."""
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def codes_start_again() -> Iterator[None]:
    """On PostgreSQL a dossier code is drawn on a connection of its own and committed at once, past
    the test's transaction: the sequences are emptied after a test that drew one, so that every test
    numbers its dossiers from 0001 as it would on a fresh database."""
    yield
    from motcua.dossiers import codes

    if codes.drawn_apart.is_set():
        codes.forget_all()


@pytest.fixture(autouse=True)
def fast_password_hasher(request: pytest.FixtureRequest, settings) -> None:  # noqa: ANN001
    """Users' passwords hashed with MD5 in every test but those marked ``real_hasher`` (the ones about
    the hasher): the project's memory-hard hasher costs time for every user created or logged in."""
    if request.node.get_closest_marker("real_hasher") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def pipelines(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The statements sent in each of the driver's pipelines of the default connection meanwhile
    (PostgreSQL; empty elsewhere), as it logs them (inside ``CaptureQueriesContext``). The pipelines of
    other connections (a dossier code's draw) are not the default connection's statements."""
    sent: list[list[str]] = []
    if connection.vendor == "postgresql":
        import psycopg

        real = psycopg.Connection.pipeline

        @contextlib.contextmanager
        def spied(self):  # noqa: ANN001, ANN202
            start = len(connection.queries_log)
            with real(self) as pipeline:
                yield pipeline
            if self is connection.connection:
                sent.append([q["sql"] for q in list(connection.queries_log)[start:]])

        monkeypatch.setattr(psycopg.Connection, "pipeline", spied)
    return sent
