from __future__ import annotations

from django.contrib import admin

from motcua.supervision.models import Delegation, Member, Programme, Report, Session


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("year", "title", "council_unit", "resolution_number", "resolution_date", "adopted_on",
                    "published_at")
    raw_id_fields = ("council_unit",)


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0
    raw_id_fields = ("user",)


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    raw_id_fields = ("unit", "agency")


class ReportInline(admin.TabularInline):
    model = Report
    extra = 0


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ("code", "number", "committee", "topic", "decision_date", "status", "published_at")
    list_filter = ("status",)
    search_fields = ("code", "committee", "topic")
    raw_id_fields = ("programme", "council_unit", "units", "agencies", "created_by")
    readonly_fields = ("status", "version", "last_event_at", "published_at", "conclusion_published_at")
    inlines = [MemberInline, SessionInline, ReportInline]
