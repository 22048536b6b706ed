"""Create an API token for an integration; the token is printed once and only its hash is stored."""
from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.api.models import ApiToken
from motcua.roles import TOKEN_ROLES


class Command(BaseCommand):
    help = "Tạo mã truy cập API (Bearer) hành động với tư cách một người dùng và một vai trò; in mã ra một lần."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="Tên đăng nhập của người dùng mà mã hành động thay")
        roles = ", ".join(sorted(TOKEN_ROLES))
        parser.add_argument("--role", required=True, help=f"Vai trò trong quy trình: {roles}")
        parser.add_argument("--name", required=True, help="Tên hệ thống dùng mã")

    def handle(self, *args: Any, **options: Any) -> None:
        role = options["role"]
        if role not in TOKEN_ROLES:
            roles = ", ".join(sorted(TOKEN_ROLES))
            raise CommandError(f"--role: không có vai trò {role!r}; dùng một trong: {roles}")
        name = options["name"].strip()
        if not name:
            raise CommandError("--name: không được để trống")
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"--user: không có người dùng {options['user']!r}")
        if not user.is_active:
            raise CommandError(f"--user: người dùng {options['user']!r} đã bị vô hiệu hóa")
        try:
            token, key = ApiToken.issue(user=user, role=role, name=name)
        except ValueError as exc:
            raise CommandError(f"--role: {options['user']!r}: {exc}") from None
        self.stdout.write(key)
        self.stderr.write(f"đã tạo mã {token.prefix}… cho {user.get_username()} với vai trò {role}; "
                          "mã chỉ hiện một lần")
