"""With which roles an API caller acts: the project's rules, applied to a caller.

Acting roles and intake are ``motcua.dossiers.policy``; what a caller sees is ``motcua.units.scoping``
(one dossier: ``can_see_dossier``, as on the office screens). A token acts with its own role where its
user acts; a session user with its acting staff roles.
"""
from __future__ import annotations

from motcua.api.auth import Caller
from motcua.dossiers import policy
from motcua.dossiers.models import Dossier
from motcua.units.models import AdministrativeUnit, Agency


def token_role(caller: Caller) -> str | None:
    return caller.token.role if caller.token is not None else None


def roles_for(caller: Caller, dossier: Dossier) -> list[str]:
    return policy.acting_roles(caller.user, dossier, token_role(caller))


def intake_role(caller: Caller, unit: AdministrativeUnit, agency: Agency | None) -> str | None:
    return policy.intake_role(caller.user, unit, agency, token_role(caller))
