"""One renderer: a Django template → HTML → PDF (WeasyPrint), with the bundled fonts and QR codes.

The fonts are Liberation Serif 2.1 (Times New Roman metrics, full Vietnamese coverage) shipped in
``fonts/`` and loaded by ``@font-face`` with file:// URLs, so a PDF looks the same on every machine
whatever fonts the system has.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import NoReverseMatch

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "Motcua Liberation Serif"
FONT_FILES = {
    ("normal", "normal"): "LiberationSerif-Regular.ttf",
    ("bold", "normal"): "LiberationSerif-Bold.ttf",
    ("normal", "italic"): "LiberationSerif-Italic.ttf",
    ("bold", "italic"): "LiberationSerif-BoldItalic.ttf",
}
DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"


def font_faces_css() -> str:
    """The @font-face rules for the bundled fonts (file:// URLs)."""
    rules = []
    for (weight, style), name in FONT_FILES.items():
        url = (FONTS_DIR / name).as_uri()
        rules.append(
            f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{url}") format("truetype"); '
            f"font-weight: {weight}; font-style: {style}; }}"
        )
    return "\n".join(rules)


def public_base_url() -> str:
    return getattr(settings, "MOTCUA_PUBLIC_BASE_URL", DEFAULT_PUBLIC_BASE_URL).rstrip("/")


def public_url(code: str) -> str:
    """The dossier's public status page: ``{MOTCUA_PUBLIC_BASE_URL}/tra-cuu/{code}/``.

    When the citizens' portal is installed its link is used (it adds the key that opens the page
    without typing the verification value); otherwise the plain address.
    """
    try:
        from motcua.portal.links import public_url as portal_public_url

        return portal_public_url(code)
    except (ImportError, NoReverseMatch):
        return f"{public_base_url()}/tra-cuu/{quote(code, safe='')}/"


def qr_data_uri(data: str) -> str:
    """A QR code as an SVG data URI (error correction M; the quiet zone is the standard 4 modules)."""
    return segno.make(data, error="m", micro=False).svg_data_uri(scale=4, border=4)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    return HTML(string=html, base_url=str(FONTS_DIR)).write_pdf(font_config=font_config)


def render_template_pdf(template: str, context: dict[str, Any]) -> bytes:
    """Render ``template`` with the base context (fonts) and return the PDF bytes."""
    html = render_to_string(template, {"font_faces": font_faces_css(), "font_family": FONT_FAMILY, **context})
    return html_to_pdf(html)
