"""Public links to a dossier's status page, as printed in QR codes.

The printed link carries a key derived from the dossier code with the site's secret, so
the citizen holding the receipt opens the page directly; anyone else must type the
verification value (last 4 digits of the applicant's phone or ID number).
"""
from __future__ import annotations

import hmac

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import salted_hmac

SALT = "motcua.portal.lookup"


def lookup_key(code: str) -> str:
    return salted_hmac(SALT, code).hexdigest()[:20]


def key_matches(code: str, key: str) -> bool:
    return hmac.compare_digest(lookup_key(code), key or "")


def public_path(code: str) -> str:
    return f"{reverse('portal:dossier', args=[code])}?k={lookup_key(code)}"


def public_url(code: str) -> str:
    """Absolute URL of the dossier's public status page (for QR codes and emails)."""
    base = getattr(settings, "MOTCUA_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    return base + public_path(code)


def procedure_url(code: str) -> str:
    base = getattr(settings, "MOTCUA_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    return base + reverse("portal:procedure", args=[code])
