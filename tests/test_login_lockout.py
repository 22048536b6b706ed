"""Login with Argon2 and the lockout after repeated failures (5 per username + address in 15 min)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from motcua.office.models import LoginFailure
from motcua.units.models import StaffRole
from tests.factories import make_world

PASSWORD = "mat-khau-dung-123"
LOCKED_TEXT = "Đăng nhập sai quá nhiều lần"


@pytest.fixture
def officer(db) -> User:  # noqa: ANN001
    world = make_world()
    user = User.objects.create_user("canbo", password=PASSWORD, first_name="Lan")
    StaffRole.objects.create(user=user, role="counter", agency=world.agency)
    return user


def login(client: Client, password: str, username: str = "canbo", ip: str = "10.0.0.1"):  # noqa: ANN201
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.real_hasher
def test_password_is_stored_with_argon2(officer: User) -> None:
    assert officer.password.startswith("argon2")


def test_login_then_navbar_shows_roles_and_agency_then_logout(client: Client, officer: User) -> None:
    response = login(client, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("office:inbox")
    page = client.get(reverse("office:inbox")).content.decode()
    assert "Cán bộ một cửa · UBND xã Một" in page
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("office:inbox")).status_code == 302  # back to the login page


def test_wrong_password_shows_a_vietnamese_message(client: Client, officer: User) -> None:
    response = login(client, "sai")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_pair_even_with_the_right_password(client: Client, officer: User) -> None:
    for _ in range(4):
        assert LOCKED_TEXT not in login(client, "sai").content.decode()
    fifth = login(client, "sai").content.decode()
    assert LOCKED_TEXT in fifth and "15 phút" in fifth
    locked = login(client, PASSWORD)
    assert locked.status_code == 200 and LOCKED_TEXT in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Case does not get around it; another address is not locked.
    assert LOCKED_TEXT in login(client, PASSWORD, username="CanBo").content.decode()
    assert login(Client(), PASSWORD, ip="10.0.0.2").status_code == 302


def test_lock_ends_after_fifteen_minutes_and_success_clears_failures(client: Client, officer: User) -> None:
    for _ in range(5):
        login(client, "sai")
    LoginFailure.objects.update(at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=15, seconds=5))
    assert login(client, PASSWORD).status_code == 302
    assert not LoginFailure.objects.exists()


def test_failures_spread_over_more_than_the_window_do_not_lock(client: Client, officer: User) -> None:
    for _ in range(4):
        login(client, "sai")
    LoginFailure.objects.update(at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    assert LOCKED_TEXT not in login(client, "sai").content.decode()
    assert login(client, PASSWORD).status_code == 302


def test_login_post_without_csrf_token_is_refused(officer: User) -> None:
    client = Client(enforce_csrf_checks=True)
    assert login(client, PASSWORD).status_code == 403


def test_empty_login_is_answered_in_vietnamese_even_for_an_english_browser(client: Client, officer: User) -> None:
    response = client.post(reverse("login"), {"username": "", "password": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Vui lòng nhập thông tin này." in response.content.decode()
    assert not LoginFailure.objects.exists()  # nothing to count: no username was tried


# --- one lockout for every login door -------------------------------------------------------------

def admin_login(client: Client, password: str, username: str = "quantri", ip: str = "10.0.0.9"):  # noqa: ANN201
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_the_lockout_holds_on_the_admin_login(client: Client, db) -> None:  # noqa: ANN001
    User.objects.create_superuser("quantri", password=PASSWORD)
    for _ in range(5):
        assert admin_login(client, "sai").status_code == 200
    refused = admin_login(client, PASSWORD)  # the right password, while locked
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still sent to the login page
    # The office's login page knows the same lock, and says so.
    assert LOCKED_TEXT in login(Client(), PASSWORD, username="quantri", ip="10.0.0.9").content.decode()
    # From another address the administrator logs in.
    assert admin_login(Client(), PASSWORD, ip="10.0.0.10").status_code == 302


def test_one_password_tried_on_every_user_locks_the_address(client: Client, db, settings) -> None:  # noqa: ANN001
    settings.MOTCUA_LOGIN_MAX_FAILURES_PER_ADDRESS = 8
    User.objects.create_user("nguoithat", password=PASSWORD)
    for i in range(7):  # seven usernames, one wrong password each: no pair comes near its limit
        assert LOCKED_TEXT not in login(client, "123456", username=f"nguoidung{i}", ip="10.0.0.66").content.decode()
    eighth = login(client, "123456", username="nguoidung7", ip="10.0.0.66").content.decode()
    assert LOCKED_TEXT in eighth and LoginFailure.objects.filter(ip="10.0.0.66").count() == 8
    # The address is locked now: even a real user's right password is refused from it, on both doors.
    assert LOCKED_TEXT in login(client, PASSWORD, username="nguoithat", ip="10.0.0.66").content.decode()
    assert admin_login(Client(), PASSWORD, username="nguoithat", ip="10.0.0.66").status_code == 200
    assert LoginFailure.objects.filter(ip="10.0.0.66").count() == 8  # attempts while locked are not counted
    # Other addresses are not.
    assert login(Client(), PASSWORD, username="nguoithat", ip="10.0.0.67").status_code == 302


def test_behind_a_trusted_proxy_each_client_has_its_own_address(client: Client, officer: User, settings) -> None:  # noqa: ANN001
    settings.MOTCUA_TRUSTED_PROXIES = ["127.0.0.1"]

    def via_proxy(password: str, forwarded: str, remote: str = "127.0.0.1"):  # noqa: ANN202
        return Client().post(reverse("login"), {"username": "canbo", "password": password}, REMOTE_ADDR=remote,
                             HTTP_X_FORWARDED_FOR=forwarded)

    for _ in range(5):
        via_proxy("sai", "203.0.113.5")
    assert LOCKED_TEXT in via_proxy(PASSWORD, "203.0.113.5").content.decode()
    # Another citizen behind the same proxy is not locked out; an address the client wrote itself
    # (left of the proxy's) is not believed.
    assert via_proxy(PASSWORD, "203.0.113.6").status_code == 302
    assert LOCKED_TEXT in via_proxy(PASSWORD, "198.51.100.1, 203.0.113.5").content.decode()
    # A client that is not the proxy cannot pick its address with the header.
    assert set(LoginFailure.objects.values_list("ip", flat=True)) == {"203.0.113.5"}
    assert via_proxy("sai", "203.0.113.9", remote="10.0.0.50").status_code == 200
    assert LoginFailure.objects.filter(ip="10.0.0.50").count() == 1
