"""What an API caller may see and with which roles it acts: the project's rules, applied to a caller.

Visibility is ``motcua.units.scoping``; acting roles and intake are ``motcua.dossiers.policy``. A
token acts with its own role where its user acts; a session user with its acting staff roles.
"""
from __future__ import annotations

from django.db.models import QuerySet

from motcua.api.auth import Caller
from motcua.dossiers import policy
from motcua.dossiers.models import Dossier
from motcua.units import scoping
from motcua.units.models import AdministrativeUnit, Agency


def token_role(caller: Caller) -> str | None:
    return caller.token.role if caller.token is not None else None


def visible_dossiers(caller: Caller) -> QuerySet[Dossier]:
    return scoping.visible_dossiers(caller.user, Dossier.objects.select_related("procedure", "unit", "agency"))


def roles_for(caller: Caller, dossier: Dossier) -> list[str]:
    return policy.acting_roles(caller.user, dossier, token_role(caller))


def intake_role(caller: Caller, unit: AdministrativeUnit, agency: Agency | None) -> str | None:
    return policy.intake_role(caller.user, unit, agency, token_role(caller))
