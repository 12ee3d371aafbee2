"""The terminology resource: English and everyday Chinese words → the documents' vocabulary.

``data/glossary.tsv`` holds the entries (alias, then document terms separated by "|").
English aliases match whole words, longest first, so "official vehicle purchase" is not
also read as "vehicle"; Chinese aliases match anywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

GLOSSARY_FILE = Path(__file__).parent / "data" / "glossary.tsv"


@dataclass(frozen=True)
class Entry:
    alias: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Expansion:
    terms: list[str]  # document vocabulary, in the order the aliases appear in the question
    entries: list[Entry]  # what was found: each alias with its own terms

    @property
    def matched(self) -> list[str]:
        return [entry.alias for entry in self.entries]


@lru_cache(maxsize=2)
def load(path: Path = GLOSSARY_FILE) -> tuple[Entry, ...]:
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        alias, sep, terms = line.partition("\t")
        if not sep or not terms.strip():
            raise ValueError(f"{path.name} line {number}: expected 'alias<TAB>term|term'")
        entries.append(Entry(alias.strip().lower(), tuple(t.strip() for t in terms.split("|") if t.strip())))
    return tuple(sorted(entries, key=lambda e: -len(e.alias)))


def expand(question: str, entries: tuple[Entry, ...] | None = None) -> Expansion:
    text = question.lower()
    entries = entries if entries is not None else load()
    found: list[tuple[int, Entry]] = []
    taken = [False] * len(text)
    # Document terms the question already uses need no expansion, and their parts must not
    # be expanded either: "住房公积金" is not also "住房" (→ 住房保障支出).
    aliases = {e.alias: e for e in entries}
    for term in _terms(entries):
        for match in re.finditer(re.escape(term.lower()), text):
            if not any(taken[match.start() : match.end()]):
                taken[match.start() : match.end()] = [True] * (match.end() - match.start())
                own = aliases.get(term.lower())  # a term that is also an alias keeps its expansion
                found.append((match.start(), Entry(term, (term, *(own.terms if own else ())))))
    for entry in entries:
        for match in _pattern(entry.alias).finditer(text):
            if any(taken[match.start() : match.end()]):
                continue  # inside a longer alias already read
            taken[match.start() : match.end()] = [True] * (match.end() - match.start())
            found.append((match.start(), entry))
    found.sort(key=lambda item: item[0])
    terms: list[str] = []
    for _, entry in found:
        terms += [t for t in entry.terms if t not in terms]
    return Expansion(terms, [entry for _, entry in found])


@lru_cache(maxsize=2)
def _terms(entries: tuple[Entry, ...]) -> list[str]:
    terms = {t for e in entries for t in e.terms if re.search(r"[\u4e00-\u9fff]", t) and len(t) >= 3}
    return sorted(terms, key=len, reverse=True)


@lru_cache(maxsize=4096)
def _pattern(alias: str) -> re.Pattern[str]:
    if re.search(r"[a-z]", alias):
        return re.compile(rf"(?<![a-z]){re.escape(alias)}(?![a-z])")
    return re.compile(re.escape(alias))
