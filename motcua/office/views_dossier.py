"""The dossier page and its one action endpoint.

The page shows only the actions the lifecycle table allows this user now
(``lifecycle.allowed_actions(status, roles)``), narrowed by the services' own predicates where they
exist (apology only while ``services.can_apologize``; stop only in regimes that have it; hand-over
only while there is a next step). Every action POSTs to one view, which calls
``services.perform``; a refusal (DossierError) is shown on the page, never as a 500.
"""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from motcua.dossiers import lifecycle, services
from motcua.dossiers.lifecycle import ACTION_LABELS, Action
from motcua.dossiers.models import Dossier
from motcua.office.access import acting_roles, can_see, current_step, role_for
from motcua.office.forms import ActionForm
from motcua.office.timeleft import time_left
from motcua.office.views_common import EVENT_LABELS, Calendars, applicant_view, now, visible_dossier
from motcua.regimes import regime_by_code
from motcua.units.models import Agency

DANGER = {Action.REJECT_INTAKE, Action.REFUSE, Action.STOP, Action.WITHDRAW}


def offered_actions(dossier: Dossier, roles: list[str]) -> list[Action]:
    """The actions to offer: the table's, for these roles, narrowed by the services' predicates."""
    actions = lifecycle.allowed_actions(dossier.status, set(roles))
    regime = regime_by_code(dossier.regime)
    steps = list(dossier.steps.all())
    offered = []
    for act in actions:
        if act == Action.APOLOGIZE and not services.can_apologize(dossier):
            continue
        if act == Action.STOP and not regime.allows_stop:
            continue
        if act == Action.HAND_OVER and steps and dossier.current_step >= len(steps):
            continue
        offered.append(act)
    return offered


def _handover_agencies(dossier: Dossier) -> Any:
    chain: set[int] = set()
    unit = dossier.unit
    while unit is not None and unit.pk not in chain:
        chain.add(unit.pk)
        unit = unit.parent
    step_agencies = [s.agency_id for s in dossier.steps.all() if s.agency_id]
    return Agency.objects.filter(
        Q(unit_id__in=chain, valid_to__isnull=True) | Q(pk__in=step_agencies)
    ).order_by("level", "name")


def _forms_available(dossier: Dossier) -> list[tuple[str, str, str]]:
    """(key, number, title) of the official forms that exist for this dossier now."""
    regime = regime_by_code(dossier.regime)
    wanted = []
    if dossier.received_at:
        wanted += ["receipt", "control_slip"]
    if dossier.events.filter(action=Action.REQUEST_COMPLETION).exists():
        wanted.append("completion_request")
    if dossier.status == lifecycle.Status.REJECTED_INTAKE:
        wanted.append("refusal")
    if dossier.extended_due_at:
        wanted.append("apology")
    if dossier.status == lifecycle.Status.STOPPED:
        wanted.append("stop")
    found = []
    for key in wanted:
        spec = regime.form(key)
        if spec is not None:
            found.append((spec.key, spec.number, spec.title))
    return sorted(found, key=lambda f: f[1])


def _page(
    request: HttpRequest, dossier: Dossier, bound: ActionForm | None = None, error: str = "", status: int = 200
) -> HttpResponse:
    roles = acting_roles(request.user, dossier)
    agencies = _handover_agencies(dossier)
    action_forms = []
    for act in offered_actions(dossier, roles):
        if bound is not None and bound.action == act:
            form = bound
        else:
            form = ActionForm(action=act, agencies=agencies, initial={"version": dossier.version})
        action_forms.append({"action": act, "label": ACTION_LABELS[act], "form": form, "danger": act in DANGER,
                             "open": bound is not None and bound.action == act})
    steps = list(dossier.steps.select_related("agency").all())
    events = [
        {"event": e, "label": EVENT_LABELS.get(e.action) or ACTION_LABELS.get(_action(e.action), e.action),
         "to_label": _status_label(e.to_status)}
        for e in dossier.events.select_related("actor").order_by("seq")
    ]
    full = request.user.is_superuser or lifecycle.COUNTER in roles
    return render(request, "office/dossier.html", {
        "dossier": dossier, "applicant": applicant_view(dossier, full), "documents": dossier.documents.all(),
        "steps": steps, "current": current_step(dossier), "events": events, "action_forms": action_forms,
        "roles": roles, "left": time_left(dossier, now(), Calendars()(dossier.unit)),
        "forms_available": _forms_available(dossier), "error": error,
        "regime": regime_by_code(dossier.regime), "just_received": request.GET.get("received") == "1",
    }, status=status)


def _action(value: str) -> Action | None:
    try:
        return Action(value)
    except ValueError:
        return None


def _status_label(value: str) -> str:
    try:
        return lifecycle.STATUS_LABELS[lifecycle.Status(value)]
    except ValueError:
        return value


@login_required
@require_GET
def dossier_page(request: HttpRequest, code: str) -> HttpResponse:
    return _page(request, visible_dossier(request, code))


@login_required
@require_POST
def dossier_action(request: HttpRequest, code: str) -> HttpResponse:
    dossier = visible_dossier(request, code)
    act = _action(request.POST.get("action", ""))
    roles = acting_roles(request.user, dossier)
    if act is None or act not in offered_actions(dossier, roles):
        return _page(request, dossier, error=_("Thao tác này không thực hiện được với hồ sơ lúc này."), status=403)
    form = ActionForm(request.POST, action=act, agencies=_handover_agencies(dossier))
    if not form.is_valid():
        return _page(request, dossier, bound=form, error=_("Vui lòng kiểm tra lại thông tin nhập."), status=400)
    data = form.cleaned_data
    if data["version"] != dossier.version:
        return _page(request, dossier, error=_("Hồ sơ vừa được người khác cập nhật; hãy xem lại rồi thao tác."),
                     status=409)
    role = role_for(act, roles, dossier) or (roles[0] if roles else "")
    try:
        services.perform(
            dossier, act, role=role, actor=request.user, note=data.get("note", ""), reason=data.get("reason", ""),
            new_due_at=data.get("new_due_at"), agency=data.get("agency"),
        )
    except services.DossierError as exc:
        dossier.refresh_from_db()
        return _page(request, dossier, bound=form, error=exc.message,
                     status=409 if isinstance(exc, services.Conflict) else 400)
    messages.success(request, _("Đã thực hiện: %(label)s.") % {"label": ACTION_LABELS[act]})
    dossier.refresh_from_db()
    if not can_see(request.user, dossier):
        return redirect("office:inbox")
    return redirect("office:dossier", code=dossier.code)
