"""The officials' work queues: one queryset per tab, by what the officer must do next.

Tabs (``TABS``, in the order shown; the first that applies to the user opens by default):
  - ``intake``  online dossiers awaiting intake (submitted) at the user's counter, oldest first;
  - ``step``    received or in processing, whose current step is the user's role at the user's
                agency (the step's agency, or the dossier's when the step names none); for the
                counter also the received dossiers of its agency (first hand-over);
  - ``citizen`` the same, waiting for the citizen (supplement, payment); the counter sees its agency's;
  - ``return``  result ready or refused, waiting at the counter of its agency to be handed back;
  - ``mine``    open dossiers assigned to the user by name (``Dossier.assignee``);
  - ``done``    dossiers in whose history the user acted in the last ``DONE_DAYS`` days.

A unit-scoped role (no agency) matches the dossiers of its unit the same way. Every condition is
on the dossier's own row with a per-row probe of its current step (``dossier_search.probe``) — never
a join over the route, nor a hashed scan of an agency's steps — so each
tab is driven by an index on the dossier's status, agency or assignee, or on the user's events:
its cost follows the open work and the user's recent acts, not the years of history (bench/inbox.py).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from motcua.dossiers import lifecycle
from motcua.dossiers.lifecycle import Status
from motcua.dossiers.models import Dossier, DossierEvent, DossierStep
from motcua.office import dossier_search
from motcua.office.dossier_search import probe
from motcua.roles import ACTING_STAFF_ROLES
from motcua.units.models import StaffRole
from motcua.units.scoping import staff_roles

DONE_DAYS = 30
ACTIVE = [Status.RECEIVED, Status.IN_PROCESSING]
WAITING_CITIZEN = sorted(lifecycle.PAUSED_STATES)
TO_RETURN = [Status.RESULT_READY, Status.REFUSED]


@dataclass(frozen=True)
class Tab:
    key: str
    label: Any
    counter_only: bool = False
    work: bool = True  # something to do (the default tab is the first of these that holds any)


TABS = (
    Tab("intake", _("Chờ tiếp nhận trực tuyến"), counter_only=True),
    Tab("step", _("Đến lượt tôi xử lý")),
    Tab("citizen", _("Chờ công dân bổ sung, nộp phí")),
    Tab("return", _("Chờ trả kết quả"), counter_only=True),
    Tab("mine", _("Giao cho tôi")),
    Tab("done", _("Tôi đã xử lý"), work=False),
)
TAB_KEYS = frozenset(t.key for t in TABS)


def _acting(user: Any) -> list[StaffRole]:
    return [sr for sr in staff_roles(user) if sr.role in ACTING_STAFF_ROLES]


def tabs_for(user: Any) -> list[Tab]:
    """The tabs that apply to the user's acting roles (none without one)."""
    roles = {sr.role for sr in _acting(user)}
    if not roles:
        return []
    return [t for t in TABS if not t.counter_only or lifecycle.COUNTER in roles]


def _here(sr: StaffRole) -> Q:
    """The dossiers received at the place of the role (its agency, or its unit)."""
    return Q(agency_id=sr.agency_id) if sr.agency_id is not None else Q(unit_id=sr.unit_id)


def _at_my_step(sr: StaffRole) -> Q:
    """The dossier's current step is this role's, at this role's place."""
    steps = DossierStep.objects.filter(dossier_id=OuterRef("pk"), order=OuterRef("current_step"), role=sr.role)
    if sr.agency_id is None:
        return Q(probe(steps), unit_id=sr.unit_id)
    return Q(probe(steps.filter(agency_id=sr.agency_id))) | Q(
        probe(steps.filter(agency__isnull=True)), agency_id=sr.agency_id)


def _condition(user: Any, key: str, now: dt.datetime) -> Q | None:
    """The tab's condition on Dossier; None when it can hold nothing for this user."""
    roles = _acting(user)
    if not roles:
        return None
    if key == "mine":
        return Q(assignee_id=user.pk, status__in=sorted(lifecycle.OPEN_STATES))
    if key == "done":  # what the user still sees of it (a dossier handed to another unit may leave its view)
        since = now - dt.timedelta(days=DONE_DAYS)
        acted = Q(pk__in=DossierEvent.objects.filter(actor_id=user.pk, at__gte=since).values("dossier_id"))
        seen = dossier_search.scope(user)
        return acted if seen is None else acted & seen
    counters = [sr for sr in roles if sr.role == lifecycle.COUNTER]
    found = Q(pk__in=[])
    if key == "intake":
        for sr in counters:
            found |= _here(sr) & Q(status=Status.SUBMITTED)
    elif key == "return":
        for sr in counters:
            found |= _here(sr) & Q(status__in=TO_RETURN)
    elif key in ("step", "citizen"):
        statuses = ACTIVE if key == "step" else WAITING_CITIZEN
        for sr in roles:
            found |= _at_my_step(sr)
        for sr in counters:  # the counter hands received dossiers on and takes the citizen's papers in
            found |= _here(sr) & (Q(status=Status.RECEIVED) if key == "step" else Q())
        found &= Q(status__in=statuses)
    else:
        return None
    return found


ORDER = {
    "intake": ("submitted_at", "code"),
    "step": (F("due_at").asc(nulls_last=True), "code"),
    "citizen": (F("due_at").asc(nulls_last=True), "code"),
    "return": (F("finished_at").asc(nulls_last=True), "code"),
    "mine": (F("due_at").asc(nulls_last=True), "code"),
    "done": (F("last_event_at").desc(nulls_last=True), "code"),
}


def queue(user: Any, key: str, now: dt.datetime) -> QuerySet[Dossier]:
    """The tab's dossiers, in the tab's order, with what a row shows."""
    condition = _condition(user, key, now)
    if condition is None:
        return Dossier.objects.none()
    return (Dossier.objects.filter(condition).select_related("procedure", "unit", "agency", "assignee")
            .order_by(*ORDER[key]))


def counts(user: Any, tabs: list[Tab], now: dt.datetime) -> dict[str, int]:
    """One COUNT per tab, each on the tab's own index."""
    out = {}
    for tab in tabs:
        condition = _condition(user, tab.key, now)
        out[tab.key] = Dossier.objects.filter(condition).count() if condition is not None else 0
    return out
