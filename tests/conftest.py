import pytest
from django.db import connection

# Browser fixtures, registered once for the whole session: one Playwright and one Chromium per run
# (a second sync Playwright in the same thread is refused).
from tests.browser_support import (  # noqa: F401
    chromium_fixture,
    media_root_fixture,
    shots_fixture,
    site_fixture,
)


def pytest_collection_modifyitems(config, items):  # noqa: ANN001, ANN201
    """Tests marked `postgres` run only when the suite runs on PostgreSQL."""
    from django.conf import settings

    on_pg = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords and not on_pg:
            item.add_marker(skip)


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"
