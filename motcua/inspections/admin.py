from __future__ import annotations

from django.contrib import admin

from motcua.inspections.models import EvidenceLink, Finding, Inspection, InspectionPlan, PlanTarget, TeamMember


class TargetInline(admin.TabularInline):
    model = PlanTarget
    extra = 0
    raw_id_fields = ("unit", "agency")


@admin.register(InspectionPlan)
class InspectionPlanAdmin(admin.ModelAdmin):
    list_display = ("year", "title", "issuer", "decision_number", "unit")
    list_filter = ("year",)
    search_fields = ("title", "issuer", "decision_number")
    raw_id_fields = ("unit",)
    inlines = [TargetInline]


class TeamInline(admin.TabularInline):
    model = TeamMember
    extra = 0


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0


class EvidenceInline(admin.TabularInline):
    """Evidence is computed from the dossier data and frozen: read-only here."""

    model = EvidenceLink
    extra = 0
    can_delete = False
    fields = readonly_fields = ("kind", "parameters", "computed_at", "url", "file")

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ("code", "topic", "unit", "kind", "status", "starts_on", "ends_on")
    list_filter = ("kind", "status")
    search_fields = ("code", "topic", "unit__name", "target_name")
    raw_id_fields = ("plan", "target", "unit", "agency", "follows", "created_by")
    readonly_fields = ("status", "concluded_at", "version", "last_event_at")
    inlines = [TeamInline, FindingInline, EvidenceInline]
