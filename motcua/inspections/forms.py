"""Forms of the inspection screens (Vietnamese labels; unit and agency by code)."""
from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from motcua.followup.forms import Styled
from motcua.inspections.models import Finding, Inspection, PlanTarget
from motcua.units import scoping
from motcua.units.models import AdministrativeUnit, Agency

DATE = forms.DateInput(attrs={"type": "date"})


def unit_by_code(code: str) -> AdministrativeUnit:
    unit = scoping.resolve_code(code.strip())
    if unit is None:
        raise ValidationError(_("Không có đơn vị hành chính mã %(code)s.") % {"code": code})
    return unit


def agency_by_code(code: str) -> Agency | None:
    if not code.strip():
        return None
    agency = Agency.objects.filter(code=code.strip()).first()
    if agency is None:
        raise ValidationError(_("Không có cơ quan mã %(code)s.") % {"code": code})
    return agency


class RegisterFilter(Styled):
    year = forms.IntegerField(label=_("Năm"), required=False, min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("Loại"), required=False, choices=[("", _("Tất cả"))] + Inspection.Kind.choices)
    status = forms.ChoiceField(label=_("Trạng thái"), required=False,
                               choices=[("", _("Tất cả"))] + Inspection._meta.get_field("status").choices)
    unit = forms.CharField(label=_("Mã đơn vị"), required=False, max_length=10)


class PlanForm(Styled):
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Tên kế hoạch"), max_length=300)
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=300)
    unit = forms.CharField(label=_("Mã đơn vị ban hành (phạm vi)"), max_length=10)
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=60, required=False)
    decision_date = forms.DateField(label=_("Ngày quyết định"), required=False, widget=DATE)
    themes = forms.CharField(label=_("Nội dung kiểm tra"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_unit(self) -> AdministrativeUnit:
        return unit_by_code(self.cleaned_data["unit"])


class TargetForm(Styled):
    population = forms.CharField(label=_("Nhóm đối tượng (ví dụ: UBND cấp xã, Trường học)"), max_length=100)
    unit = forms.CharField(label=_("Mã đơn vị"), max_length=10, required=False)
    agency = forms.CharField(label=_("Mã cơ quan"), max_length=30, required=False)
    name = forms.CharField(label=_("Hoặc tên đối tượng (trường học…)"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Loại đối tượng"), required=False,
                             choices=[("", _("Theo mã đã nhập"))] + PlanTarget.Kind.choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        try:
            data["unit"] = unit_by_code(data["unit"]) if data.get("unit") else None
        except ValidationError as exc:
            self.add_error("unit", exc)
        try:
            data["agency"] = agency_by_code(data.get("agency") or "")
        except ValidationError as exc:
            self.add_error("agency", exc)
        return data


class InspectionForm(Styled):
    topic = forms.CharField(label=_("Nội dung kiểm tra"), max_length=300)
    unit = forms.CharField(label=_("Mã đơn vị được kiểm tra"), max_length=10, required=False)
    agency = forms.CharField(label=_("Mã cơ quan được kiểm tra (nếu có)"), max_length=30, required=False)
    kind = forms.ChoiceField(label=_("Loại"), choices=Inspection.Kind.choices)
    follows = forms.CharField(label=_("Mã cuộc kiểm tra trước (khi kiểm tra lại)"), max_length=30, required=False)
    decision_number = forms.CharField(label=_("Số quyết định thành lập đoàn"), max_length=60, required=False)
    decision_date = forms.DateField(label=_("Ngày quyết định"), required=False, widget=DATE)
    decision_issuer = forms.CharField(label=_("Người ký quyết định"), max_length=300, required=False)
    period_from = forms.DateField(label=_("Thời kỳ kiểm tra từ ngày"), widget=DATE)
    period_to = forms.DateField(label=_("đến ngày"), widget=DATE)
    starts_on = forms.DateField(label=_("Ngày bắt đầu làm việc"), widget=DATE)
    ends_on = forms.DateField(label=_("Ngày kết thúc làm việc"), widget=DATE)
    team = forms.CharField(label=_("Thành viên đoàn (mỗi dòng: Họ tên; chức vụ; trưởng đoàn/thành viên/thư ký)"),
                           required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name, finder in (("unit", unit_by_code), ("agency", agency_by_code)):
            try:
                data[name] = finder(data[name]) if data.get(name) else None
            except ValidationError as exc:
                self.add_error(name, exc)
        follows = (data.get("follows") or "").strip()
        data["follows"] = Inspection.objects.filter(code=follows).first() if follows else None
        if follows and data["follows"] is None:
            self.add_error("follows", _("Không có cuộc kiểm tra mã %(code)s.") % {"code": follows})
        roles = {"trưởng đoàn": "head", "thành viên": "member", "thư ký": "secretary"}
        team = []
        for n, line in enumerate((data.get("team") or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")]
            role = roles.get(parts[2].casefold(), None) if len(parts) > 2 and parts[2] else "member"
            if not parts[0] or role is None:
                message = _("Dòng %(n)d: cần 'Họ tên; chức vụ; trưởng đoàn/thành viên/thư ký'.") % {"n": n}
                self.add_error("team", message)
                continue
            team.append((parts[0], parts[1] if len(parts) > 1 else "", role))
        data["team"] = team
        return data


class FindingForm(Styled):
    theme = forms.CharField(label=_("Nội dung"), max_length=200)
    description = forms.CharField(label=_("Mô tả"), widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(label=_("Mức độ"), choices=Finding.Severity.choices)
    people_concerned = forms.CharField(label=_("Người liên quan"), max_length=500, required=False)


class ActionForm(forms.Form):
    action = forms.CharField(max_length=20)
    version = forms.IntegerField(min_value=1)
    note = forms.CharField(required=False)
    reason = forms.CharField(required=False)
    conclusion = forms.CharField(required=False)
