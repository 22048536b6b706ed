"""The indicator formula language: numbers, fact names, + - * /, min, max, parentheses — nothing else."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from motcua.quality.formula import FormulaError, evaluate, parse, ratio_pairs
from motcua.quality.indicators import FACT_NAMES
from motcua.quality.models import Indicator


@pytest.mark.parametrize(("text", "facts", "value"), [
    ("on_time_766 / handled", {"on_time_766": 9, "handled": 12}, 0.75),
    ("min(1, a / b)", {"a": 5, "b": 4}, 1.0),
    ("max(0, 1 - (a + b) / c)", {"a": 1, "b": 1, "c": 8}, 0.75),
    ("-a + 2 * (b - 0.5)", {"a": 1, "b": 2}, 2.0),
    ("+a / 4", {"a": 3}, 0.75),
])
def test_allowed_expressions_evaluate(text, facts, value):
    assert evaluate(text, facts) == pytest.approx(value)


def test_division_by_zero_means_not_applicable():
    assert evaluate("a / b", {"a": 0, "b": 0}) is None
    assert evaluate("min(1, a / (b - b))", {"a": 1, "b": 3}) is None


@pytest.mark.parametrize(("text", "message"), [
    ("__import__('os').system('true')", "only min"),
    ("a.real", "Attribute"),
    ("a ** 2", "Pow"),
    ("a % 2", "Mod"),
    ("a // 2", "FloorDiv"),
    ("a if a else b", "IfExp"),
    ("a < b", "Compare"),
    ("a and b", "BoolOp"),
    ("[a, b]", "List"),
    ("a[0]", "Subscript"),
    ("'text'", "numbers"),
    ("True", "numbers"),
    ("abs(a)", "only min"),
    ("min(a)", "two or more"),
    ("min(*a)", "two or more"),
    ("min(a, b, key=c)", "two or more"),
    ("lambda: 1", "Lambda"),
    ("min", "must be called"),
    ("a +", "syntax"),
    ("", "empty"),
    ("(a := 1)", "NamedExpr"),
    ("not a", "Not"),
])
def test_everything_else_is_refused_with_a_clear_error(text, message):
    with pytest.raises(FormulaError, match=message):
        parse(text)


def test_unknown_fact_names_are_refused():
    with pytest.raises(FormulaError, match="unknown fact.*on_tme"):
        parse("on_tme / handled", FACT_NAMES)
    assert parse("on_time_766 / handled", FACT_NAMES).names == {"on_time_766", "handled"}


def test_ratio_pairs_find_the_numerator_and_denominator():
    assert ratio_pairs(parse("min(1, a / b)")) == [("a", "b")]
    assert ratio_pairs(parse("2 * (a + 1)")) == []


def test_an_indicator_with_a_bad_formula_does_not_validate():
    ind = Indicator(code="9.1", name="x", formula="handled ** 2", max_points=1)
    with pytest.raises(ValidationError, match="Pow"):
        ind.clean()
    Indicator(code="9.1", name="x", formula="on_time_766 / handled", max_points=1).clean()
