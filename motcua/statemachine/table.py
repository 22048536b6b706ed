"""A lifecycle as data, and the one function that decides what may happen to an object.

A lifecycle declares, per status, the actions that leave it (``Transition``: the status reached,
the roles that may take it, the inputs it requires and those it accepts), and per action the
*conditions* beyond the status (a callable of the object and the instant that returns a refusal
message, or None). ``Lifecycle.decide`` and ``Lifecycle.available`` read both: the screens offer
``available``'s answer, an API lists it, and the writer takes ``decide`` as its guard, so what is
offered and what is accepted are one answer.

Pure Python: no database, no Django. A condition may read the database through the object.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from motcua.statemachine.errors import Forbidden, InvalidInput, NotAllowed

# A condition: (object, instant) → a refusal message, or None when the action may go ahead.
Condition = Callable[[Any, dt.datetime], str | None]


@dataclass(frozen=True)
class Transition:
    to: str
    roles: frozenset[str]
    required: tuple[str, ...] = ()  # inputs that must be given (non-empty)
    optional: tuple[str, ...] = ()  # inputs that may be given

    @property
    def inputs(self) -> tuple[str, ...]:
        return self.required + self.optional


@dataclass(frozen=True)
class Offer:
    """An action the caller may take now, with the role it is taken in and the inputs it needs."""

    action: str
    role: str
    required: tuple[str, ...]
    optional: tuple[str, ...]

    @property
    def inputs(self) -> tuple[str, ...]:
        return self.required + self.optional


@dataclass(frozen=True)
class Lifecycle:
    name: str
    table: Mapping[str, Mapping[str, Transition]]
    conditions: Mapping[str, Sequence[Condition]] = field(default_factory=dict)
    action_labels: Mapping[str, str] = field(default_factory=dict)
    status_labels: Mapping[str, str] = field(default_factory=dict)
    status_field: str = "status"

    def __post_init__(self) -> None:
        statuses = set(self.table)
        for status, moves in self.table.items():
            for action, move in moves.items():
                if move.to not in statuses:
                    raise ValueError(f"{self.name}: {status} --{action}--> {move.to}, an undeclared status")
        unknown = set(self.conditions) - self.actions
        if unknown:
            raise ValueError(f"{self.name}: conditions for undeclared actions {sorted(unknown)}")

    @property
    def actions(self) -> set[str]:
        return {action for moves in self.table.values() for action in moves}

    def transition(self, status: str, action: str) -> Transition | None:
        return self.table.get(status, {}).get(action)

    def label(self, action: str) -> str:
        return str(self.action_labels.get(action, action))

    def refusal(self, obj: Any, action: str, roles: Iterable[str], at: dt.datetime) -> NotAllowed | Forbidden | None:
        """Why ``action`` may not be taken on ``obj`` now by one of ``roles``; None if it may."""
        status = getattr(obj, self.status_field)
        move = self.transition(status, action)
        if move is None:
            if action not in self.actions:
                return NotAllowed(f"Không có thao tác {action!r}.")
            where = self.status_labels.get(status, status)
            return NotAllowed(f"Không thể '{self.label(action)}' khi ở trạng thái '{where}'.")
        for condition in self.conditions.get(action, ()):
            message = condition(obj, at)
            if message:
                return NotAllowed(message)
        if not move.roles & set(roles):
            return Forbidden(f"Bạn không có vai trò được '{self.label(action)}' ở bước này.")
        return None

    def decide(self, obj: Any, action: str, roles: Sequence[str], at: dt.datetime) -> Offer:
        """The offer for ``action`` (with the first of ``roles`` the table allows), or raise why not."""
        refused = self.refusal(obj, action, roles, at)
        if refused is not None:
            raise refused
        move = self.transition(getattr(obj, self.status_field), action)
        assert move is not None
        role = next(r for r in roles if r in move.roles)
        return Offer(action, role, move.required, move.optional)

    def available(self, obj: Any, roles: Sequence[str], at: dt.datetime) -> list[Offer]:
        """Every action the table and the conditions allow now to one of ``roles``, in table order."""
        if not roles:
            return []
        offers = []
        for action in self.table.get(getattr(obj, self.status_field), {}):
            if self.refusal(obj, action, roles, at) is None:
                offers.append(self.decide(obj, action, roles, at))
        return offers


def check_inputs(
    offer: Offer, inputs: Mapping[str, Any], labels: Mapping[str, str] | None = None, free: Sequence[str] = ()
) -> None:
    """Refuse an input the action does not take (the ``free`` ones, e.g. a note, every action takes),
    or a required one missing or blank."""
    labels = labels or {}
    for name, value in inputs.items():
        if name not in offer.inputs and name not in free and value not in (None, ""):
            raise InvalidInput(f"Thao tác này không nhận trường '{labels.get(name, name)}'.", field=name)
    for name in offer.required:
        value = inputs.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise InvalidInput(f"Cần nhập '{labels.get(name, name)}'.", field=name)
