"""Dossiers, their steps, their append-only events and their documents.

Only ``motcua.dossiers.services`` (and the legacy bulk import it owns) writes ``status`` and the
clock fields. The timestamps below (received_at, finished_at, withdrawn_at...) are written in the
same transaction as the matching event, so reports can take the state at any instant from them.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure
from motcua.catalog.search import fold
from motcua.dossiers.lifecycle import EVENT_LABELS, STATUS_LABELS, Status
from motcua.units.models import AdministrativeUnit, Agency, Level


class Channel(models.TextChoices):
    COUNTER = "counter", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    POSTAL = "postal", _("Bưu chính công ích")


class Outcome(models.TextChoices):
    APPROVED = "approved", _("Có kết quả")
    REFUSED = "refused", _("Từ chối")
    STOPPED = "stopped", _("Dừng xử lý")
    WITHDRAWN = "withdrawn", _("Rút hồ sơ")


class Dossier(models.Model):
    # Indexes are few on purpose: every one costs each write, and a legacy import writes millions of
    # rows (the unit and the agency are searched through the composite indexes in Meta).
    code = models.CharField(max_length=60)
    regime = models.CharField(max_length=10)
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="dossiers")
    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="dossiers", db_index=False)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="dossiers",
                               db_index=False)
    level = models.CharField(max_length=10, choices=Level.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=24, choices=[(s.value, label) for s, label in STATUS_LABELS.items()])

    applicant_name = models.CharField(max_length=200, blank=True)
    # The name lower-cased without diacritics ("nguyen van an"), for the officials' search; kept in
    # step with applicant_name by save() and by every bulk writer (see motcua.catalog.search.fold).
    applicant_name_folded = models.CharField(max_length=200, blank=True, editable=False)
    applicant_id = models.CharField(max_length=20, blank=True)
    applicant_phone = models.CharField(max_length=20, blank=True)
    applicant_email = models.EmailField(blank=True)
    applicant_address = models.CharField(max_length=300, blank=True)
    matter = models.CharField(max_length=500, blank=True, help_text=_("Nội dung yêu cầu giải quyết"))
    sets = models.PositiveSmallIntegerField(default=1)

    submitted_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True, db_index=True)
    clock_start = models.DateTimeField(null=True, blank=True)
    # The due instant in force: moves only with the clock policy (pauses, restarts) and
    # calendar changes, never with an apology.
    due_at = models.DateTimeField(null=True, blank=True)
    extended_due_at = models.DateTimeField(null=True, blank=True, help_text=_("Ngày hẹn lại trong phiếu xin lỗi"))
    paused_at = models.DateTimeField(null=True, blank=True)
    remaining_minutes = models.PositiveIntegerField(null=True, blank=True)
    supplement_requests = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    current_step = models.PositiveSmallIntegerField(default=0, help_text=_("0 = chưa chuyển xử lý"))
    # The named officer the dossier is assigned to at its current step ("giao cho"); None = the agency's.
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="assigned_dossiers", db_index=False)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001 - NULL: none given
    imported = models.BooleanField(default=False)
    # Bumped by every transition; a conditional UPDATE on it makes concurrent changes fail cleanly.
    version = models.PositiveIntegerField(default=0)
    # Instant of the latest event: a transition dated before it is refused (history stays ordered).
    last_event_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "code"]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="dossier_code_unique"),
            models.UniqueConstraint(fields=["idempotency_key"], condition=models.Q(idempotency_key__isnull=False),
                                    name="dossier_idempotency_key_unique"),
        ]
        indexes = [
            models.Index(fields=["status"], name="dossier_status_idx"),
            models.Index(fields=["unit", "received_at"]),
            models.Index(fields=["agency", "status", "due_at"]),
            models.Index(fields=["assignee", "status"], condition=models.Q(assignee__isnull=False),
                         name="dossier_assignee_idx"),
            # The officials' search by ID number or phone (exact); partial: a dossier without one costs nothing.
            models.Index(fields=["applicant_id"], condition=~models.Q(applicant_id=""),
                         name="dossier_applicant_id_idx"),
            models.Index(fields=["applicant_phone"], condition=~models.Q(applicant_phone=""),
                         name="dossier_applicant_phone_idx"),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args: object, **kwargs: object) -> None:
        # services.receive writes a new dossier with prepared.insert_rows, not save(): it calls
        # fold_name itself. Whatever else save() comes to do, do it there too.
        self.fold_name()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "applicant_name" in update_fields:  # type: ignore[operator]
            kwargs["update_fields"] = {*update_fields, "applicant_name_folded"}  # type: ignore[misc]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def fold_name(self) -> None:
        """The applicant's name as the search compares it (kept by every save)."""
        self.applicant_name_folded = fold(self.applicant_name)[:200]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[Status(self.status)]


class DossierStep(models.Model):
    """A step of one dossier's route, with its own due instant (the control slip)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=300)
    role = models.CharField(max_length=20)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT)
    share_minutes = models.PositiveIntegerField()
    started_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dossier", "order"]
        constraints = [models.UniqueConstraint(fields=["dossier", "order"], name="dossier_step_unique")]

    def __str__(self) -> str:
        return f"{self.dossier_id}/{self.order} {self.name}"


class DossierEvent(models.Model):
    """One immutable line of a dossier's history."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events",
                                db_index=False)  # the unique (dossier, seq) serves
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=24, choices=[(k.value, label) for k, label in EVENT_LABELS.items()])
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              db_index=False)  # indexed where set only (Meta): imported events have none
    actor_label = models.CharField(max_length=200, blank=True)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    reason = models.TextField(blank=True, help_text=_("Căn cứ / lý do"))
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["dossier", "seq"]
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="dossier_event_seq_unique")]
        # "Done by me" reads an officer's recent events: (actor, at), only where an actor is set.
        indexes = [models.Index(fields=["actor", "at"], condition=models.Q(actor__isnull=False),
                                name="event_actor_at_idx")]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.seq} {self.action}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("dossier events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("dossier events are append-only")


class DocumentKind(models.TextChoices):
    INTAKE = "intake", _("Thành phần hồ sơ")
    SUPPLEMENT = "supplement", _("Tài liệu bổ sung")
    RESULT = "result", _("Kết quả giải quyết")


class Document(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(max_length=500)
    required_document = models.ForeignKey(
        "catalog.RequiredDocument", null=True, blank=True, on_delete=models.SET_NULL
    )
    file = models.FileField(upload_to="dossiers/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    paper = models.BooleanField(default=False, help_text=_("Bản giấy nhận tại quầy"))
    kind = models.CharField(max_length=12, choices=DocumentKind.choices, default=DocumentKind.INTAKE)
    # None: sent by the citizen (online submission or supplement from the status page).
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", db_index=False)
    # A supplement the citizen sent is confirmed by the official who checked it.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", db_index=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class DossierCodeSequence(models.Model):
    """Daily sequence per (agency code, day) so that dossier codes are never reused."""

    prefix = models.CharField(max_length=60, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}: {self.last}"
