"""Canonical table kinds, matched on the printed title (or, when none is printed, the header).

Every city names the standard tables its own way — 收支总表, 收支总体情况表, 财务收支预算总表,
公开01表 收支总表, 表1 部门收支预算总表（按功能分类科目）— so a title is first reduced to its
words of meaning: numbering, the year, the department's name, 预算/决算 (the family, not the
fund), and filler (情况, 总体, 明细, 部门, 单位 …) go; then the first pattern that matches wins.
"""

from __future__ import annotations

import re

from index.text import key

# Order matters: the first pattern that matches wins, most specific first.
KINDS: list[tuple[str, str]] = [
    ("项目绩效目标表", r"绩效目标|绩效表|绩效指标"),
    ("三公经费", r"三公|因公出国"),
    ("机关运行经费", r"机关运行"),
    ("政府采购", r"政府采购"),
    ("政府性基金", r"政府性基金"),
    ("国有资本经营", r"国有资本经营"),
    ("国有资产", r"固定资产|国有资产(占用|占有|配置|情况|表)|资产(占用|占有|配置)"),
    ("一般公共预算基本支出表", r"基本支出"),
    ("项目支出表", r"项目(支出)?(预算)?(表|经济分类|功能分类|及其他支出)|项目支出|项目(资金|经费)(安排|分配|明细)"),
    ("财政拨款收支总表", r"财政拨款收(入)?支(出)?"),
    ("收支总表", r"收(入)?支(出)?(总|表)"),
    ("一般公共预算支出经济分类表", r"一般公共.*经济分类|经济分类.*一般公共|支出经济分类|经济科目"),
    ("一般公共预算财政拨款支出表", r"一般公共.*支出|财政拨款支出|功能分类|功能科目"),
    ("收入表", r"收入(总)?表"),
    ("支出表", r"支出(总)?表"),
]

KIND_NAMES = [name for name, _ in KINDS] + ["other"]
MONEY_KINDS = frozenset(name for name in KIND_NAMES if name not in ("项目绩效目标表", "other"))

# Table numbers as printed before or in a title: 表1, 表一, 附表1-2, 公开01表, 表 3-1.
TABLE_NUMBER = re.compile(r"^(公开)?(附)?表\s*[0-9一二三四五六七八九十]{1,3}(\s*[-—－]\s*\d{1,2})?$|^(公开)?\d{1,3}表$")
_NUMBERING = re.compile(
    r"^(公开\d+表|附?表\s*[0-9一二三四五六七八九十]{1,3}(\s*[-—－]\s*\d{1,2})?|\d+(-\d+)?[．.、]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）])\s*"
)
_FILLER = re.compile(r"总体情况|情况|总体|明细|汇总|部门|单位|本级|本年|年度|公开|[（(]续[)）]|续表")
# Whatever stands before a title's year is the organisation's name ("苏州市审计局2026年度部门收支总表").
_YEAR_PREFIX = re.compile(r"^.{0,40}?20\d{2}\s*年度?")
_TRAILING_NOTE = re.compile(r"[（(][^（()）]*[)）]$")


def normalise_title(title: str) -> str:
    """The words of a title that carry its meaning (see the module docstring)."""
    text = key(title)
    text = _NUMBERING.sub("", text)
    text = _YEAR_PREFIX.sub("", text)
    # 预算/决算 only name the family; 一般公共预算 and 国有资本经营预算 name funds and must survive.
    text = text.replace("一般公共预算", "一般公共").replace("预算", "").replace("决算", "")
    return _FILLER.sub("", text)


def table_kind(title: str) -> str:
    normalised = normalise_title(title)
    for name, pattern in KINDS:
        if re.search(pattern, normalised):
            return name
    return "other"


def kind_from_header(header: list[tuple[str, ...]], labels: list[str]) -> str:
    """The kind of a table printed without a title, from its column paths and row labels."""
    words = key(" ".join("/".join(path) for path in header))
    rows = key(" ".join(labels[:60]))
    if "因公出国" in words or "公务接待" in words:
        return "三公经费"
    if "基本支出" in words and ("经济分类" in words or "人员经费" in words) and "项目支出" not in words:
        return "一般公共预算基本支出表"
    if "绩效指标" in words or "指标值" in words:
        return "项目绩效目标表"
    if "财政拨款" in rows and "支出" in words and "收入" in words:
        return "财政拨款收支总表"
    if "收入" in words and "支出" in words:
        return "收支总表"
    return "other"


def is_table_title(text: str) -> bool:
    """A short line naming a table: ends in 表 (before any bracketed note), no sentence punctuation."""
    compact = _TRAILING_NOTE.sub("", key(text))
    if len(compact) > 70 or len(compact) <= 2 or TABLE_NUMBER.match(compact):
        return False
    return compact.endswith("表") and not re.search(r"[。，；：:]|^注", compact)
