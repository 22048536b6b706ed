"""A small reusable lifecycle mechanism: a table as data, one decision function, one writer,
typed events and an optimistic version (see ``table`` and ``writer``). The dossier lifecycle uses
it; any other object with a lifecycle (a complaint, a recommendation) declares its own table and
writer and gets the same guarantees."""
from motcua.statemachine.errors import Conflict, Forbidden, InvalidInput, LifecycleError, NotAllowed
from motcua.statemachine.table import Condition, Lifecycle, Offer, Transition, check_inputs

__all__ = [
    "Condition", "Conflict", "Forbidden", "InvalidInput", "Lifecycle", "LifecycleError", "NotAllowed", "Offer",
    "Transition", "check_inputs",
]
