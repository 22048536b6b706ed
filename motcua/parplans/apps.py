from django.apps import AppConfig


class ParplansConfig(AppConfig):
    name = "motcua.parplans"
    label = "parplans"
    verbose_name = "Kế hoạch cải cách hành chính, thủ tục nội bộ"
