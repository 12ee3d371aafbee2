"""Glyphs a producer printed across a table's ruling lines, put back in the row they belong to.

Some producers (ONLYOFFICE exports seen in several cities) print the digits of a row about half a
row below its words, so codes and figures sit on the rule under their row and pdfplumber, which
places a glyph by its middle, hands them to the row below: every label then sits one row off its
code. Whether they belong above or below is decided by the page itself: a row of a table has
both words and figures, so the reading that gives more rows both wins (ties keep the page as is).
Only a page-wide habit is corrected, never a lone glyph touching a rule.
"""

from __future__ import annotations

import re
from bisect import bisect
from statistics import pstdev
from typing import Any

_MIN_STRAYS = 8  # fewer glyphs across rules is an accident of layout, not a producer's habit
_SAME_SHIFT = 0.15  # strays of one habit cross their rules at about the same height
_WORD = re.compile(r"[\u4e00-\u9fff]")
_DIGIT = re.compile(r"\d")


def realigned(page: Any) -> Any:
    """The page with rule-straddling glyphs moved into the row they belong to; else the page itself."""
    rules = sorted((float(e["top"]), float(e["x0"]), float(e["x1"])) for e in page.horizontal_edges)
    strays = {id(char): rule for char in page.chars if (rule := _crossed(char, rules)) is not None}
    shares = [_above_share(char, strays[id(char)]) for char in page.chars if id(char) in strays]
    if len(strays) < _MIN_STRAYS or pstdev(shares) > _SAME_SHIFT:
        return page
    levels = sorted({y for y, _, _ in rules})
    readings = {
        shift: [_moved(char, strays[id(char)], shift) if id(char) in strays else char for char in page.chars]
        for shift in ("up", "down")
    }
    best = max(readings, key=lambda shift: _full_rows(readings[shift], levels))
    if _full_rows(readings[best], levels) <= _full_rows(page.chars, levels):
        return page
    derived = page.filter(lambda _obj: True)
    derived._objects = {kind: list(objs) for kind, objs in page.objects.items()}
    derived._objects["char"] = readings[best]
    return derived


def _crossed(char: dict[str, Any], rules: list[tuple[float, float, float]]) -> float | None:
    """The y of a rule the glyph's box crosses by more than a point on each side, if any (rules sorted)."""
    if not char["text"].strip():
        return None
    middle = (char["x0"] + char["x1"]) / 2
    start = bisect(rules, (char["top"] + 1, float("inf"), 0.0))
    for y, x0, x1 in rules[start:]:
        if y >= char["bottom"] - 1:
            break
        if x0 <= middle <= x1:
            return y
    return None


def _above_share(char: dict[str, Any], rule: float) -> float:
    return float((rule - char["top"]) / max(char["bottom"] - char["top"], 1e-6))


def _moved(char: dict[str, Any], rule: float, shift: str) -> dict[str, Any]:
    """The glyph moved just clear of its rule, above or below."""
    delta = -(char["bottom"] - rule + 0.5) if shift == "up" else rule - char["top"] + 0.5
    return {**char, "top": char["top"] + delta, "bottom": char["bottom"] + delta,
            "y0": char["y0"] - delta, "y1": char["y1"] - delta, "doctop": char["doctop"] + delta}


def _full_rows(chars: list[dict[str, Any]], levels: list[float]) -> int:
    """How many bands between rules hold both words and figures."""
    words: set[int] = set()
    figures: set[int] = set()
    for char in chars:
        band = bisect(levels, (char["top"] + char["bottom"]) / 2)
        if _WORD.match(char["text"]):
            words.add(band)
        elif _DIGIT.match(char["text"]):
            figures.add(band)
    return len(words & figures)


_MIN_DROPPED_LINES = 3  # a producer's habit shows on several lines of a page, not once


def rejoined(page: Any) -> Any:
    """The page with figures printed below their words put back on their line.

    Some producers set the digits and punctuation of running text in a font whose boxes sit most of
    a line below the Chinese around them ("年委托业务费涉及财拨资金 万元" over "2026 997.4"), so
    they read as a line of their own. Such a line has no Chinese, fits in the gaps of the line just
    above without touching a glyph of it, and recurs down the page; only then is it moved up.
    """
    lines = _lines(page.chars)
    moves: dict[int, tuple[float, float]] = {}
    receiving: set[int] = set()
    for index, lower in enumerate(lines):
        if any(_WORD.match(c["text"]) for c in lower):
            continue
        upper = next((line for line in reversed(lines[max(0, index - 3) : index])
                      if any(_WORD.match(c["text"]) for c in line)), None)
        if upper is not None and _fills_gaps(upper, lower):
            receiving.add(id(upper[0]))
            for char in lower:
                moves[id(char)] = (upper[0]["top"], upper[0]["bottom"])
    if len(receiving) < _MIN_DROPPED_LINES:
        return page
    derived = page.filter(lambda _obj: True)
    derived._objects = {kind: list(objs) for kind, objs in page.objects.items()}
    derived._objects["char"] = [_placed(char, *moves[id(char)]) if id(char) in moves else char for char in page.chars]
    return derived


def _lines(chars: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Glyphs grouped by their top (within half a point), top to bottom."""
    lines: list[list[dict[str, Any]]] = []
    for char in sorted((c for c in chars if c["text"].strip()), key=lambda c: (c["top"], c["x0"])):
        if lines and abs(lines[-1][0]["top"] - char["top"]) <= 1.0:
            lines[-1].append(char)
        else:
            lines.append([char])
    return lines


def _fills_gaps(upper: list[dict[str, Any]], lower: list[dict[str, Any]]) -> bool:
    size = max(float(c["size"]) for c in upper)
    drop = lower[0]["top"] - upper[0]["top"]
    if not 0.3 * size <= drop <= 1.1 * size:
        return False
    # a glyph's middle never inside a glyph above it (full-width brackets have wide boxes)
    return not any(b["x0"] + 1 < (a["x0"] + a["x1"]) / 2 < b["x1"] - 1 for a in lower for b in upper)


def _placed(char: dict[str, Any], top: float, bottom: float) -> dict[str, Any]:
    delta = top - char["top"]
    return {**char, "top": top, "bottom": bottom, "y0": char["y0"] - delta, "y1": char["y1"] - delta,
            "doctop": char["doctop"] + delta}
