"""Django admin for administrative units, calendar overrides, agencies and staff roles."""
from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from motcua.units.models import AdministrativeUnit, Agency, CalendarOverride, StaffRole


class CurrentFilter(admin.SimpleListFilter):
    """Open versions (no ``valid_to``) or closed ones."""

    title = _("hiệu lực")
    parameter_name = "current"

    def lookups(self, request, model_admin):  # noqa: ANN001, ANN201
        return [("yes", _("Đang hiệu lực")), ("no", _("Đã hết hiệu lực"))]

    def queryset(self, request, queryset):  # noqa: ANN001, ANN201
        if self.value() == "yes":
            return queryset.filter(valid_to__isnull=True)
        if self.value() == "no":
            return queryset.filter(valid_to__isnull=False)
        return queryset


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "valid_from", "valid_to", "sessions")
    list_filter = ("level", CurrentFilter, "valid_to")
    search_fields = ("code", "name")
    ordering = ("code", "valid_from")
    raw_id_fields = ("parent",)
    autocomplete_fields = ("successors",)
    list_select_related = ("parent",)
    show_full_result_count = False


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "is_working", "reason", "legal_basis", "unit")
    list_filter = ("is_working",)
    search_fields = ("reason", "legal_basis", "unit__code", "unit__name")
    date_hierarchy = "date"
    raw_id_fields = ("unit",)
    list_select_related = ("unit",)

    def save_model(self, request, obj, form, change) -> None:  # noqa: ANN001
        super().save_model(request, obj, form, change)
        self.message_user(request, _RECOMPUTE_NOTICE, messages.INFO)

    def delete_model(self, request, obj) -> None:  # noqa: ANN001
        super().delete_model(request, obj)
        self.message_user(request, _RECOMPUTE_NOTICE, messages.INFO)


_RECOMPUTE_NOTICE = _(
    "Thời hạn của các hồ sơ đang giải quyết có ngày này trong thời hạn được tính lại theo lịch mới; "
    "mỗi thay đổi được ghi vào lịch sử hồ sơ. Hồ sơ đã giải quyết giữ nguyên thời hạn."
)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "level", "unit", "has_one_stop", "valid_from", "valid_to")
    list_filter = ("kind", "level", "has_one_stop")
    search_fields = ("code", "name", "unit__code", "unit__name")
    raw_id_fields = ("unit", "successor")
    list_select_related = ("unit",)


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "agency", "unit")
    list_filter = ("role",)
    search_fields = ("user__username", "agency__code", "agency__name", "unit__code", "unit__name")
    raw_id_fields = ("user", "agency", "unit")
    list_select_related = ("user", "agency", "unit")
