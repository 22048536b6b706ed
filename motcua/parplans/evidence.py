"""Evidence documents of a PAR plan task: uploaded by those who act on the task (the owner agency's
staff, the PAR officer, head or leader of the plan's unit or a unit above it, the administrator),
checked like every upload (PDF, JPEG or PNG, size limit), stored under a random name with its digest."""
from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from motcua.parplans.models import Task, TaskDocument
from motcua.people import person_name
from motcua.portal import uploads
from motcua.statemachine import Forbidden, InvalidInput


def attach(task: Task, upload: UploadedFile | None, *, actor: Any, description: str = "",
           at: dt.datetime | None = None) -> TaskDocument:
    """Store one evidence document of ``task``; refused (nothing written) for a caller who does not act
    on the task, a missing file or one that is not an accepted document."""
    from motcua.parplans.services import acting_roles

    if not acting_roles(actor, task):
        raise Forbidden("Bạn không được đính kèm minh chứng cho nhiệm vụ này.")
    if upload is None:
        raise InvalidInput("Cần chọn tệp minh chứng.", field="file")
    try:
        content_type, ext = uploads.check(upload)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="file") from None
    if len(description) > 300:
        raise InvalidInput("Mô tả tối đa 300 ký tự.", field="description")
    data = b"".join(upload.chunks())
    with transaction.atomic():
        doc = TaskDocument(task=task, original_name=(upload.name or "")[:255], content_type=content_type,
                           size=len(data), sha256=hashlib.sha256(data).hexdigest(), description=description.strip(),
                           uploaded_at=at or timezone.now(), uploaded_by=actor,
                           uploaded_by_label=person_name(actor) if actor is not None else "")
        doc.file.save(f"{uuid.uuid4().hex}{ext}", ContentFile(data), save=False)
        doc.save()
    return doc
