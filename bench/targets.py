"""A bench's targets: each figure beside its limit, judged on the figure itself, not on a rounded print of
it (0.5997 is not ≥ 0.6, though it prints as 0.600 to three places). Used by bench/http.py and
bench/transitions.py."""
from __future__ import annotations


def target(results: dict, name: str, value: float, *, at_least: float | None = None,
           at_most: float | None = None) -> float:
    """Record under ``results["targets"][name]`` the value (to four places), its limit, and whether it is met;
    return the value to four places."""
    if (at_least is None) == (at_most is None):
        raise ValueError("a target has one limit: at_least or at_most")
    met = value >= at_least if at_least is not None else value <= at_most
    limit = f"≥ {at_least}" if at_least is not None else f"≤ {at_most}"
    results.setdefault("targets", {})[name] = {"value": round(value, 4), "target": limit, "met": met}
    return round(value, 4)


def print_targets(results: dict) -> None:
    """One line per target: its value, its limit, met or NOT MET."""
    for name, found in results.get("targets", {}).items():
        print(f"{name}: {found['value']} (target {found['target']}) {'met' if found['met'] else 'NOT MET'}")
