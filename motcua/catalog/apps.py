from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "motcua.catalog"
    verbose_name = "Danh mục thủ tục hành chính"
    label = "catalog"

    def ready(self) -> None:
        from . import routes  # noqa: F401  (connects the route-cache signals)
