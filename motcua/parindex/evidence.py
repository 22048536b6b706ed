"""Evidence documents of a self score: uploaded by the assessed unit's PAR officer or leader while the
self-assessment is open (draft), checked like every upload (PDF, JPEG or PNG, size limit), stored under
a random name with its digest; one line of the assessment's history each."""
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

from motcua.parindex.lifecycle import Status
from motcua.parindex.models import Assessment, EvidenceDocument
from motcua.people import person_name
from motcua.portal import uploads
from motcua.roles import Role
from motcua.statemachine import Forbidden, InvalidInput, NotAllowed


def attach(a: Assessment, code: str, upload: UploadedFile | None, *, actor: Any,
           at: dt.datetime | None = None) -> EvidenceDocument:
    """Store one evidence document for sub-criterion ``code`` of ``a``; refused, nothing written, for a
    caller who does not self-assess the unit, an assessment already submitted, an unknown code, a
    missing file or one that is not an accepted document."""
    from motcua.parindex import services

    if not ({Role.PAR_OFFICER, Role.LEADER} & set(services.acting_roles(actor, a))):
        raise Forbidden("Chỉ đầu mối CCHC, lãnh đạo đơn vị được đính kèm tài liệu kiểm chứng.")
    a.refresh_from_db(fields=["status", "version"])
    if a.status != Status.DRAFT:
        raise NotAllowed("Bản đánh giá đã gửi; không đính kèm thêm tài liệu kiểm chứng được.")
    score = a.scores.select_related("sub").filter(sub__code=code).first()
    if score is None:
        raise InvalidInput(f"Không có tiêu chí thành phần {code} trong bộ chỉ số.", field="code")
    if upload is None:
        raise InvalidInput("Cần chọn tệp kiểm chứng.", field="file")
    try:
        content_type, ext = uploads.check(upload)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="file") from None
    data = b"".join(upload.chunks())
    at = at or timezone.now()
    with transaction.atomic():
        doc = EvidenceDocument(score=score, original_name=(upload.name or "")[:255], content_type=content_type,
                               size=len(data), sha256=hashlib.sha256(data).hexdigest(), uploaded_at=at,
                               uploaded_by=actor, uploaded_by_label=person_name(actor))
        doc.file.save(f"{uuid.uuid4().hex}{ext}", ContentFile(data), save=False)
        doc.save()
        services.record_event(a, "score", actor, Role.PAR_OFFICER, at, note=f"{code}: tài liệu {doc.original_name}",
                              payload={"code": code, "document": doc.original_name, "sha256": doc.sha256})
    return doc
