from django.apps import AppConfig


class OfficeConfig(AppConfig):
    """The officials' screens: login, counter intake, inbox, dossier page, printing."""

    name = "motcua.office"
    label = "office"
    verbose_name = "Màn hình cán bộ"
