"""PAR index screens: the assessments (filters), an assessment's page (the tree with self, appraised,
survey and computed scores, notes, evidence, points lost, history, actions, score forms), a set's
ranking with the change of places (and xlsx), and the public page of published results."""
from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from motcua.documents.tables import response, table_xlsx
from motcua.parindex import evidence, scoring, services
from motcua.parindex.lifecycle import ACTION_LABELS, INPUT_LABELS, STATUS_LABELS, Action
from motcua.parindex.models import LEVELS, Assessment, EvidenceDocument, IndexSet
from motcua.statemachine import LifecycleError


@login_required
def assessments(request: HttpRequest) -> HttpResponse:
    qs = services.visible(request.user).select_related("unit", "index_set")
    year = request.GET.get("year", "")
    if year.isdigit():
        qs = qs.filter(year=int(year))
    level = request.GET.get("level", "")
    if level:
        qs = qs.filter(index_set__level=level)
    set_code = request.GET.get("set", "")
    if set_code:
        qs = qs.filter(index_set__code=set_code)
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    qs = qs.prefetch_related("scores__sub")[:500]
    rows = [{"a": a, "result": scoring.result(a, list(a.scores.all()))} for a in qs]
    return render(request, "parindex/assessments.html", {
        "rows": rows, "sets": IndexSet.objects.all(), "levels": LEVELS, "statuses": STATUS_LABELS,
        "f": {"year": year, "level": level, "set": set_code, "status": status}})


def _visible(request: HttpRequest, pk: int) -> Assessment:
    a = services.visible(request.user, Assessment.objects.filter(pk=pk)).select_related("unit", "index_set").first()
    if a is None:
        raise Http404("Không tìm thấy bản đánh giá.")
    return a


def _tree(a: Assessment) -> list[dict[str, Any]]:
    scores = {s.sub_id: s for s in a.scores.select_related("sub").prefetch_related("documents")}
    out = []
    for field in a.index_set.fields.prefetch_related("criteria__subcriteria"):
        criteria = []
        for c in field.criteria.all():
            criteria.append({"c": c, "subs": [scores[s.pk] for s in c.subcriteria.all() if s.pk in scores]})
        out.append({"field": field, "criteria": criteria})
    return out


def _context(request: HttpRequest, a: Assessment, **extra: Any) -> dict[str, Any]:
    roles = services.acting_roles(request.user, a)
    offers = services.ASSESSMENTS.available(a, roles, timezone.now())
    rank, peers = scoring.rank_of(a)
    return {"a": a, "tree": _tree(a), "result": scoring.result(a), "rank": rank, "peers": peers,
            "lost": scoring.lost(a), "events": a.events.all(), "acting": roles, "earlier": scoring.earlier_ranks(a),
            "offers": [{"action": o.action, "label": ACTION_LABELS[Action(o.action)],
                        "fields": [(n, INPUT_LABELS[n], n in o.required) for n in o.inputs]} for o in offers],
            **extra}


@login_required
def assessment(request: HttpRequest, pk: int) -> HttpResponse:
    a = _visible(request, pk)
    if request.GET.get("format") == "xlsx":
        rows = [[s.sub.code, s.sub.name, float(s.sub.max_points), s.sub.get_method_display(), _num(s.self_score),
                 _num(s.computed_points), _num(s.survey_score), _num(s.appraised_score), _num(s.points),
                 "Không áp dụng" if s.not_applicable else "", s.appraiser_note, _num(s.computed_value),
                 timezone.localtime(s.computed_at).strftime("%d/%m/%Y %H:%M") if s.computed_at else "",
                 "; ".join([s.self_evidence, *(d.original_name for d in s.documents.all())]).strip("; ")]
                for item in _tree(a) for c in item["criteria"] for s in c["subs"]]
        result = scoring.result(a)
        rank, peers = scoring.rank_of(a)
        summary = f"Xếp loại {result.band or '—'}" + (f" · hạng {rank}/{peers}" if rank else "")
        rows.append(["", "Chỉ số", float(result.maximum), "", "", "", "", "", _num(result.index), summary, "", None, "",
                     ""])
        return response(table_xlsx(str(a), ("Mã", "Tiêu chí thành phần", "Tối đa", "Phương pháp", "Tự đánh giá",
                                            "Tính từ hệ thống", "Điều tra", "Thẩm định", "Điểm", "Ghi chú",
                                            "Lý do điều chỉnh", "Giá trị tính từ hệ thống", "Thời điểm tính",
                                            "Kiểm chứng"), rows), f"chi-so-cchc-{a.pk}")
    return render(request, "parindex/assessment.html", _context(request, a))


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


@login_required
@require_POST
def score(request: HttpRequest, pk: int) -> HttpResponse:
    a = _visible(request, pk)
    kind, code, points = request.POST.get("kind"), request.POST.get("code", ""), request.POST.get("points", "")
    try:
        if kind == "self":
            services.self_score(a, code, points, request.POST.get("evidence", ""), actor=request.user,
                                not_applicable=request.POST.get("not_applicable") == "on")
        elif kind == "appraise":
            services.appraise(a, code, points, request.POST.get("note", ""), actor=request.user)
        elif kind == "survey":
            services.survey(a, code, points, actor=request.user)
        elif kind == "compute":
            services.compute(a, actor=request.user)
        else:
            services.perform(a, request.POST.get("action", ""), actor=request.user,
                             expected_version=int(request.POST.get("version") or 0) or None,
                             note=request.POST.get("note", "").strip(), reason=request.POST.get("reason", "").strip())
    except LifecycleError as exc:
        return render(request, "parindex/assessment.html", _context(request, a, error=str(exc)), status=exc.status)
    return redirect("parindex:assessment", pk=a.pk)


@login_required
def ranking(request: HttpRequest, code: str) -> HttpResponse:
    index_set = IndexSet.objects.filter(code=code).first()
    if index_set is None:
        raise Http404("Không có bộ chỉ số.")
    earlier = request.GET.get("so_voi", "")
    rows = scoring.ranking(index_set)
    seen = set(services.visible(request.user, index_set.assessments.all()).values_list("pk", flat=True))
    if not seen:  # the peer group's ranking is shown to those who see one of its assessments
        raise Http404("Không có bộ chỉ số.")
    for row in rows:
        row["openable"] = row["assessment"].pk in seen
    changes = scoring.rank_changes(index_set, int(earlier)) if earlier.isdigit() else {}
    for row in rows:
        row["change"] = changes.get(row["unit"].code)
    if request.GET.get("format") == "xlsx":
        data = [[r["rank"], r["unit"].name, _num(r["result"].index), r["result"].band, r["change"]] for r in rows]
        title = f"Xếp hạng {index_set} — {len(rows)} đơn vị" + (f", so với năm {earlier}" if changes else "")
        return response(table_xlsx(title, ("Hạng", "Đơn vị", "Chỉ số", "Xếp loại", "Thay đổi thứ hạng (bậc)"), data),
                        f"xep-hang-{code}")
    years = IndexSet.objects.filter(level=index_set.level, year__lt=index_set.year).values_list("year", flat=True)
    return render(request, "parindex/ranking.html", {"set": index_set, "rows": rows, "earlier": earlier,
                                                     "years": sorted(set(years), reverse=True)})


def public(request: HttpRequest) -> HttpResponse:
    """Published results, open to everyone: each published assessment with its rank among its peers."""
    rows = []
    sets = IndexSet.objects.filter(assessments__status="published").distinct()
    for index_set in sets:
        for r in scoring.ranking(index_set):
            if r["assessment"].status == "published":
                rows.append({"a": r["assessment"], "result": r["result"], "rank": r["rank"], "peers": r["peers"]})
    return render(request, "parindex/public.html", {"rows": rows})


def public_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    """A published assessment, read-only for everyone (no evidence documents, no history actors)."""
    a = Assessment.objects.filter(pk=pk, status="published").select_related("unit", "index_set").first()
    if a is None:
        raise Http404("Không tìm thấy kết quả đã công bố.")
    rank, peers = scoring.rank_of(a)
    return render(request, "parindex/public_assessment.html", {
        "a": a, "tree": _tree(a), "result": scoring.result(a), "rank": rank, "peers": peers, "lost": scoring.lost(a),
        "earlier": scoring.earlier_ranks(a)})


@login_required
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    a = _visible(request, pk)
    try:
        evidence.attach(a, request.POST.get("code", "").strip(), request.FILES.get("file"), actor=request.user)
    except LifecycleError as exc:
        return render(request, "parindex/assessment.html", _context(request, a, error=f"Tài liệu kiểm chứng: {exc}"),
                      status=exc.status)
    return redirect("parindex:assessment", pk=a.pk)


@login_required
def download(request: HttpRequest, pk: int, doc: int) -> FileResponse:
    a = _visible(request, pk)
    document = EvidenceDocument.objects.filter(pk=doc, score__assessment=a).first()
    if document is None:
        raise Http404("Không tìm thấy tài liệu.")
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.original_name,
                        content_type=document.content_type or "application/octet-stream")
