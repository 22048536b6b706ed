"""The typed, append-only history line of a lifecycle's object, as an abstract Django model.

A concrete event model adds the foreign key to its object (``Writer.subject_field``), its ``action``
field with the lifecycle's event vocabulary as choices, and the unique (object, seq) constraint. The
dossiers' ``DossierEvent`` predates it and has the same shape.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models


class LifecycleEvent(models.Model):
    seq = models.PositiveIntegerField()
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_label = models.CharField(max_length=300, blank=True)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    note = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"#{self.seq} {getattr(self, 'action', '')}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("lifecycle events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("lifecycle events are append-only")
