"""The one rule for showing an applicant's particulars — the officials' screens, the forms printed
from them and the API apply it alike.

The ID number, phone and e-mail are shown in full only to whoever must check identity or reach the
applicant: the counter of the dossier's agency (or a counter role over its unit), an integration
acting as the system (the portal the dossier came from), and a superuser. Everyone else who may see
the dossier sees ``********4567``: enough to check a card, not enough to copy it. The name and the
address are shown (the forms and the agencies need them).
"""
from __future__ import annotations

import copy
from typing import Any

from motcua.dossiers.models import Dossier
from motcua.roles import Role
from motcua.units import scoping


def mask(value: str, keep_start: int = 0, keep_end: int = 4) -> str:
    """"0123456789" → "******6789"."""
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[len(value) - keep_end:]


def mask_email(value: str) -> str:
    if "@" not in value:
        return mask(value)
    local, domain = value.rsplit("@", 1)
    return f"{local[:1]}***@{domain}"


def sees_full(user: Any, dossier: Dossier, token_role: str | None = None) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if token_role is not None and token_role not in (Role.COUNTER, Role.SYSTEM):
        return False  # a token acts with its one role only
    for sr in scoping.staff_roles(user):
        if token_role == Role.SYSTEM and sr.role == Role.ADMIN:
            if sr.unit_id is not None and dossier.unit_id in scoping.descendant_unit_ids(sr.unit_id):
                return True
        if sr.role != Role.COUNTER or token_role == Role.SYSTEM:
            continue
        if sr.agency_id is not None and sr.agency_id == dossier.agency_id:
            return True
        if sr.agency_id is None and dossier.unit_id in scoping.descendant_unit_ids(sr.unit_id):
            return True
    return False


def applicant_view(dossier: Dossier, full: bool) -> dict[str, Any]:
    """The applicant's particulars, masked unless ``full``."""
    return {
        "name": dossier.applicant_name,
        "id_number": dossier.applicant_id if full else mask(dossier.applicant_id),
        "phone": dossier.applicant_phone if full else mask(dossier.applicant_phone, 3, 2),
        "email": dossier.applicant_email if full else mask_email(dossier.applicant_email),
        "address": dossier.applicant_address,
        "masked": not full,
    }


def as_seen(dossier: Dossier, full: bool) -> Dossier:
    """The dossier as this viewer may see it, for a form printed from it: a copy (never saved) with the
    particulars masked unless ``full``."""
    if full:
        return dossier
    seen = copy.copy(dossier)
    seen.applicant_id = mask(dossier.applicant_id)
    seen.applicant_phone = mask(dossier.applicant_phone, 3, 2)
    seen.applicant_email = mask_email(dossier.applicant_email)
    seen.save = _never_saved  # type: ignore[method-assign]
    return seen


def _never_saved(*args: Any, **kwargs: Any) -> None:
    raise RuntimeError("a masked copy of a dossier is never saved")
