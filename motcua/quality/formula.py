"""A small, safe expression language for indicator formulas.

Allowed: numbers, fact names, ``+ - * /``, unary ``-``/``+``, ``min(...)``, ``max(...)`` and
parentheses — nothing else (no attributes, subscripts, comparisons, other calls, keywords...).
Formulas are parsed with :mod:`ast` and evaluated by walking the tree; Python's ``eval`` is never used.

    >>> evaluate("min(1, on_time_766 / handled)", {"on_time_766": 9, "handled": 10})
    0.9

Division by zero does not raise: it makes the whole result ``None`` ("not applicable": nothing to
measure in the period), which the index shows apart instead of scoring 0.
"""
from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass

_FUNCTIONS = {"min": min, "max": max}
_BINARY = (ast.Add, ast.Sub, ast.Mult, ast.Div)
MAX_LENGTH = 500


class FormulaError(ValueError):
    """A formula that is not in the language, or names an unknown fact; the message says what."""


class _NotApplicable(Exception):
    pass


@dataclass(frozen=True)
class Formula:
    text: str
    tree: ast.Expression
    names: frozenset[str]

    def evaluate(self, facts: Mapping[str, float]) -> float | None:
        try:
            return float(_eval(self.tree.body, facts))
        except _NotApplicable:
            return None


def parse(text: str, known: frozenset[str] | set[str] | None = None) -> Formula:
    """Parse and check ``text``; with ``known``, every name must be one of them."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("empty formula")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"formula longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"syntax error in formula {text!r}: {exc.msg}") from None
    names: set[str] = set()
    _check(tree.body, names)
    if known is not None:
        unknown = sorted(names - set(known))
        if unknown:
            raise FormulaError(f"unknown fact(s) {', '.join(unknown)} in formula {text!r}")
    return Formula(text=text.strip(), tree=tree, names=frozenset(names))


def evaluate(text: str, facts: Mapping[str, float]) -> float | None:
    return parse(text, set(facts)).evaluate(facts)


def _check(node: ast.AST, names: set[str]) -> None:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise FormulaError(f"only numbers are allowed as constants, not {node.value!r}")
    elif isinstance(node, ast.Name):
        if node.id in _FUNCTIONS:
            raise FormulaError(f"{node.id} must be called, e.g. {node.id}(a, b)")
        names.add(node.id)
    elif isinstance(node, ast.BinOp):
        if not isinstance(node.op, _BINARY):
            raise FormulaError(f"operator {type(node.op).__name__} is not allowed (only + - * /)")
        _check(node.left, names)
        _check(node.right, names)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.UAdd | ast.USub):
            raise FormulaError(f"operator {type(node.op).__name__} is not allowed")
        _check(node.operand, names)
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
            raise FormulaError("only min(...) and max(...) may be called")
        if node.keywords or len(node.args) < 2 or any(isinstance(a, ast.Starred) for a in node.args):
            raise FormulaError(f"{node.func.id}(...) takes two or more plain arguments")
        for arg in node.args:
            _check(arg, names)
    else:
        raise FormulaError(f"{type(node).__name__} is not allowed in a formula")


def _eval(node: ast.AST, facts: Mapping[str, float]) -> float:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return facts[node.id]
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, facts)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Call):
        return _FUNCTIONS[node.func.id](*(_eval(a, facts) for a in node.args))  # type: ignore[union-attr]
    assert isinstance(node, ast.BinOp)
    left, right = _eval(node.left, facts), _eval(node.right, facts)
    if isinstance(node.op, ast.Add):
        return left + right
    if isinstance(node.op, ast.Sub):
        return left - right
    if isinstance(node.op, ast.Mult):
        return left * right
    if right == 0:
        raise _NotApplicable
    return left / right


def ratio_pairs(formula: Formula) -> list[tuple[str, str]]:
    """``(numerator, denominator)`` fact names of every ``a / b`` in the formula whose two sides are
    plain names, outermost first — what the drill-down uses to find the dossiers that cost points."""
    pairs: list[tuple[str, str]] = []
    for node in ast.walk(formula.tree):
        if (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div)
                and isinstance(node.left, ast.Name) and isinstance(node.right, ast.Name)):
            pairs.append((node.left.id, node.right.id))
    return pairs


def _summed_names(node: ast.AST) -> list[str] | None:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _summed_names(node.left), _summed_names(node.right)
        return None if left is None or right is None else left + right
    return None


def penalty_terms(formula: Formula) -> list[tuple[list[str], str]]:
    """``([a, b, ...], d)`` for every ``... - (a + b + ...) / d`` in the formula (names only): facts
    whose dossiers cost points, as in 766's 5.3 = 1 − (late + disliked) / handled."""
    terms: list[tuple[list[str], str]] = []
    for node in ast.walk(formula.tree):
        if (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub) and isinstance(node.right, ast.BinOp)
                and isinstance(node.right.op, ast.Div) and isinstance(node.right.right, ast.Name)):
            names = _summed_names(node.right.left)
            if names:
                terms.append((names, node.right.right.id))
    return terms
