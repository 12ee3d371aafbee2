"""Which department, year and kind a document is, read from what it prints.

The cover comes first ("2026年" / "广州市科学技术局部门预算"; "苏州市审计局2026年度部门预算公开";
"上海市2026年市级单位预算" / "预算单位：上海市戒毒康复中心"; a letterhead "XX局文件"), then the
running headers and headings of the first pages, and only then the file name — which a
crawler may have got wrong, so a name, year or kind taken from it is kept only where the
document's own text bears it out. ``Document.identity_from`` says which source was used.
"""

from __future__ import annotations

import re
from pathlib import Path

from index.blocks import Block, Line
from index.types import Document

_ORG_END = r"(?:局|委|办|院|厅|中心|委员会|部|所|站|队|会|社|馆|处|室|团|校|政府|办公厅|办公室|法院|检察院|监狱|学校|医院)"
_ORG = rf"[\u4e00-\u9fff（）()]{{2,40}}?{_ORG_END}"
ORGANISATION = re.compile(_ORG)
# "<org>2026年度部门预算", "2026年<org>部门预算", "<org>2026年单位预算"
_BRACKET = r"(?:[（(][^）)]*[)）])?"  # "（本级）", "（汇总）" after a name
_FAMILY = r"(?:部门|单位|本级|汇总)*"
_ORG_YEAR = re.compile(rf"(?P<dept>{_ORG}){_BRACKET}(?P<year>20\d{{2}})年度?{_FAMILY}(?P<kind>预算|决算)?")
_YEAR_ORG = re.compile(rf"(?P<year>20\d{{2}})年度?(?P<dept>{_ORG}){_BRACKET}{_FAMILY}(?P<kind>预算|决算)")
# "重庆市气象局 年部门预算" with the year printed apart (a producer's misplaced digits)
_ORG_KIND = re.compile(rf"(?P<dept>{_ORG}){_BRACKET}年度?{_FAMILY}(?P<kind>预算|决算)")
_YEAR_KIND = re.compile(r"(?P<year>20\d{2})年度?[^，。；\d]{0,20}?(?P<kind>预算|决算)")
# A cover line naming the organisation outright: "预算单位：XX", "单位名称：XX  单位：万元"; a letterhead "XX文件".
_NAMED_LINE = re.compile(
    r"^(?:预算单位|单位名称|部门名称|编制单位|部门|(?:评价)?项目单位|(?:项目)?主管部门)[:：](?P<dept>.+?)(?:(?:金额)?单位[:：].*)?$"
)
_LETTERHEAD = re.compile(rf"^(?P<dept>{_ORG})(?:文件$|关于)")  # "XX局文件", "XX办公室关于印发…的通知"
_BODY_KIND = re.compile(r"(部门|单位)(预算|决算)|(预算|决算)(表|公开)")

Identity = tuple[str, int | None, str]  # department, year, kind


def describe(doc_id: str, source: str, pages: int, blocks: list[Block], ocr_pages: tuple[int, ...] = ()) -> Document:
    lines = [b for b in blocks if isinstance(b, Line)]
    first_page = min((line.page for line in lines), default=1)
    cover_lines = [_compact(line.text) for line in lines if line.page == first_page][:40]
    cover = "".join(cover_lines)[:600]
    body = [_compact(line.text) for line in lines[:400]]
    found, where = _from_cover(cover_lines, cover), "cover"
    if found is None:
        found, where = _from_lines(body), "heading"
    if found is None:
        found, where = _from_file_name(Path(source).stem, "".join(body)), "file name"
    dept, year, kind = found
    scope = _scope(cover, body)
    title = f"{dept or Path(source).stem} {year or ''}年度部门{kind}".strip()
    return Document(doc_id, title, dept, year, kind, source, pages, scope, where, ocr_pages)


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _from_cover(lines: list[str], cover: str) -> Identity | None:
    named = next((_clean(m["dept"]) for text in lines if (m := _NAMED_LINE.match(text))), None)
    titled = _YEAR_ORG.search(cover) or next((m for m in _ORG_YEAR.finditer(cover) if m["kind"]), None)
    loose = _ORG_YEAR.search(cover)  # an organisation before a year, no 预算/决算: weaker than a letterhead
    year_kind = _YEAR_KIND.search(cover)
    kind = (titled and titled["kind"]) or (year_kind["kind"] if year_kind else "") or _kind_in(cover)
    dated = titled or loose or year_kind
    year = int(dated["year"]) if dated else _first_year(cover)
    if named:
        return named, year, kind
    if titled:
        return _clean(titled["dept"]), int(titled["year"]), kind
    apart = _ORG_KIND.search(cover)
    if apart and _first_year(cover):
        return _clean(apart["dept"]), _first_year(cover), apart["kind"]
    issuer = _issuer(lines[:12])
    if issuer:
        return issuer, year, kind
    return (_clean(loose["dept"]), int(loose["year"]), kind) if loose else None


def _issuer(lines: list[str]) -> str | None:
    """An official document's issuer: its letterhead ("XX局文件", or "XX局 / XX厅 / 文件" for several)
    or the organisation a notice's title starts with ("XX办公室关于印发…的通知")."""
    for index, text in enumerate(lines):
        letterhead = _LETTERHEAD.match(text)
        if letterhead:
            return _clean(letterhead["dept"])
        if text == "文件":
            return next((_clean(t) for t in lines[:index] if ORGANISATION.fullmatch(t)), None)
    return None


def _from_lines(lines: list[str]) -> Identity | None:
    """A heading or running header that names the organisation, year and kind together."""
    for text in lines:
        match = _YEAR_ORG.search(text) or _ORG_YEAR.search(text)
        if match and match["kind"]:
            return _clean(match["dept"]), int(match["year"]), match["kind"]
    return None


def _from_file_name(stem: str, text: str) -> Identity:
    """The crawler's file name, each part kept only if the document's text bears it out."""
    stem = _compact(stem)
    match = _YEAR_ORG.search(stem) or _ORG_YEAR.search(stem)
    dept = _clean(match["dept"]) if match else ""
    year = int(match["year"]) if match else _first_year(stem)
    kind_match = _BODY_KIND.search(text)
    kind = next((g for g in kind_match.groups() if g in ("预算", "决算")), "") if kind_match else ""
    return (dept if dept and dept in text else "", year if year and str(year) in text else None, kind)


def _kind_in(cover: str) -> str:
    """A budget's or final accounts' table printed as the cover ("XX局2026年项目支出绩效目标表")."""
    if re.search(r"决算(表|公开)", cover):
        return "决算"
    return "预算" if re.search(r"预算(表|公开)|绩效目标表", cover) else ""


def _first_year(text: str) -> int | None:
    match = re.search(r"20\d{2}", text)
    return int(match.group()) if match else None


def _clean(dept: str) -> str:
    # What can stand before the name on a cover: numbers, "第一部分", a year's 年, a table's title,
    # the words of a sentence ("…工作组对XX局": the name is what follows the last of them).
    dept = re.sub(r"^.*(表|对|根据|关于)", "", dept)
    return re.sub(r"^(\d+|第[一二三四五六七八九十]+部分|目录|年度?)", "", dept)


def _scope(cover: str, body: list[str]) -> str:
    text = "".join(body[:150])
    if "汇总" in cover or re.search(r"汇总预算|汇总决算|部门汇总|为汇总", text):
        return "汇总"
    if "本级" in cover or "单位预算" in cover or "单位决算" in cover:
        return "本级"
    return ""
