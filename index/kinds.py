"""Canonical table kinds, matched on the printed title.

Budget (预算) and final-accounts (决算) families share a skeleton with different words, so
each kind is a pattern over the title with 预算/决算, numbering and quotes stripped.
"""

from __future__ import annotations

import re

from index.text import key

# Order matters: the first pattern that matches wins, most specific first.
KINDS: list[tuple[str, str]] = [
    ("项目绩效目标表", r"绩效目标表"),
    ("三公经费", r"三公"),
    ("政府性基金", r"政府性基金"),
    ("国有资本经营", r"国有资本经营"),
    ("一般公共预算基本支出表", r"基本支出"),
    ("一般公共预算财政拨款支出表", r"一般公共.*支出"),
    ("财政拨款收支总表", r"财政拨款收(入)?支(出)?.*总表"),
    ("收支总表", r"收(入)?支(出)?.*总表"),
    ("收入表", r"收入(决算|预算)?(总)?表"),
    ("支出表", r"支出(决算|预算)?(总)?表"),
    ("政府采购", r"政府采购"),
    ("国有资产", r"(固定资产|国有资产|资产占用|资产占有)"),
]

KIND_NAMES = [name for name, _ in KINDS] + ["other"]


def table_kind(title: str) -> str:
    # 预算/决算 only name the family; "一般公共预算" names a fund and must survive.
    normalised = key(title).replace("一般公共预算", "一般公共").replace("预算", "").replace("决算", "")
    for name, pattern in KINDS:
        if re.search(pattern, normalised):
            return name
    return "other"


def is_table_title(text: str) -> bool:
    """A short line naming a table: ends in 表, no sentence punctuation."""
    compact = key(text)
    return 2 < len(compact) <= 70 and compact.endswith("表") and not re.search(r"[。，；：:]|^注", compact)
