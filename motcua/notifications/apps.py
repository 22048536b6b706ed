from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "motcua.notifications"
    verbose_name = "Thông báo cho công dân"
    label = "notifications"
