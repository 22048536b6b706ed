"""The register in the admin: read-mostly (the lifecycle writes status; events are append-only)."""
from __future__ import annotations

from django.contrib import admin

from motcua.followup.models import Recommendation, RecommendationEvent


class EventInline(admin.TabularInline):
    model = RecommendationEvent
    extra = 0
    can_delete = False
    readonly_fields = ("seq", "action", "at", "actor_label", "from_status", "to_status", "note", "reason", "payload")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "source_kind", "addressee_unit", "deadline", "status", "published")
    list_filter = ("status", "source_kind", "published")
    search_fields = ("code", "title", "text", "addressee_unit__code", "addressee_unit__name")
    raw_id_fields = ("addressee_unit", "addressee_agency", "issuer_unit", "created_by")
    readonly_fields = ("status", "closed_at", "version", "last_event_at", "source_type", "source_id")
    inlines = [EventInline]
