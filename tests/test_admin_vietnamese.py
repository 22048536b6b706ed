"""The Django admin speaks Vietnamese: its titles, Django's own words (the vi catalogue, since
LANGUAGE_CODE is "vi"), and the names of the apps and models the administrators work with."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_admin_index_is_in_vietnamese() -> None:
    admin = get_user_model().objects.create_superuser("quantri", "quantri@example.vn", "mat-khau-quan-tri-1")
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en")  # an English browser changes nothing
    client.force_login(admin)
    page = client.get("/admin/").content.decode()
    assert "Quản trị hệ thống một cửa điện tử" in page  # the site's header, not "Django administration"
    assert "Django administration" not in page and "Site administration" not in page
    assert "Thêm vào" in page and "Thay đổi" in page  # Django's own words
    for name in ("Đơn vị, cơ quan, cán bộ", "Đơn vị hành chính", "Cơ quan", "Phân quyền cán bộ",
                 "Danh mục thủ tục hành chính", "Thủ tục hành chính", "Lĩnh vực", "Thông báo cho công dân",
                 "Kiến nghị", "Đoàn giám sát", "Bộ chỉ số 766", "Tiêu chí thành phần"):
        assert name in page, name
    for english in ("Administrative units", "Agencies", "Staff roles", "Procedures", "Recommendations",
                    "Delegations", "Indicator sets"):
        assert english not in page, english
    form = client.get("/admin/catalog/procedure/add/").content.decode()
    assert "Thêm thủ tục hành chính" in form
