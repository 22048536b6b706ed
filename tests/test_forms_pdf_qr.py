"""The QR code printed on the receipt (form 01) and the result notice leads to the dossier's public page.

The page is rasterised with pdftoppm (Debian poppler-utils) at 150 dpi, as a phone camera would see a
print, and the QR code decoded with zxing-cpp.
"""
from __future__ import annotations

import shutil
from urllib.parse import urlsplit

import pytest
from django.test import override_settings

from motcua.documents.forms import render_form, render_result
from motcua.documents.render import public_url
from tests.browser_support import pdf_qr_codes
from tests.test_forms_pdf import NHUNG, SINH, full_history, make_place

zxingcpp = pytest.importorskip("zxingcpp")
Image = pytest.importorskip("PIL.Image")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (Debian poppler-utils)"),
]
BASE = "https://dichvucong.tuyenquang.example.vn"


@pytest.fixture(params=[("2018", "2024-03-05 08:30", NHUNG), ("2025", "2025-08-12 09:15", SINH)], ids=["2018", "2025"])
def dossier(request: pytest.FixtureRequest):  # noqa: ANN201
    regime, when, name = request.param
    return full_history(make_place(regime), when, name)


@override_settings(MOTCUA_PUBLIC_BASE_URL=BASE + "/")
@pytest.mark.parametrize("render", [lambda d: render_form(d, "receipt"), render_result], ids=["receipt", "result"])
def test_the_qr_code_holds_the_public_page_url(dossier, render, tmp_path) -> None:
    texts = pdf_qr_codes(render(dossier), tmp_path)
    assert texts == [public_url(dossier.code)]
    assert texts[0].startswith(f"{BASE}/tra-cuu/{dossier.code}/")


def test_forms_without_a_qr_code_have_none(dossier, tmp_path) -> None:
    assert pdf_qr_codes(render_form(dossier, "control_slip"), tmp_path) == []


def test_the_qr_code_opens_the_dossier_page(dossier, client, tmp_path) -> None:
    (url,) = pdf_qr_codes(render_form(dossier, "receipt"), tmp_path)
    parts = urlsplit(url)
    response = client.get(f"{parts.path}?{parts.query}" if parts.query else parts.path)
    assert response.status_code == 200
    assert dossier.code in response.content.decode()
