"""The roles of motcua: one vocabulary, one label each.

Staff hold the first six through ``units.StaffRole`` (scoped to an agency or a unit); the last two
act without a staff role: the applicant through the citizens' portal, and the system (an
integration with an API token, the legacy import, the demo). The lifecycle tables grant actions
to these values.
"""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTER = "counter", _("Cán bộ một cửa")
    SPECIALIST = "specialist", _("Chuyên viên")
    HEAD = "head", _("Lãnh đạo phòng")
    LEADER = "leader", _("Lãnh đạo cơ quan")
    INSPECTOR = "inspector", _("Thanh tra, kiểm tra công vụ")
    COUNCIL = "council", _("Đại biểu, chuyên viên Hội đồng nhân dân")
    PAR_OFFICER = "par_officer", _("Đầu mối cải cách hành chính")
    APPRAISER = "appraiser", _("Thẩm định chỉ số cải cách hành chính")
    ADMIN = "admin", _("Quản trị hệ thống")
    APPLICANT = "applicant", _("Người nộp hồ sơ")
    SYSTEM = "system", _("Hệ thống")


# Oversight (inspections, council supervision, PAR appraisal): who plans and judges, not who handles dossiers.
OVERSIGHT_ROLES = frozenset({Role.INSPECTOR, Role.COUNCIL, Role.APPRAISER})
# Roles a staff member may hold (StaffRole.role), and those among them that act on dossiers.
STAFF_ROLES = (Role.COUNTER, Role.SPECIALIST, Role.HEAD, Role.LEADER, Role.INSPECTOR, Role.COUNCIL,
               Role.PAR_OFFICER, Role.APPRAISER, Role.ADMIN)
STAFF_ROLE_CHOICES = [(r.value, r.label) for r in STAFF_ROLES]
ACTING_STAFF_ROLES = frozenset({Role.COUNTER, Role.SPECIALIST, Role.HEAD, Role.LEADER})
# Roles an API token may be issued with.
TOKEN_ROLES = ACTING_STAFF_ROLES | OVERSIGHT_ROLES | {Role.PAR_OFFICER, Role.APPLICANT, Role.SYSTEM}


def role_label(value: str) -> str:
    try:
        return str(Role(value).label)
    except ValueError:
        return value
