"""Admin screens for the catalogue: fields, procedures with their documents and route."""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import ClockPolicy, Field, Procedure, RequiredDocument, RouteStep


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


class ProcedureForm(forms.ModelForm):
    """Restart is the law's rule on a supplement; an administrator who chooses pause names its basis."""

    class Meta:
        model = Procedure
        fields = "__all__"  # noqa: DJ007 - the admin edits every field

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("clock_policy") == ClockPolicy.PAUSE and not (data.get("clock_policy_basis") or "").strip():
            self.add_error("clock_policy_basis", _(
                "Tính tiếp thời gian còn lại chỉ áp dụng khi văn bản quy định thủ tục nói vậy: ghi căn cứ đó."))
        return data


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    form = ProcedureForm
    list_display = ("code", "name", "field", "legal_time_label", "clock_policy", "active", "is_stub")
    list_filter = ("field", "clock_policy", "active", "is_stub")
    search_fields = ("code", "name")
    inlines = [RequiredDocumentInline, RouteStepInline]
