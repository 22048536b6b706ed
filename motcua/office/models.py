"""The office app's only table: failed logins, for the lockout (lockout.py)."""
from __future__ import annotations

from django.db import models


class LoginFailure(models.Model):
    """One failed login for a (username, client address) pair; deleted on a successful login."""

    username = models.CharField(max_length=150)  # casefolded
    ip = models.CharField(max_length=45)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["username", "ip", "at"]), models.Index(fields=["ip", "at"])]

    def __str__(self) -> str:
        return f"{self.username}@{self.ip} {self.at:%Y-%m-%d %H:%M:%S}"
