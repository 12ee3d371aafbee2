"""Prompt templates are plain files in ``prompts/``, loaded by name; placeholders are checked."""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


@lru_cache(maxsize=32)
def load(name: str, placeholders: frozenset[str]) -> str:
    path = PROMPTS_DIR / f"{name}.txt"
    text = path.read_text(encoding="utf-8")
    found = {field for _, field, _, _ in string.Formatter().parse(text) if field}
    if found != placeholders:
        raise ValueError(f"prompt {path.name} has placeholders {sorted(found)}, expected {sorted(placeholders)}")
    return text


def render(name: str, **values: str) -> str:
    return load(name, frozenset(values)).format(**values)
