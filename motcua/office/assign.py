"""The dossier page's "assign to" (giao cho): whom a step may be given to, and the assign form apart.

The action itself is the lifecycle's (``assign``, and the optional ``assignee`` of ``hand_over``); the
services refuse a user without an acting role at the receiving agency (``motcua.dossiers.assignees``).
Here only what the page offers: the officers of the current step's agency for ``assign``, of the next
step's for ``hand_over`` — the dossier's agency when the step names none.
"""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from motcua.dossiers import assignees
from motcua.dossiers.lifecycle import Action
from motcua.dossiers.models import Dossier


def officers_for(dossier: Dossier, action: Action) -> QuerySet | None:
    """The users the action's form lists, or None for an action that names no officer."""
    if action == Action.ASSIGN:
        order = dossier.current_step
    elif action == Action.HAND_OVER:
        order = dossier.current_step + 1
    else:
        return None
    step = next((s for s in dossier.steps.all() if s.order == order), None)
    agency = (step.agency if step is not None and step.agency_id else None) or dossier.agency
    return assignees.officers([agency]) if agency is not None else assignees.officers([])


def take(action_forms: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Remove the assign form from the page's list of actions (office/_assign.html shows it) and return it."""
    for i, entry in enumerate(action_forms):
        if entry["action"] == Action.ASSIGN:
            return action_forms.pop(i)
    return None

