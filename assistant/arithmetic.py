"""Arithmetic over cited statements, in plain code: every result carries its formula and operands."""

from __future__ import annotations

from assistant.numbers import MONEY
from assistant.types import Computed, Statement


def _printed(statement: Statement) -> str:
    return statement.citation.text or f"{statement.value:,.{statement.decimals}f}"


def _in_unit(statement: Statement, unit: str) -> float:
    if statement.unit == unit or statement.unit not in MONEY or unit not in MONEY:
        return statement.value
    return statement.value * MONEY[statement.unit] / MONEY[unit]


def share(part: Statement, whole: Statement) -> Computed | None:
    denominator = _in_unit(whole, part.unit)
    if denominator == 0 or part.citation == whole.citation:
        return None  # a figure is never its own whole
    value = _in_unit(part, part.unit) / denominator * 100
    if not 0 <= value <= 100 + 1e-9:
        return None  # a part larger than its whole (or of another sign) is no part of it
    return Computed(value, "%", 2, f"{_printed(part)} ÷ {_printed(whole)} × 100%", (part, whole))


def difference(first: Statement, second: Statement) -> Computed:
    value = first.value - _in_unit(second, first.unit)
    places = max(first.decimals, second.decimals)
    return Computed(round(value, places + 2), first.unit, places, f"{_printed(first)} − {_printed(second)}", (first, second))


def total(statements: list[Statement]) -> Computed:
    unit = statements[0].unit
    value = sum(_in_unit(s, unit) for s in statements)
    places = max(s.decimals for s in statements)
    return Computed(round(value, places + 2), unit, places, " + ".join(_printed(s) for s in statements), tuple(statements))


def ratio(first: Statement, second: Statement) -> Computed | None:
    denominator = _in_unit(second, first.unit)
    if denominator == 0:
        return None
    return Computed(first.value / denominator, "倍", 2, f"{_printed(first)} ÷ {_printed(second)}", (first, second))


def growth(new: Statement, old: Statement) -> Computed | None:
    base = _in_unit(old, new.unit)
    if base == 0:
        return None
    value = (new.value - base) / base * 100
    return Computed(value, "%", 2, f"({_printed(new)} − {_printed(old)}) ÷ {_printed(old)} × 100%", (new, old))
