"""The dossier page and its one action endpoint.

The page offers exactly ``policy.available_actions(dossier, user)`` — the lifecycle table, its
conditions and the user's acting roles — each with the inputs the table gives it. Every action
POSTs to one view, which hands it to ``services.perform`` with the version the page showed; the
services decide, and a refusal (DossierError) is shown on the page, never as a 500.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from motcua.dossiers import lifecycle, policy, privacy, services
from motcua.dossiers.lifecycle import ACTION_LABELS, EVENT_LABELS, Action, EventKind
from motcua.dossiers.models import Dossier
from motcua.office import assign, views_files
from motcua.office.access import can_see
from motcua.office.forms import ActionForm
from motcua.office.timeleft import time_left
from motcua.office.views_common import Calendars, applicant_view, now, visible_dossier
from motcua.regimes import regime_by_code

DANGER = {Action.REJECT_INTAKE, Action.REFUSE, Action.STOP, Action.WITHDRAW}
STATUS = {services.Conflict: 409, services.Forbidden: 403, services.NotAllowed: 409}


def _forms_available(dossier: Dossier) -> list[tuple[str, str, str]]:
    """(key, number, title) of the official forms that exist for this dossier now."""
    regime = regime_by_code(dossier.regime)
    wanted = []
    if dossier.received_at:
        wanted += ["receipt", "control_slip"]
    if dossier.events.filter(action=EventKind.REQUEST_COMPLETION).exists():
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
    offers = policy.available_actions(dossier, request.user, now())
    agencies = policy.handover_agencies(dossier)
    action_forms = []
    for offer in offers:
        act = Action(offer.action)
        if bound is not None and bound.action == act:
            form = bound
        else:
            form = ActionForm(offer=offer, agencies=agencies, officers=assign.officers_for(dossier, act),
                              initial={"version": dossier.version})
        action_forms.append({"action": act, "label": ACTION_LABELS[act], "form": form, "danger": act in DANGER,
                             "open": bound is not None and bound.action == act, **_hint(dossier, act)})
    steps = list(dossier.steps.select_related("agency").all())
    events = [
        {"event": e, "label": EVENT_LABELS.get(e.action, e.action), "to_label": _status_label(e.to_status)}
        for e in dossier.events.select_related("actor").order_by("seq")
    ]
    roles = policy.acting_roles(request.user, dossier)
    full = privacy.sees_full(request.user, dossier)  # the one rule (screens, forms, API)
    return render(request, "office/dossier.html", {
        "dossier": dossier, "applicant": applicant_view(dossier, full), "documents": dossier.documents.all(),
        "steps": steps, "current": policy.current_step(dossier), "events": events, "action_forms": action_forms,
        "roles": roles, "left": time_left(dossier, now(), Calendars()(dossier.unit)),
        "forms_available": _forms_available(dossier), "error": error, "assign": assign.take(action_forms),
        "regime": regime_by_code(dossier.regime), "just_received": request.GET.get("received") == "1",
        "files": views_files.panel(request.user, dossier),
    }, status=status)


def _hint(dossier: Dossier, act: Action) -> dict[str, object]:
    """A word before acting: the supplement request's deadline (3 working days of receipt), warned
    before and recorded as late after it — never forbidden."""
    if act != Action.REQUEST_SUPPLEMENT:
        return {}
    deadline = policy.supplement_deadline(dossier)
    if deadline is None:
        return {}
    when = timezone.localtime(deadline).strftime("%H:%M %d/%m/%Y")
    if now() > deadline:
        late = _("Đã quá hạn yêu cầu bổ sung (%(when)s, 3 ngày làm việc kể từ khi tiếp nhận): yêu cầu vẫn gửi "
                 "được nhưng được ghi nhận là muộn.")
        return {"hint_late": True, "hint": late % {"when": when}}
    return {"hint": _("Hạn yêu cầu bổ sung: %(when)s (3 ngày làm việc kể từ khi tiếp nhận).") % {"when": when}}


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
    if act is None:
        return _page(request, dossier, error=_("Thao tác này không thực hiện được với hồ sơ lúc này."), status=400)
    offer = next((o for o in policy.available_actions(dossier, request.user, now()) if o.action == act), None)
    if offer is None:
        refused = policy.refusal(dossier, request.user, act, now())
        message = refused.message if refused else _("Thao tác này không thực hiện được với hồ sơ lúc này.")
        return _page(request, dossier, error=message, status=STATUS.get(type(refused), 403))
    form = ActionForm(request.POST, offer=offer, agencies=policy.handover_agencies(dossier),
                      officers=assign.officers_for(dossier, act))
    if not form.is_valid():
        return _page(request, dossier, bound=form, error=_("Vui lòng kiểm tra lại thông tin nhập."), status=400)
    data = form.cleaned_data
    try:
        services.perform(
            dossier, act, actor=request.user, expected_version=data["version"], note=data.get("note", ""),
            reason=data.get("reason", ""), new_due_at=data.get("new_due_at"), agency=data.get("agency"),
            assignee=data.get("assignee"),
        )
    except services.DossierError as exc:
        dossier.refresh_from_db()
        return _page(request, dossier, bound=form, error=exc.message, status=STATUS.get(type(exc), 400))
    messages.success(request, _("Đã thực hiện: %(label)s.") % {"label": ACTION_LABELS[act]})
    dossier.refresh_from_db()
    if not can_see(request.user, dossier):
        return redirect("office:inbox")
    return redirect("office:dossier", code=dossier.code)
