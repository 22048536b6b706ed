"""What citizens leave behind: ratings of a dossier's handling (the five SIPAS elements)."""
from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Dossier

SCORE = [MinValueValidator(1), MaxValueValidator(5)]

# The five SIPAS elements (Decision 3468/QĐ-BNV, 2024 update): name → Vietnamese label.
ELEMENTS: dict[str, str] = {
    "access": _("Tiếp cận dịch vụ"),
    "procedure": _("Thủ tục hành chính"),
    "officials": _("Công chức trực tiếp giải quyết"),
    "result": _("Kết quả giải quyết"),
    "feedback": _("Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị"),
}


class Rating(models.Model):
    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="rating")
    access = models.PositiveSmallIntegerField(validators=SCORE)
    procedure = models.PositiveSmallIntegerField(validators=SCORE)
    officials = models.PositiveSmallIntegerField(validators=SCORE)
    result = models.PositiveSmallIntegerField(validators=SCORE)
    feedback = models.PositiveSmallIntegerField(validators=SCORE)
    comment = models.TextField(_("Ý kiến góp ý"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(access__range=(1, 5), procedure__range=(1, 5), officials__range=(1, 5),
                                   result__range=(1, 5), feedback__range=(1, 5)),
                name="rating_scores_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.average:.1f}"

    @property
    def average(self) -> float:
        return sum(getattr(self, name) for name in ELEMENTS) / len(ELEMENTS)


class LimitCount(models.Model):
    """One bucket's count in one window of the rate limits (motcua.portal.ratelimit), when they are kept
    in the database: counted by one atomic statement, so failures made at once are all counted."""

    key = models.CharField(max_length=80, primary_key=True)  # the bucket, hashed, and its window's number
    count = models.PositiveIntegerField(default=0)
    expires = models.DateTimeField(db_index=True)  # the window's end: the row is pruned after it

    class Meta:
        verbose_name = _("Đếm giới hạn truy cập")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
