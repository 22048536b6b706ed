from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "motcua.ops"
    verbose_name = "Vận hành"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from motcua.pg_types import use_compiled_loader

        connection_created.connect(use_compiled_loader, dispatch_uid="motcua.pg_types")
