"""The follow-up screens' forms: the register's filters, a new recommendation, an action."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from motcua.followup.models import SourceKind, State
from motcua.units.calendars import calendar_for_unit
from motcua.units.models import AdministrativeUnit, Agency
from motcua.workdays import MINUTES_PER_WORKING_DAY, TZ


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class Styled(forms.Form):
    """Bootstrap classes on every widget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            checkbox = isinstance(field.widget, forms.CheckboxInput)
            css = "form-check-input" if checkbox else "form-control form-control-sm"
            if isinstance(field.widget, forms.Select):
                css = "form-select form-select-sm"
            field.widget.attrs.setdefault("class", css)


class RegisterFilter(Styled):
    state = forms.ChoiceField(label=_("Tình trạng"), required=False, choices=[("", _("Tất cả"))] + State.choices)
    kind = forms.ChoiceField(label=_("Nguồn"), required=False, choices=[("", _("Tất cả"))] + SourceKind.choices)
    unit = forms.CharField(label=_("Mã đơn vị được kiến nghị"), required=False, max_length=10)
    q = forms.CharField(label=_("Tìm trong nội dung"), required=False, max_length=100)
    deadline_to = forms.DateField(label=_("Hạn đến ngày"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))


def end_of_working_day(day: dt.date, unit: AdministrativeUnit) -> dt.datetime:
    """The close of ``day``'s last session on the unit's calendar; ValidationError if not a working day."""
    calendar = calendar_for_unit(unit)
    if not calendar.is_working_day(day):
        raise ValidationError(_("Ngày %(day)s không phải ngày làm việc của %(unit)s.")
                              % {"day": f"{day:%d/%m/%Y}", "unit": unit.name})
    start = calendar.start_of_clock(dt.datetime.combine(day, dt.time.min, tzinfo=TZ))
    return calendar.add_working_time(start, MINUTES_PER_WORKING_DAY)


class NewRecommendationForm(Styled):
    addressee_unit = forms.CharField(label=_("Mã đơn vị được kiến nghị"), max_length=10)
    addressee_agency = forms.CharField(label=_("Mã cơ quan (nếu kiến nghị một cơ quan của đơn vị)"), max_length=30,
                                       required=False)
    title = forms.CharField(label=_("Tiêu đề"), max_length=300)
    text = forms.CharField(label=_("Nội dung kiến nghị"), widget=forms.Textarea(attrs={"rows": 4}))
    deadline = forms.DateField(label=_("Hạn thực hiện (hết giờ làm việc ngày)"),
                               widget=forms.DateInput(attrs={"type": "date"}))
    deadline_basis = forms.CharField(label=_("Căn cứ thời hạn"), max_length=300, required=False)
    issuer_name = forms.CharField(label=_("Cơ quan, đoàn kiến nghị"), max_length=300)
    published = forms.BooleanField(label=_("Công khai kết quả theo dõi"), required=False)

    def clean_addressee_unit(self) -> AdministrativeUnit:
        code = self.cleaned_data["addressee_unit"].strip()
        unit = AdministrativeUnit.objects.filter(code=code).order_by("-valid_from").first()
        if unit is None:
            raise ValidationError(_("Không có đơn vị hành chính mã %(code)s.") % {"code": code})
        return unit

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        unit = data.get("addressee_unit")
        code = (data.get("addressee_agency") or "").strip()
        data["addressee_agency"] = None
        if code and unit is not None:
            agency = Agency.objects.filter(code=code).first()
            if agency is None or agency.unit_id != unit.pk:
                self.add_error("addressee_agency", _("Không có cơ quan mã %(code)s thuộc đơn vị này.") % {"code": code})
            data["addressee_agency"] = agency
        if unit is not None and data.get("deadline"):
            try:
                data["deadline_at"] = end_of_working_day(data["deadline"], unit)
            except ValidationError as exc:
                self.add_error("deadline", exc)
        return data


class ActionForm(forms.Form):
    action = forms.CharField(max_length=20)
    version = forms.IntegerField(min_value=1)
    note = forms.CharField(label=_("Nội dung"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label=_("Lý do"), required=False, max_length=2000)
    new_deadline = forms.DateField(label=_("Thời hạn mới (hết giờ làm việc ngày)"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    documents = MultipleFileField(label=_("Tài liệu kèm theo (PDF, JPEG, PNG)"), required=False)
