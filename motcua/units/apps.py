from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "motcua.units"
    label = "units"

    def ready(self) -> None:
        from . import calendars  # noqa: F401  (connects the calendar-cache signals)
