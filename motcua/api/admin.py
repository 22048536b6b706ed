from django.contrib import admin

from motcua.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created with ``manage.py create_api_token``; here they can be seen and revoked."""

    list_display = ["name", "prefix", "user", "role", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = ["prefix", "key_hash", "user", "role", "created_at", "last_used_at"]
    fields = ["name", "prefix", "key_hash", "user", "role", "created_at", "last_used_at", "revoked_at"]

    def has_add_permission(self, request: object) -> bool:
        return False
