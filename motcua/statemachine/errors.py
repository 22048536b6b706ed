"""Refusals of a lifecycle, each with a code that the API maps to a status and the screens show."""
from __future__ import annotations


class LifecycleError(Exception):
    """A refused change: nothing was written."""

    code = "invalid"  # a rule of the domain refuses it (422)
    status = 422  # the HTTP status of this refusal

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(LifecycleError):
    code = "bad_input"  # an input is missing, malformed or not one the action may take (400)
    status = 400  # the HTTP status of this refusal


class NotAllowed(LifecycleError):
    code = "not_allowed"  # no such move from the current status, or a condition of it fails (409)
    status = 409  # the HTTP status of this refusal


class Forbidden(LifecycleError):
    code = "forbidden"  # the move exists but not for the caller's roles here (403)
    status = 403  # the HTTP status of this refusal


class Conflict(LifecycleError):
    code = "conflict"  # someone else changed the object first (409)
    status = 409  # the HTTP status of this refusal
