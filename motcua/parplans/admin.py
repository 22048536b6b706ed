from __future__ import annotations

from django.contrib import admin

from motcua.parplans.models import (
    InternalProcedure,
    ParPlan,
    ProcedureProposal,
    RouteApproval,
    SimplificationItem,
    SimplificationPlan,
    Task,
)


class TaskInline(admin.TabularInline):
    model = Task
    extra = 0
    fields = ("title", "area", "owner", "owner_name", "deadline", "status")
    readonly_fields = ("status",)
    raw_id_fields = ("owner",)


@admin.register(ParPlan)
class ParPlanAdmin(admin.ModelAdmin):
    list_display = ("year", "title", "unit", "number", "issuer")
    raw_id_fields = ("unit",)
    inlines = [TaskInline]


@admin.register(InternalProcedure)
class InternalProcedureAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "steps", "time_limit_days")
    search_fields = ("code", "name")
    raw_id_fields = ("unit",)


class ItemInline(admin.TabularInline):
    model = SimplificationItem
    extra = 0
    raw_id_fields = ("procedure",)


@admin.register(SimplificationPlan)
class SimplificationPlanAdmin(admin.ModelAdmin):
    list_display = ("year", "title", "unit", "approved_on")
    raw_id_fields = ("unit",)
    inlines = [ItemInline]


@admin.register(RouteApproval)
class RouteApprovalAdmin(admin.ModelAdmin):
    list_display = ("procedure", "decision_number", "decision_date", "issuer")
    raw_id_fields = ("procedure",)


@admin.register(ProcedureProposal)
class ProcedureProposalAdmin(admin.ModelAdmin):
    list_display = ("procedure", "unit", "timing_from", "timing_to", "computed_at")
    raw_id_fields = ("procedure", "unit")
    readonly_fields = ("cited_timing", "computed_at")
