"""Uploaded documents: size limit, type checked by content, safe stored names, SHA-256 recorded.

Files are stored under MEDIA_ROOT (``var/media``), which no URL serves: the officials' screens
(``office.views_forms.document_file``) and the citizen's status page (``portal.files``) hand them out
only after their access check, through ``serve`` (the stored content type, ``nosniff``, a safe name).

A type is what the bytes say (``sniff``), never the name or the browser's claim: a program renamed
``.pdf`` is refused. Several files in one post (``store_many``): the good ones are kept, each bad one
is named in the message; a post may carry at most ``max_files()`` files of ``max_bytes()`` each.
"""
from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from motcua.dossiers.models import Document, DocumentKind, Dossier

# Leading bytes of the types we accept → (content type, extension).
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)
ACCEPT = ".pdf,.jpg,.jpeg,.png"  # the file inputs' hint to the browser (the check is ``sniff``)


def max_bytes() -> int:
    return int(getattr(settings, "MOTCUA_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def max_files() -> int:
    """The most files one post may carry (MOTCUA_UPLOAD_MAX_FILES)."""
    return int(getattr(settings, "MOTCUA_UPLOAD_MAX_FILES", 10))


def sniff(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, ext in SIGNATURES:
        if head.startswith(magic):
            return content_type, ext
    return None


def check(upload: UploadedFile) -> tuple[str, str]:
    """(content type, extension) of an acceptable upload; ValidationError naming the problem otherwise."""
    if not upload.size:
        raise ValidationError(_("Tệp %(name)s rỗng (0 byte).") % {"name": upload.name})
    if upload.size > max_bytes():
        raise ValidationError(
            _("Tệp %(name)s quá lớn (%(size)s; tối đa %(max)s).")
            % {"name": upload.name, "size": filesizeformat(upload.size), "max": filesizeformat(max_bytes())}
        )
    upload.seek(0)
    kind = sniff(upload.read(16))
    upload.seek(0)
    if kind is None:
        raise ValidationError(_("Tệp %(name)s không phải PDF, JPEG hay PNG.") % {"name": upload.name})
    return kind


def store(
    dossier: Dossier, name: str, upload: UploadedFile, required_document_id: int | None = None, *,
    kind: str = DocumentKind.INTAKE, uploaded_by: Any = None, into: Document | None = None,
) -> Document:
    """Save a checked upload under a random name and record its digest. ``into``: an existing row
    without a file (a document received on paper) that the scan completes, instead of a new row."""
    content_type, ext = check(upload)
    digest = hashlib.sha256()
    data = bytearray()
    for chunk in upload.chunks():
        digest.update(chunk)
        data.extend(chunk)
    document = into or Document(dossier=dossier, name=name)
    document.required_document_id = required_document_id or document.required_document_id
    document.original_name = (upload.name or "")[:255]
    document.content_type, document.size, document.sha256 = content_type, len(data), digest.hexdigest()
    document.kind = kind
    document.uploaded_by = uploaded_by
    document.file.save(f"{uuid.uuid4().hex}{ext}", ContentFile(bytes(data)), save=False)
    document.save()
    return document


@dataclass
class Item:
    """One file of a post, with what it is: the document's name and the required document it answers."""

    upload: UploadedFile
    name: str
    required_document_id: int | None = None
    into: Document | None = None


@dataclass
class Outcome:
    stored: list[Document] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # one message per bad file, naming it


def too_many(count: int) -> str | None:
    """The message when a post carries more files than allowed, else None."""
    if count > max_files():
        return _("Mỗi lần gửi tối đa %(max)d tệp; ông/bà đã chọn %(count)d tệp. Vui lòng gửi làm nhiều lần.") % {
            "max": max_files(), "count": count}
    return None


def store_many(
    dossier: Dossier, items: Iterable[Item], *, kind: str, uploaded_by: Any = None,
    slots: dict[int, list[Document]] | None = None,
) -> Outcome:
    """Check and store each file on its own: the good ones are kept, each bad one named in ``refused``.
    ``slots``: rows without a file per required document (received on paper), completed in order by
    the good files that answer it, before any new row is made."""
    outcome = Outcome()
    for item in items:
        try:
            check(item.upload)
        except ValidationError as error:
            outcome.refused.extend(error.messages)
            continue
        free = (slots or {}).get(item.required_document_id or 0) or []
        into = item.into or (free.pop(0) if free else None)
        with transaction.atomic():
            outcome.stored.append(store(dossier, item.name, item.upload, item.required_document_id,
                                        kind=kind, uploaded_by=uploaded_by, into=into))
    return outcome


def download_name(document: Document, stem: str) -> str:
    """A safe name to offer: ``stem`` (the dossier's code and the row's number) with the stored extension."""
    stored = str(document.file or "")
    ext = stored[stored.rfind("."):] if "." in stored.rsplit("/", 1)[-1] else ""
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in stem)
    return f"{safe}{ext}"


def serve(document: Document, stem: str, *, attachment: bool = False) -> FileResponse:
    """The file of a document the caller was allowed to see: its stored (sniffed) content type,
    never guessed again by the browser (nosniff), under a name made here, not the uploader's."""
    if not document.file:
        raise Http404("no file")
    try:
        handle = document.file.open("rb")
    except OSError as exc:
        raise Http404("file missing") from exc
    response = FileResponse(handle, content_type=document.content_type or "application/octet-stream")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{download_name(document, stem)}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
