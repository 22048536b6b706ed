from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "motcua.supervision"
    label = "supervision"
    verbose_name = "Giám sát của HĐND"
