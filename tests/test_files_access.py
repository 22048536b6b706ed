"""Files of a dossier: who reaches them, what is refused, what the 766 index counts.

Scans at the counter, result files attached by the head and supplements sent by the citizen are
stored under MEDIA_ROOT, which no URL serves; they come out only through the officials' document
view (scoping) and the citizen's result download (the verified key).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.views import static

from motcua.dossiers import services
from motcua.dossiers.models import Document, DocumentKind
from motcua.portal import uploads
from motcua.portal.links import lookup_key
from motcua.quality.compute import compute_index
from tests.factories import at, make_world
from tests.files_support import (
    PDF,
    client_for,
    exe_as_pdf,
    pdf,
    received,
    required_documents,
    staff,
    to_processing,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]  # uploads in a temporary folder


@pytest.fixture
def world():
    w = make_world()
    w.required = required_documents(w)
    return w


def resolved_with_result(world, people, name: str = "giay-chung-nhan.pdf"):
    """A dossier of the world's agency, resolved, with a result file the head attached through the screen."""
    d = to_processing(received(world))
    d = services.perform(d, "hand_over", role="specialist")
    d = services.perform(d, "resolve", role="head")
    response = client_for(people.head).post(f"/office/dossiers/{d.code}/tep/ket-qua/",
                                            {"name": "Giấy chứng nhận", "result": pdf(name, b"result")})
    assert response.status_code == 302, response.content.decode()[:500]
    return d, d.documents.get(kind=DocumentKind.RESULT)


def test_a_file_of_another_units_dossier_is_404_for_an_official_and_for_a_wrong_verification(world):
    mine, theirs = staff(world.agency), staff(world.other_agency, prefix="hai.")
    d, result = resolved_with_result(world, mine)
    scan = uploads.store(d, "Tờ khai", pdf("to-khai.pdf"), world.required[0].pk, uploaded_by=mine.counter)
    other = services.receive(procedure=world.procedure, unit=world.other_commune, agency=world.other_agency)
    for doc in (scan, result):
        url = f"/office/dossiers/{d.code}/documents/{doc.pk}/"
        assert client_for(mine.counter).get(url).status_code == 200
        for official in (theirs.counter, theirs.head):
            assert client_for(official).get(url).status_code == 404
            # ... nor through a dossier the official does see
            assert client_for(official).get(f"/office/dossiers/{other.code}/documents/{doc.pk}/").status_code == 404
        assert Client().get(url).status_code == 302  # to the login page
    # The citizen: the result only with this dossier's own key.
    url = f"/tra-cuu/{d.code}/ket-qua/{result.pk}/"
    assert Client().get(f"{url}?k={lookup_key(d.code)}").status_code == 200
    for key in ("", "0" * 20, lookup_key(other.code), lookup_key(d.code)[:-1] + "x"):
        assert Client().get(f"{url}?k={key}").status_code == 404, key
    assert Client().get(f"/tra-cuu/{other.code}/ket-qua/{result.pk}/?k={lookup_key(other.code)}").status_code == 404
    # Nor is a scan of the dossier a "result" the citizen may download.
    assert Client().get(f"/tra-cuu/{d.code}/ket-qua/{scan.pk}/?k={lookup_key(d.code)}").status_code == 404


def test_an_executable_renamed_pdf_is_refused_by_name_and_the_good_file_of_the_same_post_kept(world):
    people = staff(world.agency)
    d = received(world, documents=("Tờ khai", "Bản sao giấy khai sinh"))
    first, second = world.required
    counter = client_for(people.counter)
    url = f"/office/dossiers/{d.code}/tep/quet/"
    response = counter.post(url, {f"doc_{first.pk}": [pdf("to-khai.pdf")],
                                  f"doc_{second.pk}": [exe_as_pdf("khai-sinh.pdf"), pdf("khai-sinh-trang-2.pdf")]},
                            follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "khai-sinh.pdf không phải PDF, JPEG hay PNG" in page
    assert "Đã lưu 2 tệp: to-khai.pdf, khai-sinh-trang-2.pdf" in page
    kept = {doc.original_name: doc for doc in d.documents.exclude(file="")}
    assert set(kept) == {"to-khai.pdf", "khai-sinh-trang-2.pdf"}
    assert all(doc.kind == DocumentKind.INTAKE and doc.uploaded_by == people.counter for doc in kept.values())
    # Each scan completed the paper row of its document (no second line on the receipt).
    assert d.documents.count() == 2 and all(doc.paper for doc in kept.values())
    assert kept["khai-sinh-trang-2.pdf"].required_document == second
    assert not any(p.read_bytes().startswith(b"MZ") for p in Path(django_settings.MEDIA_ROOT).rglob("*") if p.is_file())
    # Only bad files: nothing kept, the page says which (400).
    alone = counter.post(url, {f"doc_{first.pk}": [exe_as_pdf("setup.pdf")]})
    assert alone.status_code == 400 and "setup.pdf không phải PDF" in alone.content.decode()
    assert d.documents.exclude(file="").count() == 2


def test_sizes_and_counts_are_bounded_and_empty_posts_said(world, settings):
    settings.MOTCUA_UPLOAD_MAX_BYTES = 1024
    settings.MOTCUA_UPLOAD_MAX_FILES = 3
    people = staff(world.agency)
    d = received(world)
    counter = client_for(people.counter)
    url = f"/office/dossiers/{d.code}/tep/quet/"
    field = f"doc_{world.required[0].pk}"
    big = counter.post(url, {field: [pdf("lon.pdf", b"0" * 2048), pdf("nho.pdf")]}, follow=True).content.decode()
    assert "Tệp lon.pdf quá lớn" in big and "Đã lưu 1 tệp: nho.pdf" in big
    many = counter.post(url, {field: [pdf(f"{i}.pdf") for i in range(4)]})
    assert many.status_code == 400 and "tối đa 3 tệp" in many.content.decode()
    empty = counter.post(url, {})
    assert empty.status_code == 400 and "Chưa chọn tệp" in empty.content.decode()
    assert d.documents.exclude(file="").count() == 1


def test_who_attaches_what(world):
    people = staff(world.agency)
    d = to_processing(received(world))
    scan, result = f"/office/dossiers/{d.code}/tep/quet/", f"/office/dossiers/{d.code}/tep/ket-qua/"
    # The counter may not attach a result; the head, who decides, does not scan the intake.
    assert client_for(people.counter).post(result, {"result": pdf("kq.pdf")}).status_code == 403
    assert client_for(people.head).post(scan, {f"doc_{world.required[0].pk}": pdf("a.pdf")}).status_code == 403
    assert client_for(people.head).post(result, {"result": pdf("kq.pdf")}).status_code == 302
    assert client_for(people.specialist).post(scan, {f"doc_{world.required[0].pk}": pdf("a.pdf")}).status_code == 302
    assert not d.documents.filter(kind=DocumentKind.RESULT, uploaded_by=people.counter).exists()
    # Another unit's official is not told the dossier exists.
    other = staff(world.other_agency, prefix="hai.")
    assert client_for(other.head).post(result, {"result": pdf("kq.pdf")}).status_code == 404


def _routes(patterns, prefix: str = ""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def test_nothing_under_the_media_root_is_reachable_without_a_check(world, media_root):
    people = staff(world.agency)
    d = received(world)
    doc = uploads.store(d, "Tờ khai", pdf("to-khai.pdf", b"secret-bytes"), world.required[0].pk)
    stored = doc.file.name  # dossiers/YYYY/MM/<random>.pdf
    assert (media_root / stored).read_bytes().endswith(b"secret-bytes")
    basename = stored.rsplit("/", 1)[-1]
    guesses = [f"/media/{stored}", f"/media/{basename}", f"/{stored}", f"/{basename}", f"/static/{stored}",
               f"/static/../media/{stored}", f"/var/media/{stored}", f"/static/media/{stored}", "/media/",
               f"/office/{stored}", f"/tra-cuu/{stored}", f"/static/%2e%2e/var/media/{stored}"]
    for client in (Client(), client_for(people.counter)):
        for path in guesses:
            response = client.get(path)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert response.status_code in (301, 302, 404) and b"secret-bytes" not in body, path
    # No route serves files from a folder (django.views.static.serve), none is under a media prefix.
    for route, callback in _routes(get_resolver().url_patterns):
        assert callback is not static.serve, route
        assert not route.startswith(("media", "var")), route
    # The project's media root lies outside everything the site serves (static files, WhiteNoise).
    from motcua import settings as project

    configured = Path(project.MEDIA_ROOT).resolve()
    for served in [Path(project.STATIC_ROOT), *map(Path, project.STATICFILES_DIRS)]:
        assert not configured.is_relative_to(served.resolve()), served
    assert not getattr(project, "WHITENOISE_ROOT", None)
    # Through the check: the stored type, never sniffed again by the browser, a name made here.
    served = client_for(people.counter).get(f"/office/dossiers/{d.code}/documents/{doc.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"] == f'inline; filename="{d.code}-{doc.pk}.pdf"'
    assert b"".join(served.streaming_content).endswith(b"secret-bytes")


def test_the_result_file_downloads_only_with_the_right_key_once_the_dossier_has_its_result(world):
    people = staff(world.agency)
    d = services.perform(to_processing(received(world)), "hand_over", role="specialist")
    head = client_for(people.head)
    # Attached while the head is still deciding: not yet the citizen's.
    assert head.post(f"/office/dossiers/{d.code}/tep/ket-qua/",
                     {"name": "Giấy chứng nhận", "result": pdf("gcn.pdf", b"the-result")}).status_code == 302
    result = d.documents.get(kind=DocumentKind.RESULT)
    assert (result.name, result.uploaded_by) == ("Giấy chứng nhận", people.head)
    key = lookup_key(d.code)
    page = Client().get(f"/tra-cuu/{d.code}/?k={key}").content.decode()
    assert f"/ket-qua/{result.pk}/" not in page
    assert Client().get(f"/tra-cuu/{d.code}/ket-qua/{result.pk}/?k={key}").status_code == 404
    services.perform(d, "resolve", role="head")
    page = Client().get(f"/tra-cuu/{d.code}/?k={key}").content.decode()
    assert f"/tra-cuu/{d.code}/ket-qua/{result.pk}/?k={key}" in page and "Giấy chứng nhận" in page
    response = Client().get(f"/tra-cuu/{d.code}/ket-qua/{result.pk}/?k={key}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{d.code}-ket-qua-{result.pk}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF + b"the-result"
    assert Client().get(f"/tra-cuu/{d.code}/ket-qua/{result.pk}/?k={'1' * 20}").status_code == 404
    # Without the key the status page itself is the lookup form (no link to the file).
    assert f"/ket-qua/{result.pk}/" not in Client().get(f"/tra-cuu/{d.code}/", follow=True).content.decode()


def test_the_766_digitised_count_changes_with_an_intake_scan_but_not_with_a_result_file(world):
    people = staff(world.agency)
    d = received(world, at=at("2026-03-02 09:00"))
    d = to_processing(d, at=at("2026-03-02 10:00"))
    march = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))

    def digitised() -> float:
        return compute_index(world.commune.code, *march)["facts"]["digitised"]["value"]

    assert digitised() == 0  # received on paper only
    head = client_for(people.head)
    d = services.perform(d, "hand_over", role="specialist", at=at("2026-03-03 09:00"))
    assert head.post(f"/office/dossiers/{d.code}/tep/ket-qua/", {"result": pdf("kq.pdf")}).status_code == 302
    assert Document.objects.filter(dossier=d, kind=DocumentKind.RESULT).exclude(file="").exists()
    assert digitised() == 0  # the result file is the result, not the dossier digitised
    counter = client_for(people.counter)
    assert counter.post(f"/office/dossiers/{d.code}/tep/quet/",
                        {f"doc_{world.required[0].pk}": pdf("to-khai.pdf")}).status_code == 302
    assert digitised() == 1


def test_the_dossier_page_shows_each_required_document_with_its_scans(world):
    people = staff(world.agency)
    d = received(world, documents=("Tờ khai",))
    uploads.store(d, "Tờ khai", pdf("to-khai-quet.pdf"), world.required[0].pk, uploaded_by=people.counter,
                  into=d.documents.get())
    page = client_for(people.counter).get(f"/office/dossiers/{d.code}/").content.decode()
    assert "to-khai-quet.pdf" in page and "đã số hóa" in page
    assert f'name="doc_{world.required[1].pk}"' in page  # the counter may scan the missing one
    assert f'name="doc_{world.required[1].pk}"' not in client_for(people.head).get(
        f"/office/dossiers/{d.code}/").content.decode()
