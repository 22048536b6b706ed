from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "motcua.followup"
    label = "followup"
    verbose_name = "Theo dõi kiến nghị"
