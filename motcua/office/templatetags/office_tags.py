"""Template helpers of the office screens."""
from __future__ import annotations

from typing import Any

from django import template

from motcua.dossiers import lifecycle
from motcua.units.scoping import staff_roles

register = template.Library()

STATUS_BADGES = {
    lifecycle.Status.SUBMITTED: "text-bg-info",
    lifecycle.Status.RECEIVED: "text-bg-primary",
    lifecycle.Status.IN_PROCESSING: "text-bg-primary",
    lifecycle.Status.AWAITING_SUPPLEMENT: "text-bg-warning",
    lifecycle.Status.AWAITING_PAYMENT: "text-bg-warning",
    lifecycle.Status.RESULT_READY: "text-bg-success",
    lifecycle.Status.RETURNED: "text-bg-secondary",
}


@register.simple_tag(takes_context=True)
def office_roles(context: dict[str, Any]) -> list[dict[str, str]]:
    """The signed-in user's roles with the agency or unit each is held at, for the navbar."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return [
        {"role": sr.get_role_display(), "place": str(sr.agency or sr.unit)} for sr in staff_roles(user)
    ]


@register.simple_tag(takes_context=True)
def office_is_counter(context: dict[str, Any]) -> bool:
    request = context.get("request")
    return any(sr.role == lifecycle.COUNTER for sr in staff_roles(getattr(request, "user", None)))


@register.filter
def status_badge(status: str) -> str:
    try:
        return STATUS_BADGES.get(lifecycle.Status(status), "text-bg-dark")
    except ValueError:
        return "text-bg-dark"


@register.filter
def time_class(state: str) -> str:
    return {"overdue": "text-bg-danger", "soon": "text-bg-warning", "paused": "text-bg-secondary"}.get(
        state, "text-bg-success"
    )
