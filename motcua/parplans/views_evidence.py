"""A task's evidence documents on the screens: upload (by those who act on the task) and download
(by those who see the plan; 404 outside the scope)."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from motcua.parplans import evidence, services
from motcua.parplans.models import Task
from motcua.statemachine import LifecycleError


def _visible_task(request: HttpRequest, pk: int) -> Task:
    task = Task.objects.filter(pk=pk, plan__in=services.visible_plans(request.user)).select_related("plan").first()
    if task is None:
        raise Http404("Không tìm thấy nhiệm vụ.")
    return task


@login_required
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    try:
        evidence.attach(task, request.FILES.get("file"), actor=request.user,
                        description=request.POST.get("description", ""))
    except LifecycleError as exc:
        from motcua.parplans.views import task as task_page

        return task_page(request, pk, error=f"Tệp minh chứng: {exc}", status=exc.status)
    return redirect("parplans:task", pk=pk)


@login_required
def download(request: HttpRequest, pk: int, doc: int) -> FileResponse:
    task = _visible_task(request, pk)
    document = task.documents.filter(pk=doc).first()
    if document is None:
        raise Http404("Không tìm thấy tài liệu.")
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.original_name,
                        content_type=document.content_type or "application/octet-stream")
