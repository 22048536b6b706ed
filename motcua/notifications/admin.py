"""The outbox in the admin: what was sent, what waits, what failed — and a button to send again."""
from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.notifications.models import Notification
from motcua.notifications.sweeper import requeue_failed


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "channel", "state", "attempts", "next_attempt_at", "sent_at", "dossier")
    list_filter = ("state", "channel", "kind")
    search_fields = ("dossier__code", "recommendation__code")
    date_hierarchy = "created_at"
    actions = ["send_again"]
    # The message is written by the system and its recipient is personal data: nothing is edited here.
    readonly_fields = [f.name for f in Notification._meta.fields]
    exclude = ("recipient", "body")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False

    @admin.action(description=_("Gửi lại các thông báo đã lỗi"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = requeue_failed(queryset)
        skipped = queryset.count() - count
        self.message_user(request, _("Đã xếp %(n)s thông báo vào hàng đợi gửi lại.") % {"n": count}, messages.SUCCESS)
        if skipped:
            self.message_user(request, _("%(n)s thông báo không ở trạng thái lỗi nên không gửi lại.") % {"n": skipped},
                              messages.WARNING)
