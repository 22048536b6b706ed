"""Admin screens for the catalogue: fields, procedures with their documents and route."""
from __future__ import annotations

from django.contrib import admin

from motcua.catalog.models import Field, Procedure, RequiredDocument, RouteStep


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


class RequiredDocumentInline(admin.TabularInline):
    model = RequiredDocument
    extra = 0


class RouteStepInline(admin.TabularInline):
    model = RouteStep
    extra = 0


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "field", "legal_time_label", "clock_policy", "active", "is_stub")
    list_filter = ("field", "clock_policy", "active", "is_stub")
    search_fields = ("code", "name")
    inlines = [RequiredDocumentInline, RouteStepInline]
