from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "motcua.api"
    verbose_name = "Giao diện lập trình (API)"
    label = "api"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from motcua.api.models import ACTIVE, ApiToken
        from motcua.units.models import StaffRole

        # A token revoked, a role withdrawn, a user deactivated: what this process keeps of tokens goes at once.
        ACTIVE.drop_on(ApiToken, StaffRole, get_user_model())
