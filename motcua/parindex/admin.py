"""Criteria sets are loaded from files (``load_index_set``) and editable here."""
from __future__ import annotations

from django.contrib import admin

from motcua.parindex.models import Assessment, Criterion, Field, IndexSet, SubCriterion


class FieldInline(admin.TabularInline):
    model = Field
    extra = 0


@admin.register(IndexSet)
class IndexSetAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "year", "level", "decision_number", "max_points", "is_example")
    list_filter = ("year", "level", "is_example")
    inlines = [FieldInline]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "field", "max_points")
    list_filter = ("field__index_set",)


@admin.register(SubCriterion)
class SubCriterionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "index_set", "max_points", "method", "metric", "full_at")
    list_filter = ("index_set", "method")
    search_fields = ("code", "name")


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("unit", "index_set", "year", "status")
    list_filter = ("year", "status")
    raw_id_fields = ("unit",)
    readonly_fields = ("status", "version", "last_event_at")
