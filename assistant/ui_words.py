"""The web UI's words in Chinese and English: labels, badges, table headers, findings, examples.

Chinese first; English for a browser that asks for it. A caller without a page (gradio_client)
gets both.
"""

from __future__ import annotations

from typing import Any

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "header": "## 预算公开问答\n每个数字都与解析出的表格核对，并注明出处。",
        "tab_ask": "问答", "tab_documents": "文件",
        "scope": "在哪些文件中查找（不选 = 全部文件）", "chat": "对话", "question": "问题",
        "place": "地区（省、市或区县）", "year": "年度", "kind": "预算或决算", "any_kind": "全部",
        "bad_year": "✗ 年度应为四位数字，例如 2026。",
        "placeholder": "例如：企业奖补安排了多少资金？", "send": "发送", "new_chat": "新对话",
        "examples": "示例（点击即提问）", "candidates": "相近的数字，请选择", "citations": "出处",
        "zoom": "引用单元格（放大）", "page": "原文页面",
        "upload": "上传 PDF 或公开文本（.txt）", "documents": "已导入文件", "document": "文件",
        "find": "查找文件", "find_placeholder": "部门、地区、年度或文件名，例如：普陀 2024",
        "listed": "共 {total} 份文件，查找到 {found} 份，列出 {shown} 份。",
        "offered": "符合的文件 {found} 份，列出前 {shown} 份：可用上方的地区、年度缩小范围，或输入文件名。",
        "delete": "删除…", "cancel": "取消", "table": "表", "grid": "解析结果", "findings": "一致性检查",
        "confirm": "确认删除「{title}」",
        "confirm_delete": "将删除「{title}」（{source}）及其表格、数字和检查结果。请点击“确认删除”。",
        "choose_first": "✗ 请先选择要删除的文件。", "nothing_pending": "✗ 没有待确认的删除。",
        "deleted": "已删除：「{title}」（{source}）", "delete_cancelled": "已取消删除。",
        "queued": "排队中：{source}", "reading": "正在读取 {source}：第 {done}/{total} 页",
        "reading_text": "正在读取 {source}…", "indexing": "正在建立索引 {source}：{total} 页已读，正在核对表格、切分并计算向量…",
        "ingested": "✓ 已导入「{title}」：{pages} 页，{tables} 张表，{facts} 个数字，{findings} 项一致性检查。",
        "already": "该文件已导入过：「{title}」（{source}），未重复导入。",
        "failed": "✗ 导入失败：{error}", "error": "✗ 出错：{error}",
        "picked": "您选择了：{chip} — {where}",
        "formula": "计算", "conflict": "另一数字", "ocr": "OCR识别", "page_no": "第{page}页",
    },
    "en": {
        "header": "## Budget disclosure QA\nEvery figure is checked against the parsed tables and cited.",
        "tab_ask": "Ask", "tab_documents": "Documents",
        "scope": "Search in (none chosen = all documents)", "chat": "Chat", "question": "Question",
        "place": "Place (province, city or district)", "year": "Year", "kind": "Budget or final accounts",
        "any_kind": "All", "bad_year": "✗ The year should be four digits, e.g. 2026.",
        "placeholder": "e.g. How much did the finance bureau spend on business travel?", "send": "Send",
        "new_chat": "New chat", "examples": "Examples (click to ask)", "candidates": "Close figures — pick one",
        "citations": "Citations", "zoom": "Cited cell (zoomed)", "page": "Page",
        "upload": "Upload a PDF or disclosure text (.txt)", "documents": "Documents", "document": "Document",
        "find": "Find documents", "find_placeholder": "department, place, year or file name, e.g. Putuo 2024",
        "listed": "{total} documents; {found} found, {shown} listed.",
        "offered": "{found} documents match; the first {shown} are listed: narrow them with place and year above, "
                   "or type a file name.",
        "delete": "Delete…", "cancel": "Cancel", "table": "Table", "grid": "Parsed table",
        "findings": "Consistency findings", "confirm": "Confirm: delete “{title}”",
        "confirm_delete": "This deletes “{title}” ({source}) with its tables, figures and findings. Click “Confirm”.",
        "choose_first": "✗ Choose a document to delete first.", "nothing_pending": "✗ No delete is waiting to be confirmed.",
        "deleted": "Deleted: “{title}” ({source})", "delete_cancelled": "Delete cancelled.",
        "queued": "Queued: {source}", "reading": "Reading {source}: page {done} of {total}",
        "reading_text": "Reading {source}…",
        "indexing": "Indexing {source}: {total} pages read; checking tables, chunking, embedding…",
        "ingested": "✓ Ingested “{title}”: {pages} pages, {tables} tables, {facts} figures, {findings} consistency checks.",
        "already": "Already ingested: “{title}” ({source}); nothing was added.",
        "failed": "✗ Ingest failed: {error}", "error": "✗ Error: {error}",
        "picked": "You picked: {chip} — {where}",
        "formula": "Formula", "conflict": "Conflicting figure", "ocr": "read by OCR", "page_no": "p. {page}",
    },
}
HEADERS = {
    "documents": {"zh": ["编号", "部门", "年度", "类型", "页数", "文件"],
                  "en": ["id", "department", "year", "kind", "pages", "file"]},
    "grid": {"zh": ["编码", "项目", "数值", "页"], "en": ["code", "item", "values", "page"]},
    "findings": {"zh": ["结果", "检查", "说明"], "en": ["", "check", "finding"]},
}
BADGES = {  # plain symbols: emoji fonts are rarely installed where disclosures are read
    "zh": {"verified": "✓ 已核实", "computed": "∑ 计算得出", "conflict": "⚠ 文件前后不一致", "quoted": "❝ 原文引用",
           "candidates": "? 相近数字，请选择", "unverified": "✗ 未核实", "not_found": "∅ 未找到"},
    "en": {"verified": "✓ verified", "computed": "∑ computed", "conflict": "⚠ conflict", "quoted": "❝ quoted",
           "candidates": "? candidates — pick one", "unverified": "✗ unverified", "not_found": "∅ not found"},
}
CHECKS = {  # a finding in Chinese, from its fields (the stored message is English): name, what was compared
    "parent_sum": ("上下级合计", "所列 {actual:g}，下级相加 {expected:g}"),
    "column_identity": ("列间合计", "所列 {actual:g}，各列相加 {expected:g}"),
    "totals_balance": ("收支平衡", "支出总计 {actual:g}，收入总计 {expected:g}"),
    "cross_table": ("表间一致", "本表 {actual:g}，另一表 {expected:g}"),
    "narrative": ("文字与表格", "文字所述 {actual:g}，表中 {expected:g}"),
}
REVIEWS = {  # a reviewer's check of the text (no figures compared): name, what is wrong
    "year": ("年度", "所写年度与文件年度不符"),
    "placeholder": ("模板文字", "模板占位文字未替换"),
    "missing_table": ("缺少表格", "应公开的表格未见"),
    "punctuation": ("标点", "标点重复"),
}
EXAMPLES = [
    "企业奖补安排了多少资金？",
    "鹿泉区科技局公务接待费比上年减少了多少？",
    "财政局项目支出占比是多少？",
    "财政局财政拨款收入支出总计是多少？",
    "哪个部门的住房公积金最多？",
    "What share of spending is project spending at the Luquan science and technology bureau?",
    "How much did the finance bureau spend on business travel?",
    "Why did official reception expenses decrease at the Luquan bureau?",
]


def language(browser: str | None) -> str:
    """Chinese first: English only for a browser that asks for English."""
    return "en" if (browser or "").lower().startswith("en") else "zh"


def say(lang: str, key: str, **values: Any) -> str:
    """A UI string in the page's language; both languages for a caller without a page (gradio_client)."""
    if lang not in TEXT:
        return f"{say('zh', key, **values)} · {say('en', key, **values)}"
    return TEXT[lang][key].format(**values)


def headers(kind: str, lang: str) -> list[str]:
    return HEADERS[kind]["en" if lang == "en" else "zh"]
