from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "motcua.units"
    verbose_name = "Đơn vị, cơ quan, cán bộ"
    label = "units"

    def ready(self) -> None:
        from . import calendars  # noqa: F401  (connects the calendar-cache signals)
