"""Who may do what to a dossier, now: the one decision function and the one rule for acting roles.

``DOSSIERS`` is the lifecycle table (``lifecycle.TABLE``) with every condition beyond the status.
``available_actions(dossier, user, at)`` is what the officials' screens offer and what the API lists;
``services.perform`` asks the same ``DOSSIERS.decide`` with the same ``acting_roles`` before it
writes anything, so the three cannot disagree.

Acting roles (narrower than seeing, ``motcua.units.scoping``): a staff role acts on a dossier
  - held at an agency: when that agency is the dossier's own, or the agency of its current step
    (or, for a dossier that names no agency, an agency of its unit) — an agency that handled an
    earlier step, or will handle a later one, reads the dossier but does not act on it;
  - held at a unit: leaders on the dossiers of that very unit, the other roles on the dossiers of
    the unit's tree;
  - inspectors and administrators never act.
An API token acts with its own role wherever its user holds a role that acts on the dossier, an
administrator's role included (an integration's account is the administrator of what it serves).
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from motcua.dossiers import lifecycle
from motcua.dossiers.lifecycle import Action, Status
from motcua.dossiers.models import Dossier, DossierStep
from motcua.regimes import regime_by_code
from motcua.roles import ACTING_STAFF_ROLES, Role
from motcua.statemachine import Lifecycle, LifecycleError, Offer
from motcua.units import scoping
from motcua.units.calendars import calendar_for_unit
from motcua.units.models import AdministrativeUnit, Agency, StaffRole
from motcua.workdays import MINUTES_PER_WORKING_DAY, TZ, Calendar

TOKEN_SCOPE_ROLES = ACTING_STAFF_ROLES | {Role.ADMIN}


def as_instant(at: dt.datetime | None) -> dt.datetime:
    """``at`` (now when None) as an aware instant; a naive one is read in Vietnam's time."""
    at = at or timezone.now()
    return at.replace(tzinfo=TZ) if timezone.is_naive(at) else at


def current_step(dossier: Dossier) -> DossierStep | None:
    if not dossier.current_step:
        return None
    return next((s for s in dossier.steps.all() if s.order == dossier.current_step), None)


# --- acting roles -----------------------------------------------------------------------------------

def _acts_here(staff_role: StaffRole, dossier: Dossier, step_agency_id: int | None, token: bool = False) -> bool:
    """Whether this one staff role acts on the dossier at its current step (module doc); for an API
    token, an administrator's role counts too."""
    if staff_role.role not in (TOKEN_SCOPE_ROLES if token else ACTING_STAFF_ROLES):
        return False
    if staff_role.agency_id is not None:
        if staff_role.agency_id in (dossier.agency_id, step_agency_id):
            return True
        return dossier.agency_id is None and dossier.unit_id == staff_role.agency.unit_id
    if staff_role.role == Role.LEADER:
        return dossier.unit_id == staff_role.unit_id
    return dossier.unit_id in scoping.descendant_unit_ids(staff_role.unit_id)


def acting_roles(user: Any, dossier: Dossier, token_role: str | None = None) -> list[str]:
    """The roles ``user`` acts with on ``dossier`` now, in the order granted; with ``token_role`` (an
    API token), that role alone, where the token's user acts on the dossier (or is a superuser)."""
    if not getattr(user, "is_authenticated", False):
        return []
    step = current_step(dossier)
    step_agency = step.agency_id if step is not None else None
    token = token_role is not None
    held = [sr for sr in scoping.staff_roles(user) if _acts_here(sr, dossier, step_agency, token)]
    if token_role is not None:
        return [token_role] if held or user.is_superuser else []
    found: list[str] = []
    for sr in held:
        if sr.role not in found:
            found.append(sr.role)
    return found


# --- the conditions beyond the status ---------------------------------------------------------------

def apology_open(d: Dossier, at: dt.datetime, calendar: Calendar | None = None) -> bool:
    """An apology may be sent only before the due instant, with at least the lead time
    (``MOTCUA_APOLOGY_LEAD_MINUTES`` working minutes; a setting, by default one working day) left."""
    if d.due_at is None or at >= d.due_at:
        return False
    lead = settings.MOTCUA_APOLOGY_LEAD_MINUTES
    cal = calendar or calendar_for_unit(d.unit)
    return lead <= 0 or cal.working_time_between(at, d.due_at) >= lead


def _apology(d: Dossier, at: dt.datetime) -> str | None:
    if d.extended_due_at is not None:
        return "Hồ sơ đã có một lần xin lỗi và hẹn lại ngày trả; chỉ được hẹn lại một lần."
    if not apology_open(d, at):
        return "Phiếu xin lỗi phải gửi trước thời hạn giải quyết (chậm nhất 1 ngày làm việc trước hạn)."
    return None


def _stop(d: Dossier, at: dt.datetime) -> str | None:
    if regime_by_code(d.regime).closing_on_request != "stop":
        return "Chế độ pháp lý của hồ sơ này không có thông báo dừng giải quyết; người nộp rút hồ sơ."
    return None


def _withdraw(d: Dossier, at: dt.datetime) -> str | None:
    """Before receipt an online dossier may always be withdrawn; a received one, where the regime says."""
    if d.status != Status.SUBMITTED and regime_by_code(d.regime).closing_on_request != "withdraw":
        return "Theo quy định hiện hành, người nộp đề nghị dừng giải quyết hồ sơ (mẫu 05) thay cho rút hồ sơ."
    return None


def _supplement_allowed(d: Dossier, at: dt.datetime) -> str | None:
    limit = regime_by_code(d.regime).max_supplement_requests
    if limit is not None and d.supplement_requests >= limit:
        return f"Chỉ được yêu cầu bổ sung hồ sơ trong quá trình giải quyết {limit} lần."
    return None


def latest_apology_date(d: Dossier, calendar: Calendar | None = None) -> dt.datetime:
    """The latest new date an apology may give: the due instant plus the procedure's legal time times
    the regime's factor (``MOTCUA_APOLOGY_MAX_EXTENSION``, a setting; by default the legal time again)."""
    factor = float(settings.MOTCUA_APOLOGY_MAX_EXTENSION.get(d.regime, 1.0))
    cal = calendar or calendar_for_unit(d.unit)
    assert d.due_at is not None
    return cal.add_working_time(d.due_at, int(d.procedure.legal_minutes * factor))


def supplement_deadline(d: Dossier, calendar: Calendar | None = None) -> dt.datetime | None:
    """The last instant to ask for a supplement on time: N working days after the clock started
    (N from the regime, Decree 61/2018 art. 19(4): 3). Later requests are recorded as late."""
    if d.clock_start is None:
        return None
    days = regime_by_code(d.regime).supplement_request_days
    return (calendar or calendar_for_unit(d.unit)).add_working_time(d.clock_start, days * MINUTES_PER_WORKING_DAY)


def _next_step(d: Dossier, at: dt.datetime) -> str | None:
    steps = len(d.steps.all())
    if steps and d.current_step >= steps:
        return "Hồ sơ đang ở bước cuối của quy trình; không còn bước để chuyển."
    return None


def _completion_once(d: Dossier, at: dt.datetime) -> str | None:
    if d.events.filter(action=lifecycle.EventKind.REQUEST_COMPLETION).exists():
        return "Chỉ được yêu cầu bổ sung, hoàn thiện hồ sơ một lần, nêu đủ mọi thành phần còn thiếu."
    return None


DOSSIERS = Lifecycle(
    name="dossier",
    table=lifecycle.TABLE,
    conditions={
        Action.APOLOGIZE: [_apology],
        Action.STOP: [_stop],
        Action.WITHDRAW: [_withdraw],
        Action.REQUEST_SUPPLEMENT: [_supplement_allowed],
        Action.HAND_OVER: [_next_step],
        Action.REQUEST_COMPLETION: [_completion_once],
    },
    action_labels=lifecycle.ACTION_LABELS,
    status_labels=lifecycle.STATUS_LABELS,
)


def available_actions(
    dossier: Dossier, user: Any, at: dt.datetime | None = None, token_role: str | None = None
) -> list[Offer]:
    """What ``user`` (or its API token with ``token_role``) may do to ``dossier`` now."""
    return DOSSIERS.available(dossier, acting_roles(user, dossier, token_role), as_instant(at))


def refusal(
    dossier: Dossier, user: Any, action: str, at: dt.datetime | None = None, token_role: str | None = None
) -> LifecycleError | None:
    """Why ``user`` may not take ``action`` on ``dossier`` now (None if it may): for a screen to say."""
    return DOSSIERS.refusal(dossier, action, acting_roles(user, dossier, token_role), as_instant(at))


def can_apologize(d: Dossier, at: dt.datetime | None = None) -> bool:
    """Whether the apology (form 04) may still be sent, whoever sends it (for the warnings)."""
    return DOSSIERS.refusal(d, Action.APOLOGIZE, [lifecycle.SYSTEM], as_instant(at)) is None


def handover_agencies(dossier: Dossier) -> QuerySet[Agency]:
    """Where the next step may go: an agency of the dossier's route, or a current agency of the
    dossier's unit or of a unit above it."""
    units = [u.pk for u in dossier.unit.ancestors()]
    route = [s.agency_id for s in dossier.steps.all() if s.agency_id]
    return Agency.objects.filter(Q(unit_id__in=units, valid_to__isnull=True) | Q(pk__in=route)).order_by(
        "level", "name"
    )


def intake_role(
    user: Any, unit: AdministrativeUnit, agency: Agency | None, token_role: str | None = None
) -> str | None:
    """The role with which ``user`` brings a new dossier to ``unit``/``agency``: a counter role
    there (a session), or the token's role where its user acts (an API token); None if neither."""
    if not getattr(user, "is_authenticated", False):
        return None
    place = SimpleNamespace(unit_id=unit.pk, agency_id=agency.pk if agency is not None else None)
    token = token_role is not None
    held = [sr for sr in scoping.staff_roles(user) if _acts_here(sr, place, None, token)]  # type: ignore[arg-type]
    if token_role is not None:
        return token_role if held or user.is_superuser else None
    return Role.COUNTER if any(sr.role == Role.COUNTER for sr in held) else None
