"""``{% citizen_files dossier as files %}``: what the status page shows of the dossier's files
(motcua.portal.files.panel), with the key its forms and links carry."""
from __future__ import annotations

from typing import Any

from django import template

from motcua.dossiers.models import Dossier
from motcua.portal import files
from motcua.portal.links import lookup_key

register = template.Library()


@register.simple_tag
def citizen_files(dossier: Dossier) -> dict[str, Any]:
    return {**files.panel(dossier), "key": lookup_key(dossier.code)}
