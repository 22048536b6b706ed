"""Forms of the supervision screens. Unit codes are read as the unit *version* valid on the date the
record is about (the decision's date for a delegation, the session's date for a session): a 2022
supervision of a district stays one of that district."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from motcua.followup.forms import Styled
from motcua.inspections.forms import agency_by_code
from motcua.supervision.lifecycle import STATUS_LABELS
from motcua.supervision.models import Programme
from motcua.units import scoping
from motcua.units.models import AdministrativeUnit

DATE = forms.DateInput(attrs={"type": "date"})


def unit_on(code: str, day: dt.date | None) -> AdministrativeUnit:
    unit = scoping.resolve_code(code.strip(), day)
    if unit is None:
        raise ValidationError(_("Không có đơn vị hành chính mã %(code)s.") % {"code": code.strip()})
    return unit


class ProgrammeForm(Styled):
    council_unit = forms.CharField(label=_("Mã đơn vị của HĐND"), max_length=10)
    year = forms.IntegerField(label=_("Năm của chương trình"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Tên chương trình"), max_length=300)
    resolution_number = forms.CharField(label=_("Số nghị quyết"), max_length=60, required=False)
    resolution_date = forms.DateField(label=_("Ngày nghị quyết"), required=False, widget=DATE)
    adopted_on = forms.DateField(label=_("Ngày HĐND thông qua (kỳ họp giữa năm trước)"), required=False,
                                 widget=DATE)

    def clean_council_unit(self) -> AdministrativeUnit:
        return unit_on(self.cleaned_data["council_unit"], None)


class DelegationForm(Styled):
    programme = forms.ModelChoiceField(label=_("Thuộc chương trình giám sát"), required=False,
                                       queryset=Programme.objects.none())
    committee = forms.CharField(label=_("Ban của HĐND"), max_length=300)
    number = forms.CharField(label=_("Số hiệu đoàn"), max_length=20, required=False)
    decision_number = forms.CharField(label=_("Số quyết định thành lập đoàn"), max_length=60)
    decision_date = forms.DateField(label=_("Ngày quyết định"), widget=DATE)
    topic = forms.CharField(label=_("Nội dung giám sát"), max_length=500)
    scope = forms.CharField(label=_("Phạm vi"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    subject = forms.CharField(label=_("Đối tượng giám sát"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    period_from = forms.DateField(label=_("Thời kỳ giám sát từ ngày"), widget=DATE)
    period_to = forms.DateField(label=_("Thời kỳ giám sát đến ngày"), widget=DATE)
    starts_on = forms.DateField(label=_("Đoàn làm việc từ ngày"), widget=DATE)
    ends_on = forms.DateField(label=_("Đoàn làm việc đến ngày"), widget=DATE)
    council_unit = forms.CharField(label=_("Mã đơn vị của HĐND"), max_length=10)
    units = forms.CharField(label=_("Mã các đơn vị chịu giám sát (cách nhau bởi dấu phẩy)"), max_length=500)
    members = forms.CharField(label=_("Thành viên (mỗi dòng: Họ tên; chức vụ)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, programmes: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if programmes is not None:
            self.fields["programme"].queryset = programmes

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        day = data.get("decision_date")
        try:
            data["council_unit"] = unit_on(data.get("council_unit") or "", day)
        except ValidationError as exc:
            self.add_error("council_unit", exc)
        units = []
        for code in (data.get("units") or "").split(","):
            if code.strip():
                try:
                    units.append(unit_on(code, day))
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
        try:
            data["unit"] = unit_on(data["unit"], data.get("date")) if data.get("unit") else None
        except ValidationError as exc:
            self.add_error("unit", exc)
        try:
            data["agency"] = agency_by_code(data.get("agency") or "")
        except ValidationError as exc:
            self.add_error("agency", exc)
        return data


class PlanSentForm(Styled):
    plan_sent_on = forms.DateField(label=_("Ngày gửi nội dung, kế hoạch, đề cương"), widget=DATE)


class ProgrammeSentForm(Styled):
    session = forms.IntegerField(widget=forms.HiddenInput)
    programme_sent_on = forms.DateField(label=_("Ngày gửi chương trình, thành phần đoàn"), widget=DATE)


class RegisterFilter(Styled):
    year = forms.IntegerField(label=_("Năm quyết định"), required=False, min_value=2000, max_value=2100)
    committee = forms.CharField(label=_("Ban"), required=False, max_length=300)
    status = forms.ChoiceField(label=_("Trạng thái"), required=False,
                               choices=[("", _("Tất cả"))] + [(s.value, lbl) for s, lbl in STATUS_LABELS.items()])
    unit = forms.CharField(label=_("Mã đơn vị chịu giám sát"), required=False, max_length=10)
    programme = forms.IntegerField(required=False, widget=forms.HiddenInput)


def errors_text(form: forms.Form) -> str:
    """One line naming every field in error (the label, then the message)."""
    out = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        out.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return "; ".join(out)
