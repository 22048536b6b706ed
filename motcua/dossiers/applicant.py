"""The one rule for an applicant's particulars, whichever door they come through: the counter's
form, the citizens' online form, the API (through ``services.receive``). Each check returns the
cleaned value or raises ``ValueError`` with the Vietnamese message the screens and the API show.
"""
from __future__ import annotations

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

ID_NUMBER = re.compile(r"^(\d{9}|\d{12})$")
PHONE = re.compile(r"^\+?[0-9 .-]{8,20}$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
LIMITS = {"name": 200, "id_number": 12, "phone": 20, "email": 254, "address": 300}
LABELS = {"name": "Họ và tên", "id_number": "Số định danh", "phone": "Số điện thoại", "email": "Thư điện tử",
          "address": "Địa chỉ"}


def _text(field: str, value: str) -> str:
    if CONTROL.search(value):
        raise ValueError(_("%(label)s có ký tự điều khiển không hợp lệ.") % {"label": _(LABELS[field])})
    value = " ".join(value.split())
    if len(value) > LIMITS[field]:
        raise ValueError(_("%(label)s dài quá %(n)d ký tự.") % {"label": _(LABELS[field]), "n": LIMITS[field]})
    return value


def clean_name(value: str) -> str:
    return _text("name", value)


def clean_address(value: str) -> str:
    return _text("address", value)


def clean_id_number(value: str) -> str:
    value = value.strip()
    if value and not ID_NUMBER.match(value):
        raise ValueError(_("Số giấy tờ tùy thân gồm 12 chữ số (căn cước) hoặc 9 chữ số (CMND)."))
    return value


def clean_phone(value: str) -> str:
    value = value.strip()
    if value and not PHONE.match(value):
        raise ValueError(_("Số điện thoại không hợp lệ."))
    return value


def clean_email(value: str) -> str:
    value = value.strip()
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError(_("Thư điện tử không hợp lệ.")) from None
    return value


CLEANERS = {"name": clean_name, "id_number": clean_id_number, "phone": clean_phone, "email": clean_email,
            "address": clean_address}


def problems(values: dict[str, str]) -> dict[str, str]:
    """The message of each field that breaks the rule (empty fields pass: which are required is the door's)."""
    out = {}
    for field, cleaner in CLEANERS.items():
        try:
            cleaner(values.get(field, "") or "")
        except ValueError as exc:
            out[field] = str(exc)
    return out


def form_check(cleaner):  # noqa: ANN001, ANN201 - a Django form's clean_<field> from a cleaner
    """``clean_applicant_phone = form_check(clean_phone)`` in a Django form: the same rule and message."""
    def clean(value: str) -> str:
        try:
            return cleaner(value)
        except ValueError as exc:
            raise DjangoValidationError(str(exc)) from None
    return clean
