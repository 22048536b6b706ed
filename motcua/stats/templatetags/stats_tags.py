"""Number formats of the statistics screens (Vietnamese: comma as the decimal mark)."""
from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def percent(value: float | None, digits: int = 1) -> str:
    """0.9531 → "95,3%"; None → "—"."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%".replace(".", ",")


@register.filter
def decimal_vn(value: float | None, digits: int = 2) -> str:
    if value is None or value == "":
        return "—"
    return f"{float(value):.{int(digits)}f}".replace(".", ",")


@register.filter
def hours(minutes: float | None) -> str:
    """Working minutes as working hours: 90 → "1,5 giờ"."""
    if minutes is None or minutes == "":
        return "—"
    return f"{float(minutes) / 60:.1f} giờ".replace(".", ",")


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.simple_tag
def unit_options(units: list[tuple[str, str]], current: str | None) -> str:
    """The unit picker's <option>s (a province lists its hundred communes): one join here instead
    of a template loop with a condition per option."""
    return mark_safe("".join(  # noqa: S308 - every value is escaped
        f'<option value="{escape(code)}"{" selected" if code == current else ""}>{escape(label)}</option>'
        for code, label in units))
