"""Project performance-target tables (项目绩效目标表): a form on top, indicator rows below.

The form part is read by its printed labels (项目编码, 预算数, 其中：财政资金 …), not by
position, because the label cells wrap and merge differently in every rendering.
"""

from __future__ import annotations

import re

from index.blocks import GridCell
from index.segment import RawTable
from index.text import parse_number
from index.types import FormAmount, Indicator, PerformanceTable

_INDICATOR_COLUMNS = {
    "一级指标": "level1",
    "二级指标": "level2",
    "三级指标": "level3",
    "绩效指标描述": "description",
    "指标值": "value_text",
    "指标值确定依据": "basis",
    # forms that name each indicator with its comparison and unit in columns of their own
    "指标名称": "level3",
    "指标性质": "comparator",
    "计量单位": "unit",
}
_INDICATOR_HEADER = ("一级指标", "指标名称")
_VALUE = re.compile(r"^(?P<cmp>[≥≤<>=＞＜]|大于等于|小于等于)?\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>[^\d\s]{0,8})$")
_COMPARATORS = {"＞": ">", "＜": "<", "＝": "=", "大于等于": "≥", "小于等于": "≤"}


def parse_performance(raw: RawTable, table_id: str) -> PerformanceTable:
    rows = [row for grid in raw.grids for row in grid.rows]
    form, indicator_rows = _split(rows)
    spending = _spending_plan(form)
    unit_name, amounts = _money_block(rows[:_BLOCK_ROWS])
    project = _after(form, "项目名称") or unit_name
    budget, budget_label = _budget(form)
    if budget is None and amounts:
        budget, budget_label = amounts[0].value, "/".join(amounts[0].column)
    title_project = re.sub(r"^\d+[．.、]\s*", "", raw.title).removesuffix("绩效目标表").strip()
    return PerformanceTable(
        id=table_id,
        title=raw.title,
        project=project or title_project,
        project_code=_after(form, "项目编码"),
        unit=raw.unit,
        budget=budget,
        fiscal=parse_number(_after(form, "财政资金")),
        other=parse_number(_after(form, "其他资金")),
        purpose=_purpose(form),
        spending_plan=spending,
        target=_after(form, "绩效目标"),
        indicators=_indicators(indicator_rows),
        pages=raw.pages,
        budget_label=budget_label,
        amounts=tuple(amounts),
    )


_BLOCK_ROWS = 6  # a form's money block sits in its first rows, under a header of up to four
_MONEY_WORDS = re.compile(r"资金|预算|支出|拨款|金额")


def _money_block(rows: list[list[GridCell]]) -> tuple[str, list[FormAmount]]:
    """Figures printed under stacked header rows, each with its header path, and the unit the row
    names ("单位名称"): a department-wide form prints its money this way, not as label | value."""
    for r, row in enumerate(rows):
        figures = [c for c, cell in enumerate(row) if parse_number(cell.text) is not None and not cell.merged]
        if len(figures) < 2 or r == 0:
            continue
        amounts, unit_name = [], ""
        for c, cell in enumerate(row):
            path = _column_path(rows[:r], c)
            if path and re.search(r"(单位|部门)名称$", path[-1]):
                unit_name = cell.text
            value = parse_number(cell.text)
            money = any(_MONEY_WORDS.search(p) for p in path)
            target = any("指标" in p or "目标" in p for p in path)  # a target's figure, not money
            if c in figures and value is not None and money and not target:
                amounts.append(FormAmount(path, value, cell.text, cell.page))
        return unit_name, amounts
    return "", []


def _column_path(rows: list[list[GridCell]], c: int) -> tuple[str, ...]:
    """The header texts above column c, top down; a cell merged from the left speaks for it."""
    path: list[str] = []
    for row in rows:
        if c >= len(row):
            continue
        left = c
        while left > 0 and row[left].merged == "left":
            left -= 1
        text = row[left].text
        if text and row[left].merged != "above" and text not in path:
            path.append(text)
    return tuple(path)


def _split(rows: list[list[GridCell]]) -> tuple[list[list[GridCell]], list[list[GridCell]]]:
    for index, row in enumerate(rows):
        if any(cell.text in _INDICATOR_HEADER for cell in row):
            return rows[:index], rows[index:]
    return rows, []


# How forms name the project's money: 预算数, 资金总额, 年度资金总额（万元）, 项目资金 …
BUDGET_LABELS = ("预算数", "年度资金总额", "资金总额", "项目资金", "预算金额", "当年预算")


_MONEY_HEADER = re.compile(r"(资金总额|金额|预算数|总计|合计|财政拨款)([（(](万元|元)[)）])?[:：]?$")


def is_project_list(raw: RawTable) -> bool:
    """A row per project (or unit) under a header naming it and its money, not one form per project.

    The header may span rows ("项目名称" merged down beside "资金总额 / 财政拨款"); a form's
    "项目名称" has its value beside it, not a merged cell under it. A row per *unit* (单位名称)
    with indicator columns (一级指标) is a unit's department-wide form: its money is read as a block.
    """
    rows = [row for grid in raw.grids[:1] for row in grid.rows][:4]
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if "名称" not in cell.text:
                continue
            depth = 1
            while r + depth < len(rows) and c < len(rows[r + depth]) and rows[r + depth][c].merged == "above":
                depth += 1
            header = [other.text for line in rows[r : r + depth] for other in line if other.text]
            per_unit = not any(re.search(r"项目[)）]?名称", t) for t in header) and any(t in _INDICATOR_HEADER for t in header)
            if per_unit and re.fullmatch(r"(单位|部门)名称", cell.text):
                return False
            if any(_MONEY_HEADER.search(text) for text in header):
                return True
    return False


def _budget(form: list[list[GridCell]]) -> tuple[float | None, str]:
    for label in BUDGET_LABELS:
        value = parse_number(_after(form, label))
        if value is not None:
            return value, label
    return None, "预算数"


def _after(rows: list[list[GridCell]], label: str) -> str:
    """The first non-empty cell to the right of the cell ending in ``label`` (before a bracketed unit)."""
    for row in rows:
        for c, cell in enumerate(row):
            if re.sub(r"[（(](万元|元|亿元)[)）]$", "", cell.text).endswith(label):
                return next((other.text for other in row[c + 1 :] if other.text), "")
    return ""


def _purpose(rows: list[list[GridCell]]) -> str:
    for index, row in enumerate(rows):
        if any(cell.text.endswith("预算数") for cell in row) and index + 1 < len(rows):
            texts = [cell.text for cell in rows[index + 1] if cell.text]
            if texts and parse_number(texts[-1]) is None and "资金支出" not in texts[0]:
                return texts[-1]
    return ""


def _spending_plan(rows: list[list[GridCell]]) -> dict[str, str]:
    for index, row in enumerate(rows):
        if row and row[0].text.startswith("资金支出") and index + 1 < len(rows):
            values = rows[index + 1]
            plan = {}
            for c, cell in enumerate(row[1:], start=1):
                if cell.text and c < len(values) and values[c].text:
                    plan[cell.text] = values[c].text
            return plan
    return {}


def _indicators(rows: list[list[GridCell]]) -> list[Indicator]:
    columns: dict[str, int] = {}
    found: list[Indicator] = []
    carry = {"level1": "", "level2": ""}
    for row in rows:
        texts = [cell.text for cell in row]
        if any(t in _INDICATOR_HEADER for t in texts):
            columns = {_INDICATOR_COLUMNS[t]: c for c, t in enumerate(texts) if t in _INDICATOR_COLUMNS}
            continue
        fields = {name: (texts[c] if c < len(texts) else "") for name, c in columns.items()}
        if not any(fields.values()):
            continue
        if found and not fields.get("value_text") and not fields.get("description"):
            _extend(found[-1], fields)  # a wrapped row: its words belong to the row above
            continue
        for level in ("level1", "level2"):
            carry[level] = fields.get(level) or carry[level]
        found.append(_indicator(fields, carry, row[0].page if row else 0))
    return found


def _indicator(fields: dict[str, str], carry: dict[str, str], page: int) -> Indicator:
    # "≥ | 7 | 处" in three columns reads as the one value "≥7处"
    value_text = fields.get("comparator", "") + fields.get("value_text", "") + fields.get("unit", "")
    match = _VALUE.match(value_text.replace(" ", ""))
    comparator = match["cmp"] or "" if match else ""
    return Indicator(
        level1=carry["level1"],
        level2=carry["level2"],
        level3=fields.get("level3", ""),
        description=fields.get("description", ""),
        value_text=value_text,
        value=float(match["num"]) if match else None,
        comparator=_COMPARATORS.get(comparator, comparator),
        unit=match["unit"] if match else "",
        basis=fields.get("basis", ""),
        page=page,
    )


def _extend(indicator: Indicator, fields: dict[str, str]) -> None:
    for name in ("level2", "level3", "basis"):
        extra = fields.get(name, "")
        if extra:
            setattr(indicator, name, getattr(indicator, name) + extra)
