"""Forms of the officials' screens. Every input is validated here; views never trust raw POST data."""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure, RequiredDocument
from motcua.dossiers import applicant as rules
from motcua.dossiers.applicant import form_check
from motcua.dossiers.lifecycle import Action
from motcua.office import lockout
from motcua.people import person_name
from motcua.statemachine import Offer
from motcua.units.models import Agency, Level


class LockoutAuthenticationForm(AuthenticationForm):
    """Django's login form, telling a locked user so (the lock itself is ``lockout.LockoutBackend``'s)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng."),
        "locked": _(
            "Đăng nhập sai quá nhiều lần. Tạm thời không đăng nhập được từ máy này; "
            "vui lòng thử lại sau %(minutes)s phút."
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        vietnamese_errors(self)

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        ip = lockout.client_ip(self.request)
        until = lockout.locked_until(username, ip)
        if until is not None:
            raise self._locked(until)
        # The lockout backend counts the failure or clears the pair (every login door goes through it).
        self.user_cache = authenticate(self.request, username=username, password=password)
        if self.user_cache is None:
            until = lockout.locked_until(username, ip)
            if until is not None:
                raise self._locked(until)
            raise ValidationError(self.error_messages["invalid_login"], code="invalid_login")
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def _locked(self, until: Any) -> ValidationError:
        return ValidationError(
            self.error_messages["locked"], code="locked", params={"minutes": lockout.minutes_left(until)}
        )


COMMON_ERRORS = {
    "required": _("Vui lòng nhập thông tin này."),
    "invalid_choice": _("Lựa chọn không hợp lệ."),
    "invalid_pk_value": _("Lựa chọn không hợp lệ."),
    "invalid_list": _("Lựa chọn không hợp lệ."),
    # validator codes: a field's error_messages override its validators' messages
    "min_value": _("Giá trị phải từ %(limit_value)s trở lên."),
    "max_value": _("Giá trị không được lớn hơn %(limit_value)s."),
    "max_length": _("Tối đa %(limit_value)d ký tự (đang có %(show_value)d)."),
}
TYPED_ERRORS = {
    forms.EmailField: _("Địa chỉ thư điện tử không hợp lệ."),
    forms.IntegerField: _("Vui lòng nhập một số nguyên."),
    forms.DateTimeField: _("Ngày giờ không hợp lệ."),
}


def vietnamese_errors(form: forms.Form) -> None:
    """Vietnamese messages for the common errors: whatever language the browser asks for
    (LocaleMiddleware), the office screens speak Vietnamese."""
    for field in form.fields.values():
        for code, message in COMMON_ERRORS.items():
            field.error_messages[code] = message
        for kind, message in TYPED_ERRORS.items():
            if isinstance(field, kind):
                field.error_messages["invalid"] = message


def style(form: forms.Form) -> None:
    """Bootstrap classes on every widget, and Vietnamese error messages."""
    vietnamese_errors(form)
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxSelectMultiple):
            widget.attrs["class"] = "form-check-input"
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


class ApplicantForm(forms.Form):
    applicant_name = forms.CharField(label=_("Họ và tên người nộp"), max_length=200)
    applicant_id = forms.CharField(
        label=_("Số CCCD/CMND"), max_length=12, help_text=_("12 số (căn cước) hoặc 9 số (CMND cũ)")
    )
    applicant_phone = forms.CharField(label=_("Số điện thoại"), max_length=20, required=False)
    applicant_email = forms.EmailField(label=_("Thư điện tử"), max_length=254, required=False)
    applicant_address = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False)

    # The same rule and messages as every other door (motcua.dossiers.applicant).
    def clean_applicant_name(self) -> str:
        return form_check(rules.clean_name)(self.cleaned_data["applicant_name"])

    def clean_applicant_id(self) -> str:
        return form_check(rules.clean_id_number)(self.cleaned_data["applicant_id"])

    def clean_applicant_phone(self) -> str:
        return form_check(rules.clean_phone)(self.cleaned_data["applicant_phone"])

    def clean_applicant_address(self) -> str:
        return form_check(rules.clean_address)(self.cleaned_data["applicant_address"])


class IntakeForm(ApplicantForm):
    """The counter's form for one procedure: applicant, documents ticked, and one decision."""

    RECEIVE = "receive"
    COMPLETE = "complete"
    REFUSE = "refuse"

    agency = forms.ModelChoiceField(label=_("Cơ quan tiếp nhận"), queryset=Agency.objects.none(), empty_label=None)
    matter = forms.CharField(label=_("Nội dung yêu cầu giải quyết"), max_length=500, required=False)
    sets = forms.IntegerField(label=_("Số bộ hồ sơ"), min_value=1, max_value=50, initial=1)
    documents = forms.ModelMultipleChoiceField(
        label=_("Thành phần hồ sơ đã nhận"), queryset=RequiredDocument.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Ghi chú / hướng dẫn bổ sung / lý do từ chối"), max_length=2000, required=False, widget=forms.Textarea(
            attrs={"rows": 3}
        ),
    )
    decision = forms.ChoiceField(
        choices=[(RECEIVE, _("Tiếp nhận")), (COMPLETE, _("Yêu cầu bổ sung")), (REFUSE, _("Từ chối tiếp nhận"))],
        widget=forms.HiddenInput,
    )
    idempotency_key = forms.CharField(max_length=100, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, procedure: Procedure, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        self.fields["agency"].queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies]).order_by("code")
        if agencies:
            self.fields["agency"].initial = agencies[0].pk
        self.fields["documents"].queryset = procedure.documents.all()
        self.fields["documents"].label_from_instance = _document_label
        style(self)

    def missing_documents(self) -> list[RequiredDocument]:
        ticked = {d.pk for d in self.cleaned_data.get("documents") or []}
        return [d for d in self.procedure.documents.all() if d.required and d.pk not in ticked]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        agency: Agency | None = data.get("agency")
        levels = self.procedure.levels or []
        if agency is not None and levels and agency.level not in levels:
            self.add_error("agency", _("Thủ tục này không thực hiện ở %(level)s.") % {
                "level": Level(agency.level).label.lower()})
        decision = data.get("decision")
        missing = self.missing_documents() if "documents" in data else []
        if decision == self.RECEIVE and missing:
            raise ValidationError(
                _("Hồ sơ còn thiếu thành phần bắt buộc: %(names)s. Hãy yêu cầu bổ sung, hoàn thiện (mẫu 02)."),
                params={"names": "; ".join(d.name for d in missing)},
            )
        if decision == self.COMPLETE and not missing and not data.get("note"):
            raise ValidationError(
                _("Hồ sơ đã đủ thành phần bắt buộc: ghi rõ nội dung cần bổ sung, hoàn thiện, hoặc tiếp nhận hồ sơ.")
            )
        if decision == self.REFUSE and not data.get("note"):
            self.add_error("note", _("Cần ghi rõ lý do từ chối tiếp nhận."))
        return data


def _document_label(doc: RequiredDocument) -> str:
    mark = "" if doc.required else " " + str(_("(nếu có)"))
    return f"{doc.name} — {doc.form}, {doc.count}{mark}"


class SearchForm(forms.Form):
    q = forms.CharField(max_length=200, required=False)


# Which extra fields each action's form asks for, and which are required.
NOTE_LABELS: dict[Action, str] = {
    Action.REQUEST_COMPLETION: _("Các thành phần cần bổ sung, hoàn thiện (nêu đủ một lần)"),
    Action.REQUEST_SUPPLEMENT: _("Các giấy tờ cần bổ sung"),
    Action.REQUEST_PAYMENT: _("Nghĩa vụ tài chính phải thực hiện"),
}


class OfficerChoiceField(forms.ModelChoiceField):
    """An officer, shown by name (family name first) and username."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{person_name(obj)} ({obj.get_username()})"


class ActionForm(forms.Form):
    """One lifecycle action on one dossier, with the inputs the lifecycle table gives it (the offer)."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Ghi chú"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("Lý do / căn cứ"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    new_due_at = forms.DateTimeField(
        label=_("Ngày giờ hẹn trả mới"), required=False, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    agency = forms.ModelChoiceField(
        label=_("Chuyển đến cơ quan"), queryset=Agency.objects.none(), required=False,
        empty_label=_("— theo quy trình —"),
    )
    assignee = OfficerChoiceField(
        label=_("Giao cho cán bộ"), queryset=get_user_model().objects.none(), required=False,
        empty_label=_("— không giao đích danh (cơ quan nhận tự phân công) —"),
    )

    def __init__(self, *args: Any, offer: Offer, agencies: Any = None, officers: Any = None, **kwargs: Any) -> None:
        action = Action(offer.action)
        kwargs["prefix"] = action.value  # several actions' forms on one page: distinct ids
        super().__init__(*args, **kwargs)
        self.action = action
        for name in ("note", "reason", "new_due_at", "agency", "assignee"):
            if name not in offer.inputs:
                del self.fields[name]
            elif name in offer.required:
                self.fields[name].required = True
        if "note" in self.fields and action in NOTE_LABELS:
            self.fields["note"].label = NOTE_LABELS[action]
        if "agency" in self.fields and agencies is not None:
            self.fields["agency"].queryset = agencies
        if "assignee" in self.fields and officers is not None:
            self.fields["assignee"].queryset = officers
        style(self)

    def clean_new_due_at(self) -> Any:
        value = self.cleaned_data.get("new_due_at")
        if value is not None and value <= timezone.now():
            raise ValidationError(_("Ngày hẹn trả mới phải ở tương lai."))
        return value
