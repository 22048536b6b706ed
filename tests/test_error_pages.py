"""The error pages speak Vietnamese, with a way back, and never show a traceback (DEBUG off, as in
production): 404 and 403 in the citizens' or the officials' frame, 400 for a foreign host, the CSRF
page, and 500 for a view that raises — rendered without the database. The API answers in JSON."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path

import motcua.urls

SECRET = "chi-tiet-noi-bo-khong-duoc-lo-ra"


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(SECRET)


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied(SECRET)


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation(SECRET)


# This module is also the URL configuration of the tests below: the site's, plus views that fail.
handler400, handler403 = motcua.urls.handler400, motcua.urls.handler403
handler404, handler500 = motcua.urls.handler404, motcua.urls.handler500
urlpatterns = [
    path("loi-thu/", boom),
    path("office/loi-thu/", boom),
    path("api/loi-thu/", boom),
    path("khong-cho-phep/", forbidden),
    path("nghi-van/", suspicious),
    path("", include(motcua.urls.urlpatterns)),
]
use_these_urls = override_settings(ROOT_URLCONF=__name__, DEBUG=False)


def _page(response: HttpResponse) -> str:
    text = response.content.decode()
    assert "Traceback" not in text and SECRET not in text
    assert 'lang="vi"' in text
    return text


@use_these_urls
def test_a_view_that_raises_gets_the_vietnamese_500_page_without_the_database() -> None:
    # Not marked django_db: any query would fail the test. The page is made from a bare context.
    client = Client(raise_request_exception=False)
    response = client.get("/loi-thu/")
    assert response.status_code == 500
    text = _page(response)
    assert "Hệ thống gặp sự cố" in text and "Thời điểm:" in text and " giờ " in text
    assert 'href="/tra-cuu/"' in text and 'href="/"' in text and 'href="/office/"' in text
    assert "Cổng dịch vụ công" in text  # the citizens' frame
    assert "Server Error" not in text


@use_these_urls
def test_an_officials_address_that_raises_gets_the_officials_frame() -> None:
    response = Client(raise_request_exception=False).get("/office/loi-thu/")
    text = _page(response)
    assert response.status_code == 500
    assert "Hệ thống gặp sự cố" in text and "Về trang cán bộ" in text and "Cổng dịch vụ công" not in text


@use_these_urls
def test_the_api_answers_its_errors_in_json() -> None:
    response = Client(raise_request_exception=False).get("/api/loi-thu/")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error" and SECRET not in response.content.decode()


@use_these_urls
@pytest.mark.django_db
def test_an_unknown_address_is_a_vietnamese_404_with_ways_back() -> None:
    response = Client().get("/trang-khong-co/")
    assert response.status_code == 404
    text = _page(response)
    assert "Không tìm thấy trang" in text and "Not Found" not in text
    assert 'href="/tra-cuu/"' in text and "Tra cứu hồ sơ" in text and "Về trang chủ" in text


@use_these_urls
@pytest.mark.django_db
def test_an_officer_gets_the_404_in_the_officials_frame() -> None:
    user = get_user_model().objects.create_user("canbo404", password="mat-khau-thu-404")
    client = Client()
    client.force_login(user)
    response = client.get("/office/khong-co-trang-nay/")
    assert response.status_code == 404
    text = _page(response)
    assert "Không tìm thấy trang" in text and "Về trang cán bộ (hồ sơ cần xử lý)" in text
    assert "Đăng xuất" in text  # the officials' navigation bar, with the officer logged in


@use_these_urls
@pytest.mark.django_db
def test_permission_denied_is_a_vietnamese_403_and_keeps_its_reason_inside() -> None:
    response = Client().get("/khong-cho-phep/")
    assert response.status_code == 403
    text = _page(response)
    assert "Không có quyền truy cập" in text and "403 Forbidden" not in text
    # a real one: an account without any role opens the statistics
    user = get_user_model().objects.create_user("chuaphanquyen", password="mat-khau-thu-403")
    client = Client()
    client.force_login(user)
    response = client.get("/thong-ke/mau-06/")
    assert response.status_code == 403
    assert "Không có quyền truy cập" in _page(response)


@use_these_urls
@pytest.mark.django_db
def test_bad_requests_are_a_vietnamese_400() -> None:
    response = Client(raise_request_exception=False).get("/nghi-van/")
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in _page(response)
    # a host the site does not answer to (Django's DisallowedHost): the page needs no request
    response = Client(raise_request_exception=False).get("/thu-tuc/", HTTP_HOST="ke-gia-mao.example")
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in _page(response)


@use_these_urls
@pytest.mark.django_db
def test_a_form_without_its_csrf_token_says_the_session_expired() -> None:
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    text = _page(response)
    assert "Phiên làm việc đã hết hạn" in text and "CSRF verification failed" not in text
