from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "motcua.ops"
    verbose_name = "Vận hành"
