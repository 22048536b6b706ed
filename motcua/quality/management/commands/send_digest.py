"""E-mail each head of an agency (StaffRole "head") the list of their agency's dossiers at risk
(``at_risk``), and those on the last day an apology may still be sent (``apology_reminders``).

    manage.py send_digest [--now 2026-03-05T07:30] [--within 480] [--dry-run]

Idempotent per day: a digest sent to a head for an agency is recorded (``DigestSent``) and not sent
again that day. Nothing is sent (or recorded) when nothing is at risk, or to a head without e-mail.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.quality.models import DigestSent
from motcua.quality.warnings import apology_reminders, at_risk
from motcua.units.models import Role, StaffRole
from motcua.workdays import TZ


def _parse_now(text: str | None) -> dt.datetime:
    if not text:
        return timezone.now()
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--now: không hiểu thời điểm {text!r} (dạng 2026-03-05T07:30)") from None
    return value.replace(tzinfo=TZ) if value.tzinfo is None else value


def render(agency_name: str, day: dt.date, rows: list[dict]) -> tuple[str, str]:
    subject = f"[Một cửa] {len(rows)} hồ sơ có nguy cơ trễ hạn – {agency_name} – {day:%d/%m/%Y}"
    lines = [f"Danh sách hồ sơ có nguy cơ trễ hạn của {agency_name} ngày {day:%d/%m/%Y}:", ""]
    for r in rows:
        hours = r["remaining_minutes"] / 60
        lines.append(f"- {r['code']} · {r['procedure_name']} · hạn {r['due_at']:%H:%M %d/%m/%Y} · "
                     f"còn {hours:.1f} giờ làm việc · {'; '.join(r['reason_labels'])}"
                     + (" · hôm nay là ngày cuối được gửi phiếu xin lỗi" if r["apology_last_day"]
                        and "apology_last_day" not in r["reasons"] else ""))
    lines += ["", "Thư tự động từ hệ thống một cửa điện tử; không trả lời thư này."]
    return subject, "\n".join(lines)


class Command(BaseCommand):
    help = "Gửi thư tóm tắt hồ sơ có nguy cơ trễ hạn cho lãnh đạo từng cơ quan (mỗi ngày một lần)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="Thời điểm tính (mặc định: bây giờ), ví dụ 2026-03-05T07:30")
        parser.add_argument("--within", type=int, default=480, help="Số phút làm việc còn lại (mặc định 480)")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ in ra, không gửi, không ghi nhận")

    def handle(self, *args: Any, **options: Any) -> None:
        now = _parse_now(options["now"])
        if options["within"] < 0:
            raise CommandError("--within không được âm.")
        day = now.astimezone(TZ).date()
        heads = (StaffRole.objects.filter(role=Role.HEAD, agency__isnull=False, user__is_active=True)
                 .select_related("user", "agency").order_by("agency__code", "user_id"))
        cache: dict[int, list[dict]] = {}
        sent = skipped = 0
        failed: list[str] = []
        for staff in heads:
            if not staff.user.email or DigestSent.objects.filter(day=day, user=staff.user,
                                                                 agency=staff.agency).exists():
                skipped += 1
                continue
            if staff.agency_id not in cache:
                rows = at_risk(staff.agency, options["within"], now)
                seen = {r["dossier_id"] for r in rows}
                rows += [r for r in apology_reminders(now, scope=staff.agency) if r["dossier_id"] not in seen]
                cache[staff.agency_id] = rows
            rows = cache[staff.agency_id]
            if not rows:
                continue
            subject, body = render(staff.agency.name, day, rows)
            if options["dry_run"]:
                self.stdout.write(f"--- {staff.user.email}\n{subject}\n{body}\n")
                continue
            try:
                with transaction.atomic():
                    DigestSent.objects.create(day=day, user=staff.user, agency=staff.agency, dossier_count=len(rows))
                    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [staff.user.email])
            except IntegrityError:
                skipped += 1  # another run recorded it first
            except Exception as exc:  # noqa: BLE001 - one head's mail failing must not stop the others
                failed.append(f"{staff.user.email} ({exc})")
            else:
                sent += 1
        self.stdout.write(f"Đã gửi {sent} thư; bỏ qua {skipped}; lỗi {len(failed)}.")
        if failed:
            raise CommandError(f"{len(failed)} thư không gửi được: {'; '.join(failed)}".replace("\n", " "))
