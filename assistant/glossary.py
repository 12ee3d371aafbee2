"""The terminology resource: English and everyday Chinese words → the documents' vocabulary.

Four files feed it: ``data/glossary.tsv`` (alias, then document terms separated by "|"),
``data/everyday.tsv`` (everyday Chinese and English wordings of budget items, the same format),
``data/subjects.tsv`` (the national classification of government expenditure: every 类/款/项
and economic class with its English name and everyday wordings) and ``data/names.tsv``
(departments, provinces, cities and districts with their English names and short forms).
English aliases match whole words, longest first, so "official vehicle purchase" is not also
read as "vehicle"; Chinese aliases match anywhere. The hand-written glossary wins where an
alias is in several files.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

GLOSSARY_FILE = Path(__file__).parent / "data" / "glossary.tsv"
EVERYDAY_FILE = Path(__file__).parent / "data" / "everyday.tsv"
SUBJECTS_FILE = Path(__file__).parent / "data" / "subjects.tsv"
NAMES_FILE = Path(__file__).parent / "data" / "names.tsv"


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


@dataclass(frozen=True)
class Name:
    chinese: str
    type: str  # "department" | "province" | "city" | "district"
    english: tuple[str, ...]
    short: tuple[str, ...]


@lru_cache(maxsize=2)
def load(path: Path = GLOSSARY_FILE) -> tuple[Entry, ...]:
    organisations = {n.chinese for n in names()}
    entries: dict[str, Entry] = {}
    for alias, terms in [*_glossary(path), *_glossary(EVERYDAY_FILE), *_name_entries(), *_subjects()]:
        alias = folded(alias)  # "carry-over" is matched as questions are read: "carry over"
        first = entries.setdefault(alias, Entry(alias, terms))  # the first file to name an alias wins…
        if first.terms != terms and set(first.terms + terms) <= organisations:
            # …but a name several departments answer to ("Water Resources Bureau": 水利局, 水务局)
            # names them all: which one is meant is the documents' and the place's to say
            entries[alias] = Entry(alias, tuple(dict.fromkeys(first.terms + terms)))
    return tuple(sorted(entries.values(), key=lambda e: -len(e.alias)))


def _glossary(path: Path) -> list[tuple[str, tuple[str, ...]]]:
    rows = []
    for number, line in _lines(path):
        alias, sep, terms = line.partition("\t")
        if not sep or not terms.strip():
            raise ValueError(f"{path.name} line {number}: expected 'alias<TAB>term|term'")
        rows.append((alias.strip().lower(), tuple(t.strip() for t in terms.split("|") if t.strip())))
    return rows


def _subjects() -> list[tuple[str, tuple[str, ...]]]:
    """English and everyday names of the classification's subjects; never a department's name
    ("财政局" is who spends, not 财政事务)."""
    organisations = {form.lower() for n in names() for form in (n.chinese, *n.short, *n.english)}
    rows: list[tuple[str, tuple[str, ...]]] = []
    for number, line in _lines(SUBJECTS_FILE):
        fields = line.split("\t")
        if len(fields) != 5:
            raise ValueError(f"{SUBJECTS_FILE.name} line {number}: expected code, system, name, english, aliases")
        _, _, name, english, aliases = fields
        rows += [(alias.strip().lower(), (name,)) for alias in [english, *aliases.split("|")]
                 if alias.strip() and alias.strip().lower() not in organisations]
    return rows


def _name_entries() -> list[tuple[str, tuple[str, ...]]]:
    return [(alias.lower(), (name.chinese,)) for name in names() for alias in (*name.english, *name.short)]


@lru_cache(maxsize=1)
def names() -> tuple[Name, ...]:
    """Departments and places as documents print them, with their English names and short forms."""
    found = []
    for number, line in _lines(NAMES_FILE):
        fields = line.split("\t")
        if len(fields) != 4:
            raise ValueError(f"{NAMES_FILE.name} line {number}: expected chinese, type, english, short")
        chinese, kind, english, short = fields
        found.append(Name(chinese, kind, _split(english), _split(short)))
    return tuple(found)


def _split(field: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in field.split("|") if part.strip())


def _lines(path: Path) -> list[tuple[int, str]]:
    return [(number, line) for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
            if line.strip() and not line.startswith("#")]


def folded(text: str) -> str:
    """How English is compared on both sides: lower case, "general-public-budget" read as
    "general public budget", plurals as singulars ("entrusted service fees" meets "entrusted
    services")."""
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text.lower())
    return _PLURAL.sub(r"\1", text)


_PLURAL = re.compile(r"\b([a-z]{2,}[abcdefghjklmnopqrtvwxyz])s\b")


def expand(question: str) -> Expansion:
    text = folded(question)
    aliases, terms, alias_index, term_index = _vocabulary()
    found: list[tuple[int, Entry]] = []
    taken = [False] * len(text)
    # Document terms the question already uses need no expansion, and their parts must not
    # be expanded either: "住房公积金" is not also "住房" (→ 住房保障支出).
    for start, end in _longest(text, terms, term_index):
        term = text[start:end]
        taken[start:end] = [True] * (end - start)
        own = aliases.get(term)  # a term that is also an alias keeps its expansion
        found.append((start, Entry(term, (term, *(own.terms if own else ())))))
    for start, end in _longest(text, aliases.keys(), alias_index, taken):
        taken[start:end] = [True] * (end - start)
        found.append((start, aliases[text[start:end]]))
    found.sort(key=lambda item: item[0])
    expanded: list[str] = []
    for _, entry in found:
        expanded += [t for t in entry.terms if t not in expanded]
    return Expansion(expanded, [entry for _, entry in found])


_Vocabulary = tuple[dict[str, Entry], frozenset[str], dict[str, tuple[int, ...]], dict[str, tuple[int, ...]]]


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    """Aliases by name, the documents' own terms, and both indexed by first character."""
    entries = load()
    terms = frozenset(t.lower() for e in entries for t in e.terms if re.search(r"[\u4e00-\u9fff]", t) and len(t) >= 3)
    aliases = {e.alias: e for e in entries}
    return aliases, terms, _index(frozenset(aliases)), _index(terms)


def _index(words: frozenset[str]) -> dict[str, tuple[int, ...]]:
    """First character → the lengths of the words starting with it, longest first."""
    lengths: dict[str, set[int]] = {}
    for word in words:
        lengths.setdefault(word[:1], set()).add(len(word))
    return {first: tuple(sorted(found, reverse=True)) for first, found in lengths.items()}


def _longest(
    text: str, words: Collection[str], index: dict[str, tuple[int, ...]], taken: list[bool] | None = None
) -> list[tuple[int, int]]:
    """Left to right, the longest word at each place (English ones only as whole words), never
    overlapping each other or what is already taken."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        for length in index.get(text[i], ()):
            end = i + length
            if end <= len(text) and text[i:end] in words and _whole(text, i, end) and not (taken and any(taken[i:end])):
                spans.append((i, end))
                i = end
                break
        else:
            i += 1
    return spans


def _whole(text: str, start: int, end: int) -> bool:
    """An English word is not part of a longer one ("rent" in "current")."""
    if not re.search(r"[a-z]", text[start:end]):
        return True
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and before.isalpha()) and not (after.isascii() and after.isalpha())
