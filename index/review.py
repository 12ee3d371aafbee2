"""What a budget reviewer reads for besides the sums: the year a disclosure's titles and cover claim,
template text left in, the tables a disclosure of its kind publishes, two punctuation marks in a row.

Each problem is a ``Finding`` with ok=False that names its page and quotes the text as printed. A
document without problems gets no finding from here: nothing was compared, so nothing "holds".
``actual`` against ``expected`` counts what was printed: the printed year against the document's,
a placeholder or doubled mark printed where none was expected, a table printed 0 times, not once.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from index.types import Finding, ParsedDocument, Section

_QUOTE = 20  # characters quoted on either side of what was found


@dataclass(frozen=True)
class _Printed:
    """A piece of printed text and where it stands: a title, a heading, a paragraph, a cell."""

    where: str  # "table title", "heading", "paragraph" …
    text: str
    page: int
    section: Section | None = None  # a paragraph's section: it knows the page of each offset

    def page_at(self, offset: int) -> int:
        return self.section.page_at(offset) if self.section else self.page

    def quote(self, start: int, end: int) -> str:
        return self.text[max(0, start - _QUOTE): end + _QUOTE].replace("\n", " ")


def review(parsed: ParsedDocument) -> list[Finding]:
    return [*_years(parsed), *_placeholders(parsed), *_missing_tables(parsed), *_punctuation(parsed)]


def _finding(parsed: ParsedDocument, check: str, page: int, message: str, text: str, expected: float,
             actual: float) -> Finding:
    return Finding(parsed.document.id, check, False, f"p{page}: {message}", expected, actual, sentence=text, page=page)


# ---- year --------------------------------------------------------------------------------------------

_YEAR = re.compile(r"(20\d{2})\s*年")
# A title that names another year on purpose: last year's figures, a comparison, a self-evaluation.
_OTHER_YEAR_MEANT = re.compile(r"上年|以前年度|执行|对比|比较|自评")
# The year that dates the disclosure itself, in a heading or on the cover: "第三部分 2026 年度部门预算
# 情况说明", "2026年度XX局部门预算", "2024年度收入支出决算" — the year, then its 预算 or 决算 (not
# "2025年预算执行情况": last year's budget as carried out, which a budget reports on).
_DATING = re.compile(r"(20\d{2})\s*年度?(?P<between>[^，。；、：:\d年]{0,16}?)(?P<family>预算|决算)(?!执行|调整)")
_DATE = re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月")
# When a disclosure for year Y is dated, as (years after Y, month) from – to: a budget is compiled from
# the autumn before and published in Y; final accounts are closed after Y and published in Y+1 (or later).
_DATED = {"预算": ((-1, 10), (0, 12)), "决算": ((1, 1), (2, 12))}


@dataclass(frozen=True)
class _Claim:
    """A year a title, heading or cover gives the disclosure, where it is printed."""

    year: int
    printed: _Printed
    start: int
    end: int


def _years(parsed: ParsedDocument) -> list[Finding]:
    """Titles, headings and the cover that date the disclosure, against the year most of them state.

    That is the year the document was read as (its cover's) unless most of its dated titles name
    another: then the cover is the odd one out. A report or a notice is left alone: its years are its
    subject, not its date.
    """
    document = parsed.document
    if document.year is None or document.kind not in _DATED:
        return []
    cover = _cover(parsed)
    claims = list(_year_claims(parsed, document.kind, cover))
    year = _majority(document.year, [claim.year for claim in claims])
    findings = []
    for claim in claims:
        if claim.year != year:
            quote = claim.printed.quote(claim.start, claim.end)
            findings.append(_finding(parsed, "year", claim.printed.page,
                                     f"{claim.printed.where} '{quote}' states {claim.year}; the document is for {year}",
                                     quote, year, claim.year))
    return findings + (_cover_dates(parsed, cover, year) if cover else [])


def _year_claims(parsed: ParsedDocument, family: str, cover: _Printed | None) -> Iterator[_Claim]:
    tables = [("table title", t.title, t.pages[0]) for t in parsed.tables]
    forms = [("performance form title", f.title, f.pages[0]) for f in parsed.performance]
    for where, title, page in tables + forms:
        years = list(_YEAR.finditer(title))
        # a budget's table of last year's final accounts is of another year by its nature
        on_purpose = bool(_OTHER_YEAR_MEANT.search(title)) or (family == "预算" and "决算" in title)
        if len({match[1] for match in years}) == 1 and not on_purpose:
            yield _Claim(int(years[0][1]), _Printed(where, title, page), years[0].start(), years[0].end())
    titles = [_Printed("heading", s.heading, s.pages[0]) for s in parsed.sections if s.heading]
    for printed in [*titles, *([cover] if cover else [])]:
        for match in _DATING.finditer(printed.text):
            if match["family"] == family and not _OTHER_YEAR_MEANT.search(match["between"]):
                yield _Claim(int(match[1]), printed, match.start(), match.end())


def _majority(own: int, years: list[int]) -> int:
    counts = Counter(years)
    year, count = counts.most_common(1)[0] if counts else (own, 0)
    return year if count > counts[own] and count * 2 > len(years) else own


def _cover(parsed: ParsedDocument) -> _Printed | None:
    """The first page's text, when it is a cover: lines without a sentence among them."""
    text = "".join((s.heading if s.pages[0] == 1 else "") + _text_on(s, 1) for s in parsed.sections)
    return _Printed("cover", text, 1) if text and not re.search(r"[。，；]", text) else None


def _text_on(section: Section, page: int) -> str:
    bounds = [*section.page_starts, (len(section.text), 0)]
    return "".join(section.text[start:end] for (start, number), (end, _) in itertools.pairwise(bounds) if number == page)


def _cover_dates(parsed: ParsedDocument, cover: _Printed, year: int) -> list[Finding]:
    family = parsed.document.kind
    (after, month), (until, last_month) = _DATED[family]
    earliest, latest = (year + after, month), (year + until, last_month)
    findings = []
    for match in _DATE.finditer(cover.text):
        dated = (int(match[1]), int(match[2]))
        if not earliest <= dated <= latest:
            findings.append(_finding(
                parsed, "year", 1,
                f"the cover is dated {match.group()}; a {family} for {year} is dated "
                f"{earliest[0]}年{earliest[1]}月 to {latest[0]}年{latest[1]}月",
                cover.quote(match.start(), match.end()), year, dated[0]))
    return findings


# ---- placeholder -------------------------------------------------------------------------------------

# Template text a producer forgot to fill in: "XX局", "20XX年", "×××", "某某单位", a project listed as
# "某项目", "（单位名称）", "此处填写…". Xs among Latin letters are a word or a code ("XXL", "DX-2"); one ×
# is a product ("7×24小时", "数据要素×"); "**" marks a table's columns.
_PLACEHOLDER = re.compile(
    r"(?<![A-Za-z])[XxＸｘ]{2,}(?![A-Za-z])|[×✕╳]{2,}|某(?:某|项目|单位|部门|公司|企业|工程)|○○"
    r"|[（(【\[]\s*(?:预算)?(?:单位|部门|项目)名称\s*[)）】\]]"
    r"|此处(?:填写|输入|录入)|请(?:填写|输入|录入)|在此(?:填写|输入)|待填写"
)


def _placeholders(parsed: ParsedDocument) -> list[Finding]:
    findings = []
    for printed in _all_text(parsed):
        for match in _PLACEHOLDER.finditer(printed.text):
            quote = printed.quote(match.start(), match.end())
            findings.append(_finding(parsed, "placeholder", printed.page_at(match.start()),
                                     f"template text '{match.group()}' left in a {printed.where}: '{quote}'",
                                     quote, 0, 1))
    return findings


def _narrative(parsed: ParsedDocument) -> Iterator[_Printed]:
    for section in parsed.sections:
        if section.heading:
            yield _Printed("heading", section.heading, section.pages[0])
        yield _Printed("paragraph", section.text, section.pages[0], section)


def _all_text(parsed: ParsedDocument) -> Iterator[_Printed]:
    """Every text a reader sees: headings, paragraphs, table titles, notes, labels and cells, forms."""
    yield from _narrative(parsed)
    for table in parsed.tables:
        yield _Printed("table title", table.title, table.pages[0])
        yield _Printed("table note", table.note, table.pages[1])
        for row in table.rows:
            yield _Printed("table row", row.label, row.page)
            yield from (_Printed("table cell", cell.text, cell.page) for cell in row.cells if cell.value is None)
    for form in parsed.performance:
        for text in (form.title, form.project, form.purpose, form.target):
            yield _Printed("performance form", text, form.pages[0])
        for indicator in form.indicators:
            for text in (indicator.level3, indicator.description, indicator.value_text, indicator.basis):
                yield _Printed("performance indicator", text, indicator.page)


# ---- missing table -----------------------------------------------------------------------------------

# The kinds every disclosure of a family prints, empty or not, once it prints its standard tables at all
# (the Beijing files of the corpus hold the 说明 only; their tables are published apart). Measured on the
# 2026 corpus (/work/shared/corpus/regions: 126 distinct files, 113 of them budgets): all 84 budgets that
# print any of these tables print each of them. Not required: 财政拨款收支总表 (78 of 84: Shanghai's
# 本级 layout prints it, but the parser reads it as the 支出 table's last page), 国有资本经营 (73 of 84:
# Chongqing's and Changsha's templates have no such table), and the rest (under 30%). Final accounts:
# the two in samples/ print all nine tables of the national 决算 template; the corpus holds no other.
REQUIRED = {
    "预算": ("收支总表", "收入表", "支出表", "一般公共预算财政拨款支出表", "一般公共预算基本支出表", "政府性基金",
           "三公经费"),
    "决算": ("收支总表", "收入表", "支出表", "财政拨款收支总表", "一般公共预算财政拨款支出表", "一般公共预算基本支出表",
           "三公经费", "政府性基金", "国有资本经营"),
}


def _missing_tables(parsed: ParsedDocument) -> list[Finding]:
    document = parsed.document
    required = REQUIRED.get(document.kind, ())
    printed = {table.kind for table in parsed.tables}
    if not printed & set(required):
        return []  # no tables of the standard set at all: the 说明 part of a disclosure, or no disclosure
    return [
        Finding(document.id, "missing_table", False,
                f"no {kind} table is printed; every {document.kind} that prints its tables publishes one, if empty "
                "with a note", 1, 0)
        for kind in required if kind not in printed
    ]


# ---- punctuation -------------------------------------------------------------------------------------

# Two marks in a row: one typed twice ("。。", "、、") or one left before another ("人，；培训费").
# Three or more are a leader ("。。。。") or an ellipsis, as "……" is.
_DOUBLED = re.compile(r"[。，、；：？！,;]{2,}")


def _punctuation(parsed: ParsedDocument) -> list[Finding]:
    findings = []
    for printed in _narrative(parsed):
        for match in _DOUBLED.finditer(printed.text):
            if len(match.group()) == 2:
                quote = printed.quote(match.start(), match.end())
                findings.append(_finding(parsed, "punctuation", printed.page_at(match.start()),
                                         f"two marks '{match.group()}' in a row in a {printed.where}: '{quote}'",
                                         quote, 1, 2))
    return findings
