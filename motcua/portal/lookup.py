"""Citizens look up their dossier: code + a verification value, or the key printed in the QR code.

A wrong code and a wrong verification value get the same answer, so the page is no oracle
for which codes exist. Codes are found however they are typed (case, spaces, a typographic dash).

Only WRONG attempts are counted, per (code, client) and per client — never per code alone, which
would let anyone lock a citizen out of their own dossier by failing on purpose; a kiosk at a centre
(one address, many citizens finding their own dossiers) is never limited by its successes. Past a
limit the page says the lookup is temporarily limited and for how long (429, Retry-After); while
limited, even the right value is refused, or the limit would still answer "right or wrong".
The limits are settings (MOTCUA_LOOKUP_*). With the counts in the database (the default), one statement
reads the dossier and both counts, whether the code exists or not; a failure is counted in both buckets
by one more.
"""
from __future__ import annotations

import ipaddress
import math
import re
import time
import unicodedata
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, connections, router, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from motcua.dossiers.lifecycle import Status
from motcua.dossiers.models import Dossier
from motcua.net import client_ip
from motcua.portal import ratelimit
from motcua.portal.links import key_matches, lookup_key, public_path
from motcua.portal.models import ELEMENTS, Rating
from motcua.portal.timeline import citizen_timeline, clock_pause, extension, mask_name
from motcua.portal.views import checked_code
from motcua.prepared import PreparedRead

RATABLE = {Status.RESULT_READY, Status.RETURNED, Status.REFUSED, Status.STOPPED}


class LookupForm(forms.Form):
    code = forms.CharField(label=_lazy("Mã hồ sơ"), max_length=60)
    verification = forms.RegexField(
        label=_lazy("4 số cuối số điện thoại hoặc số định danh cá nhân"), regex=r"^\d{4}$", max_length=4,
        error_messages={"invalid": _lazy("Nhập đúng 4 chữ số.")},
    )


# The five levels of the SIPAS scale, in words (the stored value stays 1–5: the 766 index reads it,
# 4 and 5 "satisfied", below 3 a dislike).
LEVELS: list[tuple[int, str]] = [
    (1, _lazy("Rất không hài lòng")),
    (2, _lazy("Không hài lòng")),
    (3, _lazy("Bình thường")),
    (4, _lazy("Hài lòng")),
    (5, _lazy("Rất hài lòng")),
]


class RatingForm(forms.ModelForm):
    class Meta:
        model = Rating
        fields = [*ELEMENTS, "comment"]
        labels = {**ELEMENTS, "comment": _lazy("Ý kiến góp ý (nếu có)")}
        widgets = {name: forms.RadioSelect(choices=LEVELS, attrs={"class": "form-check-input"}) for name in ELEMENTS}


def verifies(dossier: Dossier, value: str) -> bool:
    """The value is the last 4 digits of the applicant's phone or ID number (however they were typed)."""
    candidates = [re.sub(r"\D", "", v) for v in (dossier.applicant_phone, dossier.applicant_id)]
    return any(len(c) >= 4 and c[-4:] == value for c in candidates)


def normalise_code(typed: str) -> str:
    """The code as stored: upper-case, without spaces, with a plain hyphen for any dash typed."""
    text = unicodedata.normalize("NFKC", typed)
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    return re.sub(r"\s+", "", text).upper()


# Only what the check needs, unordered: this query is most of a lookup's time.
_CHECKED = ("code", "applicant_phone", "applicant_id")
_BY_CODE = PreparedRead(lambda code: Dossier.objects.filter(code=code).order_by().only(*_CHECKED))


def find_dossier(typed: str) -> Dossier | None:
    """The dossier of a code typed by a citizen: its upper-case form (every code the system makes),
    else exactly as typed (a legacy code imported in mixed case). Both are lookups of the unique index."""
    code = normalise_code(typed)
    if _typed_as_written(typed, code):  # the one query, compiled once
        return _BY_CODE.first(code)
    rows = Dossier.objects.filter(code__in={code, _unspaced(typed)}).order_by().only(*_CHECKED)
    found = {d.code: d for d in rows}
    return found.get(code) or next(iter(found.values()), None)


def _unspaced(typed: str) -> str:
    return re.sub(r"\s+", "", typed.strip())


def _typed_as_written(typed: str, code: str) -> bool:
    """The code (``normalise_code(typed)``) was typed as the system writes it, spaces aside: it is read as it
    is, not also as typed (a legacy code imported in mixed case)."""
    return _unspaced(typed) == code


def _find_unless_limited(typed: str, code: str, buckets: list[tuple[str, int]],
                         window: int) -> tuple[Dossier | None, bool]:
    """(the dossier of the code typed, whether a limit holds). When the counts are in the database and the
    code is typed as the system writes it, one statement reads both — one row whether the code exists or
    not, so the time taken tells nothing of it; else the counts, then (not limited) the dossier."""
    now = time.time()
    if ratelimit.in_database() and _typed_as_written(typed, code):
        using = router.db_for_write(Dossier)
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(_read_sql(connection, len(buckets)),
                           [*(ratelimit.window_key(bucket, window, now) for bucket, _limit in buckets), code])
            row = cursor.fetchone()
        checked, counts = row[:len(_CHECKED)], row[len(_CHECKED):]
        if ratelimit.reached(list(counts), [limit for _bucket, limit in buckets]):
            return None, True
        return (Dossier.from_db(using, _CHECKED, checked) if checked[0] is not None else None), False
    if ratelimit.any_blocked(buckets, window, now):
        return None, True
    return find_dossier(typed), False


_READ_SQL: dict[tuple[str, int], str] = {}


def _read_sql(connection: Any, buckets: int) -> str:
    """The lookup's one statement: the dossier's checked columns (NULL where no dossier has the code) and
    the counts of the buckets (built once per kind of database)."""
    shape = (connection.vendor, buckets)
    if shape not in _READ_SQL:
        meta, quote = Dossier._meta, connection.ops.quote_name
        columns = ", ".join(f"d.{quote(meta.get_field(name).column)}" for name in _CHECKED)
        _READ_SQL[shape] = (
            f"SELECT {columns}, {ratelimit.count_columns(buckets, connection)} FROM (SELECT 1) AS one "
            f"LEFT JOIN {quote(meta.db_table)} d ON d.{quote(meta.get_field('code').column)} = %s")
    return _READ_SQL[shape]


def client_key(request: HttpRequest) -> str:
    """The client's address; an IPv6 client by its /64 (one subscriber holds a whole /64)."""
    address = client_ip(request) or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _window() -> int:
    return int(settings.MOTCUA_LOOKUP_WINDOW_MINUTES) * 60


def _buckets(code: str, client: str) -> list[tuple[str, int]]:
    return [(f"lookup-code-client:{code}|{client}", int(settings.MOTCUA_LOOKUP_MAX_FAILURES)),
            (f"lookup-client:{client}", int(settings.MOTCUA_LOOKUP_MAX_FAILURES_PER_ADDRESS))]


def _limited(request: HttpRequest, form: LookupForm) -> HttpResponse:
    seconds = ratelimit.retry_after(_window())
    minutes = max(1, math.ceil(seconds / 60))
    messages.error(request, _(
        "Tra cứu tạm thời bị giới hạn vì đã nhập sai mã hồ sơ hoặc thông tin xác minh nhiều lần. "
        "Vui lòng thử lại sau %(minutes)d phút, hoặc liên hệ Bộ phận Một cửa nơi nộp hồ sơ để được hỗ trợ."
    ) % {"minutes": minutes})
    response = render(request, "portal/lookup.html", {"form": form, "limited": True}, status=429)
    response["Retry-After"] = str(seconds)
    return response


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    form = LookupForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    if request.method != "POST" or not form.is_valid():  # a malformed form is no guess: not counted
        return render(request, "portal/lookup.html", {"form": form})
    typed = form.cleaned_data["code"]
    code = normalise_code(typed)
    buckets = _buckets(code, client_key(request))
    window = _window()
    dossier, limited = _find_unless_limited(typed, code, buckets, window)
    if limited:
        return _limited(request, form)
    if dossier is not None and verifies(dossier, form.cleaned_data["verification"]):
        # The path as it is (``redirect`` would first try it as a view's name, and fail)
        return HttpResponseRedirect(public_path(dossier.code))  # a success counts toward nothing
    ratelimit.fail_all([bucket for bucket, _limit in buckets], window)
    messages.error(request, _("Không tìm thấy hồ sơ có mã và thông tin xác minh này."))
    return render(request, "portal/lookup.html", {"form": form}, status=404)


def _dossier_for_key(request: HttpRequest, code: str) -> Dossier:
    checked_code(code)
    if not key_matches(code, request.GET.get("k", "")):
        raise Http404
    dossier = Dossier.objects.select_related("procedure", "agency", "unit").filter(code=code).first()
    if dossier is None:
        raise Http404
    return dossier


def dossier_page(request: HttpRequest, code: str) -> HttpResponse:
    checked_code(code)
    if not key_matches(code, request.GET.get("k", "")):
        return redirect(f"{reverse('portal:lookup')}?{urlencode({'code': code})}")
    dossier = _dossier_for_key(request, code)
    rating = Rating.objects.filter(dossier=dossier).first()
    form = RatingForm() if dossier.status in RATABLE and rating is None else None
    return render(request, "portal/dossier.html", _page(dossier, rating_form=form, rating=rating))


def _page(dossier: Dossier, **extra: object) -> dict[str, object]:
    """What the status page shows of a dossier (besides the rating form)."""
    return {
        "dossier": dossier, "applicant": mask_name(dossier.applicant_name), "timeline": citizen_timeline(dossier),
        "key": lookup_key(dossier.code), "pause": clock_pause(dossier), "extension": extension(dossier), **extra,
    }


@require_http_methods(["POST"])
def rate(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _dossier_for_key(request, code)
    if dossier.status not in RATABLE:
        messages.error(request, _("Chỉ đánh giá được khi hồ sơ đã có kết quả."))
        return redirect(public_path(code))
    form = RatingForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/dossier.html", _page(dossier, rating_form=form), status=400)
    try:
        with transaction.atomic():
            form.instance.dossier = dossier
            form.save()
    except IntegrityError:
        messages.error(request, _("Hồ sơ này đã được đánh giá; mỗi hồ sơ chỉ đánh giá một lần."))
        return redirect(public_path(code))
    messages.success(request, _("Cảm ơn ông/bà đã đánh giá."))
    return redirect(public_path(code))
