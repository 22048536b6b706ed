"""Forms of the supervision screens."""
from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from motcua.followup.forms import Styled
from motcua.inspections.forms import agency_by_code, unit_by_code

DATE = forms.DateInput(attrs={"type": "date"})


class DelegationForm(Styled):
    committee = forms.CharField(label=_("Ban của HĐND"), max_length=300)
    number = forms.CharField(label=_("Số hiệu đoàn"), max_length=20, required=False)
    decision_number = forms.CharField(label=_("Số quyết định thành lập đoàn"), max_length=60)
    decision_date = forms.DateField(label=_("Ngày quyết định"), widget=DATE)
    topic = forms.CharField(label=_("Nội dung giám sát"), max_length=500)
    scope = forms.CharField(label=_("Phạm vi"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    period_from = forms.DateField(label=_("Thời kỳ giám sát từ ngày"), widget=DATE)
    period_to = forms.DateField(label=_("đến ngày"), widget=DATE)
    starts_on = forms.DateField(label=_("Đoàn làm việc từ ngày"), widget=DATE)
    ends_on = forms.DateField(label=_("đến ngày"), widget=DATE)
    council_unit = forms.CharField(label=_("Mã đơn vị của HĐND"), max_length=10)
    units = forms.CharField(label=_("Mã các đơn vị chịu giám sát (cách nhau bởi dấu phẩy)"), max_length=500)
    members = forms.CharField(label=_("Thành viên (mỗi dòng: Họ tên; chức vụ)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        try:
            data["council_unit"] = unit_by_code(data.get("council_unit") or "")
        except ValidationError as exc:
            self.add_error("council_unit", exc)
        units = []
        for code in (data.get("units") or "").split(","):
            if code.strip():
                try:
                    units.append(unit_by_code(code))
                except ValidationError as exc:
                    self.add_error("units", exc)
        data["units"] = units
        data["members"] = [(p[0].strip(), p[1].strip() if len(p) > 1 else "")
                           for p in (line.split(";") for line in (data.get("members") or "").splitlines())
                           if p[0].strip()]
        return data


class SessionForm(Styled):
    date = forms.DateField(label=_("Ngày làm việc"), widget=DATE)
    unit = forms.CharField(label=_("Mã đơn vị làm việc"), max_length=10)
    agency = forms.CharField(label=_("Mã cơ quan (nếu có)"), max_length=30, required=False)
    programme_sent_on = forms.DateField(label=_("Ngày gửi chương trình, thành phần đoàn"), required=False, widget=DATE)
    notes = forms.CharField(label=_("Ghi chú"), required=False, max_length=2000)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name, finder in (("unit", unit_by_code), ("agency", agency_by_code)):
            try:
                data[name] = finder(data[name]) if data.get(name) else None
            except ValidationError as exc:
                self.add_error(name, exc)
        return data


class PlanSentForm(Styled):
    plan_sent_on = forms.DateField(label=_("Ngày gửi nội dung, kế hoạch, đề cương"), widget=DATE)
