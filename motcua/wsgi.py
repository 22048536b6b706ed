import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
application = get_wsgi_application()


def warm() -> None:
    """Import now what a process's first requests would: the URLs with every view and the API's schemas,
    and the country modules of the ``holidays`` package (which loads them all at its first use). gunicorn
    calls this in its master once the application is preloaded, so every worker it forks — a recycled
    one too — starts with them instead of importing them while requests wait. No database is touched."""
    import holidays.countries  # noqa: F401
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the property imports the URL modules
