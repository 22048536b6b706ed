from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    label = "dossiers"

    def ready(self) -> None:
        from motcua.dossiers import (
            recalendar,  # noqa: F401 - connects the calendar-change signals
            steps,  # noqa: F401 - connects the signals of the step agencies' cache
        )
