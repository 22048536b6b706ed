"""Uploaded documents: size limit, type checked by content, safe stored names, SHA-256 recorded.

Files are stored under MEDIA_ROOT, which no URL serves: the officials' screens hand them out
only to users allowed to see the dossier.
"""
from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from motcua.dossiers.models import Document, Dossier

# Leading bytes of the types we accept → (content type, extension).
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


def max_bytes() -> int:
    return getattr(settings, "MOTCUA_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)


def sniff(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, ext in SIGNATURES:
        if head.startswith(magic):
            return content_type, ext
    return None


def check(upload: UploadedFile) -> tuple[str, str]:
    """(content type, extension) of an acceptable upload; ValidationError naming the problem otherwise."""
    if upload.size is not None and upload.size > max_bytes():
        raise ValidationError(
            _("Tệp %(name)s quá lớn (%(size)s MB; tối đa %(max)s MB).")
            % {"name": upload.name, "size": round(upload.size / 1048576, 1), "max": max_bytes() // 1048576}
        )
    upload.seek(0)
    kind = sniff(upload.read(16))
    upload.seek(0)
    if kind is None:
        raise ValidationError(_("Tệp %(name)s không phải PDF, JPEG hay PNG.") % {"name": upload.name})
    return kind


def store(dossier: Dossier, name: str, upload: UploadedFile, required_document_id: int | None = None) -> Document:
    """Save a checked upload under a random name and record its digest."""
    content_type, ext = check(upload)
    digest = hashlib.sha256()
    data = bytearray()
    for chunk in upload.chunks():
        digest.update(chunk)
        data.extend(chunk)
    document = Document(
        dossier=dossier, name=name, required_document_id=required_document_id,
        original_name=(upload.name or "")[:255], content_type=content_type, size=len(data),
        sha256=digest.hexdigest(),
    )
    document.file.save(f"{uuid.uuid4().hex}{ext}", ContentFile(bytes(data)), save=False)
    document.save()
    return document
