"""``python manage.py seed_demo [--dossiers N] [--seed S]``: the demo province, its agencies and staff,
the catalogue and N dossiers driven through the services; prints the demo logins. Idempotent."""
from __future__ import annotations

from collections import Counter
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.catalog.loader import CatalogError
from motcua.demo.dossiers import KEY_PREFIX, generate_dossiers
from motcua.demo.world import DEMO_PASSWORD, DemoError, build_world, load_demo_catalog
from motcua.dossiers.lifecycle import STATUS_LABELS
from motcua.dossiers.models import Dossier
from motcua.notifications import outbox


class Command(BaseCommand):
    help = "Tạo dữ liệu mẫu (tỉnh, xã, cơ quan, cán bộ, danh mục thủ tục, hồ sơ) và in tài khoản đăng nhập mẫu."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dossiers", type=int, default=3000, help="số hồ sơ mẫu (mặc định 3000)")
        parser.add_argument("--seed", type=int, default=2025, help="hạt giống ngẫu nhiên (mặc định 2025)")

    def handle(self, *args: Any, **options: Any) -> None:
        count, seed = options["dossiers"], options["seed"]
        if count < 0:
            raise CommandError(f"--dossiers: phải từ 0 trở lên, nhận {count}")
        try:
            catalog = load_demo_catalog()
            world = build_world()
        except (CatalogError, DemoError) as exc:
            raise CommandError(str(exc)) from None
        out = self.stdout
        out.write(f"Danh mục: {catalog.created + catalog.updated} thủ tục ({catalog.created} mới).")
        out.write(f"Tỉnh: {world.province.name} ({world.province.code}); xã: "
                  + ", ".join(f"{c.unit.name} ({c.unit.code})" for c in world.communes))

        def progress(done: int, total: int, seconds: float) -> None:
            out.write(f"  hồ sơ {done}/{total} ({seconds:.1f} s)")

        with outbox.suppressed():  # demo applicants are fictitious: no messages for them
            summary = generate_dossiers(world, count=count, seed=seed, progress=progress)
        out.write(f"Hồ sơ: {summary.created} tạo mới, {summary.skipped} đã có, {summary.seconds:.1f} s "
                  f"(CPU {summary.cpu_seconds:.1f} s).")
        from motcua.demo import oversight

        with outbox.suppressed():
            made = oversight.build(world)
        parts = ", ".join(f"{k} {'tạo mới' if v else 'đã có'}" for k, v in made.items())
        out.write(f"Giám sát, kiểm tra, CCHC: {parts}")
        totals = Counter(Dossier.objects.filter(idempotency_key__startswith=KEY_PREFIX)
                         .values_list("status", flat=True))
        for status, label in STATUS_LABELS.items():
            out.write(f"  {label}: {totals.get(status.value, 0)}")
        for message, n in summary.refusals.most_common():
            self.stderr.write(f"  dịch vụ từ chối ({n}): {message}")
        width = max(len(login.username) for login in world.logins)
        out.write("")
        out.write("Tài khoản mẫu (CHỈ DÙNG THỬ NGHIỆM — mật khẩu chung, đổi hoặc xoá trước khi dùng thật):")
        out.write(f"  {'tên đăng nhập'.ljust(width)}  {'vai trò'.ljust(10)}  {'mật khẩu'.ljust(10)}  cơ quan")
        for login in world.logins:
            out.write(f"  {login.username.ljust(width)}  {login.role.ljust(10)}  {DEMO_PASSWORD.ljust(10)}  "
                      f"{login.agency}")
        base = settings.MOTCUA_PUBLIC_BASE_URL.rstrip("/")  # `make run HOST=… PORT=…` sets it (scripts/run-demo.sh)
        out.write(f"Mở {base}/office/ (cán bộ) · {base}/thu-tuc/ (công dân) · {base}/tra-cuu/ (tra cứu hồ sơ)")
