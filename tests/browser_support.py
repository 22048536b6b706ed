"""Fixtures and helpers for the browser journeys (tests/test_journeys*.py).

Debian's Chromium (/usr/bin/chromium, installed by scripts/system-deps.sh) driven by Playwright's
sync API against pytest-django's ``live_server``. No browser is ever downloaded: Playwright only
gets ``executable_path``. Every screen a journey passes through is saved as a PNG under
``test-artifacts/screenshots/<test>/<nn>-<name>.png`` (git-ignored).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (scripts/system-deps.sh)"
)
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="needs pdftotext and pdftoppm (Debian poppler-utils)",
)


@pytest.fixture(scope="session", name="chromium")
def chromium_fixture() -> Iterator[Any]:
    """One Chromium for the whole run (a fresh context per actor keeps sessions apart)."""
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's Chromium at /usr/bin/chromium (scripts/system-deps.sh)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (requirements-dev.txt)")
    # Playwright's sync API keeps an event loop running in this thread; the ORM calls the tests make
    # between browser steps are ordinary synchronous calls and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Shots:
    """Numbered screenshots of one test: 01-login.png, 02-intake.png, ..."""

    folder: Path
    taken: list[Path] = field(default_factory=list)

    def __call__(self, page: Any, name: str) -> Path:
        path = self.folder / f"{len(self.taken) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        return path


@pytest.fixture(name="shots")
def shots_fixture(request: pytest.FixtureRequest) -> Shots:
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return Shots(folder)


@dataclass
class Site:
    """The live server as seen by several people, each in their own browser context."""

    browser: Any
    base: str
    contexts: list[Any] = field(default_factory=list)

    def open(self, *, phone: bool = False) -> Any:
        """A new page in a fresh context (no cookies): a citizen, or an officer before logging in."""
        options: dict[str, Any] = {"base_url": self.base, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}
        if phone:
            options.update(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
        else:
            options.update(viewport=DESKTOP)
        context = self.browser.new_context(**options)
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        return context.new_page()

    def login(self, username: str, password: str, shots: Shots | None = None) -> Any:
        """Log in through the real login page; returns the officer's page (on the inbox)."""
        page = self.open()
        page.goto("/office/")  # login_required sends us to the login page with ?next=
        assert "/accounts/login/" in page.url
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        if shots is not None:
            shots(page, f"login-{username}")
        page.click("form button[type=submit]")
        page.wait_for_url(re.compile(r"/office/$"))
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture(name="site")
def site_fixture(chromium: Any, live_server: Any, settings: Any) -> Iterator[Site]:
    # The receipt's QR code and the status links must point at this live server.
    settings.MOTCUA_PUBLIC_BASE_URL = live_server.url
    result = Site(chromium, live_server.url)
    try:
        yield result
    finally:
        result.close()


@pytest.fixture(name="media_root")
def media_root_fixture(settings: Any, tmp_path: Path) -> Path:
    """Uploads of the test go to a temporary folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- office page actions --------------------------------------------------------------------------

def act(page: Any, action: str, note: str = "", reason: str = "") -> None:
    """Open the action's <details> on the dossier page, fill it, confirm, and wait for the page to come back."""
    box = page.locator(f"details[data-action={action}]")
    assert box.count() == 1, f"action {action!r} is not offered on {page.url}: {offered(page)}"
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    if note:
        box.locator(f"textarea[name='{action}-note']").fill(note)
    if reason:
        box.locator(f"textarea[name='{action}-reason']").fill(reason)
    with page.expect_navigation():
        box.locator("button[type=submit]").click()
    error = page.locator("[data-testid=error]")
    assert error.count() == 0, f"{action}: {error.inner_text()}"


def offered(page: Any) -> list[str]:
    return page.locator("details[data-action]").evaluate_all("els => els.map(e => e.dataset.action)")


def status_text(page: Any) -> str:
    return page.locator("[data-testid=status]").inner_text().strip()


def timeline_text(page: Any) -> str:
    return page.locator("[data-testid=timeline]").inner_text()


# --- PDFs -----------------------------------------------------------------------------------------

def pdf_text(pdf: bytes, folder: Path) -> str:
    path = folder / "form.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True)
    return done.stdout


def pdf_qr_codes(pdf: bytes, folder: Path) -> list[str]:
    """The QR codes on page 1, rasterised at 150 dpi as a phone camera would see a print."""
    import zxingcpp
    from PIL import Image

    path = folder / "qr.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", str(path), str(folder / "qr-page")],
                   check=True)
    (png,) = sorted(folder.glob("qr-page*.png"))
    with Image.open(png) as image:
        return [b.text for b in zxingcpp.read_barcodes(image) if b.format == zxingcpp.BarcodeFormat.QRCode]


def tiny_pdf(title: str) -> bytes:
    """A small valid one-page PDF (what a citizen would scan and upload)."""
    text = f"BT /F1 18 Tf 72 720 Td ({title}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# --- the office the journeys run in ---------------------------------------------------------------

PASSWORD = "mat-khau-hanh-trinh-1"


@dataclass
class Office:
    world: Any
    procedure: Any
    counter: Any
    specialist: Any
    head: Any


def make_office() -> Office:
    """Two communes of a province (each with a one-stop agency), a marriage-registration-like procedure
    of 5 working days routed counter → specialist → head, open to full online submission, and the three
    officers of the first commune."""
    from django.contrib.auth.models import User

    from motcua.catalog.models import Field, Procedure, RequiredDocument, RouteStep
    from motcua.units.models import StaffRole
    from tests.factories import make_world

    world = make_world()
    field_, _ = Field.objects.get_or_create(code="HOTICH", defaults={"name": "Hộ tịch"})
    procedure = Procedure.objects.create(
        code="T.KH0001", name="Đăng ký kết hôn", field=field_, levels=["commune"], legal_minutes=5 * 480,
        clock_policy="pause", channels=["counter", "online_full"], result_type="Giấy chứng nhận kết hôn",
        legal_basis="Luật Hộ tịch 2014",
    )
    for order, (name, required) in enumerate(
        [("Tờ khai đăng ký kết hôn", True), ("Giấy xác nhận tình trạng hôn nhân", True),
         ("Văn bản ủy quyền", False)], start=1,
    ):
        RequiredDocument.objects.create(procedure=procedure, order=order, name=name, required=required)
    for order, (name, role, share) in enumerate(
        [("Tiếp nhận, kiểm tra hồ sơ", "counter", 60), ("Công chức tư pháp - hộ tịch thẩm tra", "specialist", 1860),
         ("Lãnh đạo ký", "head", 480)], start=1,
    ):
        RouteStep.objects.create(procedure=procedure, order=order, name=name, role=role, share_minutes=share)

    def officer(username: str, full_name: str, role: str) -> Any:
        # Django's get_full_name() is "first last"; a Vietnamese name is written whole, family name first.
        user = User.objects.create_user(username=username, password=PASSWORD, first_name=full_name)
        StaffRole.objects.create(user=user, role=role, agency=world.agency)
        return user

    return Office(
        world=world, procedure=procedure,
        counter=officer("motcua", "Trần Thị Lan", "counter"),
        specialist=officer("tuphap", "Lê Văn Minh", "specialist"),
        head=officer("lanhdao", "Phạm Quốc Hùng", "head"),
    )
