from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "motcua.inspections"
    label = "inspections"
    verbose_name = "Kiểm tra công vụ"
