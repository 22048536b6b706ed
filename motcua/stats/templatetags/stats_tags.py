"""Number formats of the statistics screens (Vietnamese: comma as the decimal mark)."""
from __future__ import annotations

from django import template

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
