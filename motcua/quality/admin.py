"""Admin screens for the indicator sets (the government revises them: they are data)."""
from __future__ import annotations

from django.contrib import admin

from motcua.quality.models import DigestSent, Indicator, IndicatorGroup, IndicatorSet


class IndicatorGroupInline(admin.TabularInline):
    model = IndicatorGroup
    extra = 0


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ("order", "code", "name", "formula", "max_points", "threshold", "sample", "note")


@admin.register(IndicatorSet)
class IndicatorSetAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "valid_from", "valid_to")
    inlines = [IndicatorGroupInline]


@admin.register(IndicatorGroup)
class IndicatorGroupAdmin(admin.ModelAdmin):
    list_display = ("indicator_set", "code", "name", "max_points")
    list_filter = ("indicator_set",)
    inlines = [IndicatorInline]


@admin.register(DigestSent)
class DigestSentAdmin(admin.ModelAdmin):
    list_display = ("day", "user", "agency", "dossier_count", "sent_at")
    list_filter = ("day",)
