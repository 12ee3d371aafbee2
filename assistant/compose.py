"""Deterministic answer sentences in the question's language. Every figure they print comes
from a statement or a computation, in the document's unit, with a conversion where it helps."""

from __future__ import annotations

from assistant.types import (
    Calculated,
    Citation,
    Computed,
    Conflict,
    EachCalculated,
    EachDocument,
    Found,
    NotFound,
    Offered,
    Outcome,
    Projects,
    Quoted,
    Statement,
)
from index.text import MONEY_FACTORS
from index.types import Document

NOT_FOUND_ZH = "未能在已导入的文件中找到可以核实的答案。"
NOT_FOUND_EN = "I could not find an answer I can verify in the ingested documents."
AUTHORITATIVE_ZH = "以表格数据为准"
AUTHORITATIVE_EN = "the table is authoritative"


def render(outcome: Outcome, language: str) -> str:
    """The answer's words for what the executor found."""
    match outcome:
        case Found():
            return _found(outcome, language)
        case Calculated(result=result, documents=documents, operation=operation, across=across):
            if across:
                return computed_across(result, [d.department for d in documents], operation, language)
            return computed(result, owner(documents[0], language), operation, language)
        case EachDocument(rows=rows, winner=winner, least=least):
            names = labels([d for d, _ in rows])
            return per_document([(names[d.id], s) for d, s in rows], language, names[winner.id] if winner else None, least)
        case EachCalculated(rows=rows, operation=operation):
            names = labels([d for d, _ in rows])
            return per_document_computed([(names[d.id], r) for d, r in rows], operation, language)
        case Projects(count=count, budgets=budgets, counting=counting):
            return project_count(count, list(budgets), language) if counting else project_list(list(budgets), language)
        case Quoted(sentences=sentences, flagged=flagged):
            said = quote(list(sentences), language) if sentences else not_found(language, [])
            return said + instructions_noted(list(flagged), language)
        case Offered(options=options, why=why):
            many = len({d.id for d, _ in options}) > 1
            colon = "：" if language == "zh" else ": "
            return candidates([((d.department + colon) if many else "", s) for d, s in options], why, language)
        case NotFound(searched=searched, needs_subject=needs):
            return needs_subject(language) if needs else not_found(language, list(searched))
    raise TypeError(f"no words for {type(outcome).__name__}")


def _found(outcome: Found, language: str) -> str:
    whose = owner(outcome.document, language)
    if outcome.conflicts:
        return conflict(outcome.best, list(outcome.conflicts), whose, language)
    return lookup(outcome.best, list(outcome.also), whose, language)


def owner(document: Document, language: str) -> str:
    """Whose report a figure is from, as the answer opens."""
    if language == "zh":
        return f"{document.department}{document.year or ''}年{'度' if document.kind == '决算' else ''}{document.kind}中，"
    return f"{document.department} ({document.year} {'final accounts' if document.kind == '决算' else 'budget'})"


def figure(statement: Statement | Computed, language: str) -> str:
    """"5,000.32万元（约合0.50亿元）" / "5,000.32 万元 (≈ RMB 50.00 million)"."""
    unit = statement.unit
    printed = _printed(statement)
    if unit in ("%", "倍"):
        return f"{printed}{unit}" if language == "zh" or unit == "%" else f"{printed} times"
    yuan = MONEY_FACTORS.get(unit)
    if yuan is None:
        if printed.endswith(unit):
            return printed  # an indicator printed with its unit: "≥280万个"
        return f"{printed}{unit}" if language == "zh" else f"{printed} {unit}".strip()
    amount = statement.value * yuan
    if language == "zh":
        if unit == "万元" and abs(amount) >= 1e8:
            return f"{printed}万元（约合{amount / 1e8:.2f}亿元）"
        if unit == "元" and abs(amount) >= 1e4:
            return f"{printed}元（约合{amount / 1e4:.2f}万元）"
        return f"{printed}{unit}"
    rmb = f"RMB {amount / 1e6:,.2f} million" if abs(amount) >= 1e6 else f"RMB {amount:,.0f}"
    return f"{printed} {unit} (≈ {rmb})" if unit != "元" else rmb


def _printed(statement: Statement | Computed) -> str:
    if isinstance(statement, Statement) and statement.citation.text and statement.kind != "narrative":
        return statement.citation.text
    return f"{statement.value:,.{max(statement.decimals, 0)}f}"


def where(citation: Citation, language: str) -> str:
    place = citation.table or citation.section or citation.document_title
    if citation.entity:
        place = f"{citation.entity}·{place}" if language == "zh" else f"{citation.entity}, {place}"
    if language == "zh":
        return f"{place}，第{citation.page}页" + ("，OCR识别" if citation.ocr else "")
    return f"{place}, p. {citation.page}" + (", read by OCR" if citation.ocr else "")


def what(statement: Statement) -> str:
    """The thing a figure is of: row label and column, as printed."""
    citation = statement.citation
    if statement.kind == "narrative":
        return ""
    parts = [citation.row or ""]
    if citation.column and citation.column not in ("合计", "金额"):
        parts.append(f"（{citation.column}）")
    return "".join(parts)


def lookup(statement: Statement, also: list[Statement], owner: str, language: str) -> str:
    if language == "zh":
        subject = what(statement) or "该项"
        text = f"{owner}{subject}为{figure(statement, 'zh')}（{where(statement.citation, 'zh')}）。"
        if statement.kind == "narrative":
            text = f"{owner}文件说明：「{statement.citation.text}」（{where(statement.citation, 'zh')}）。"
        if also:
            text += "另见" + "、".join(where(s.citation, "zh") for s in also[:3]) + "，数字一致。"
        return text
    subject = what(statement) or "the figure"
    text = f"{owner}: {subject} is {figure(statement, 'en')} ({where(statement.citation, 'en')})."
    if statement.kind == "narrative":
        text = f"{owner}: the document states “{statement.citation.text}” ({where(statement.citation, 'en')})."
    if also:
        text += " The same figure appears in " + "; ".join(where(s.citation, "en") for s in also[:3]) + "."
    return text


def conflict(statement: Statement, conflicts: list[Conflict], owner: str, language: str) -> str:
    first = lookup(statement, [], owner, language)
    if language == "zh":
        others = "；".join(
            f"其{c.citation.text}{c.unit}" if c.note == "items" else f"{where(c.citation, 'zh')}写作{c.value:g}{c.unit}"
            for c in conflicts
        )
        return f"{first}但{others}，文件前后不一致，{AUTHORITATIVE_ZH}。"
    others = "; ".join(
        f"its items ({c.citation.text}) add up to {c.value:.2f} {c.unit}" if c.note == "items"
        else f"{where(c.citation, 'en')} states {c.value:g} {c.unit}"
        for c in conflicts
    )
    return f"{first} However, {others}: the document contradicts itself; {AUTHORITATIVE_EN}."


def computed(result: Computed, owner: str, operation: str, language: str) -> str:
    operands = "；".join(f"{what(s) or s.subject}{figure(s, language)}（{where(s.citation, language)}）" for s in result.operands)
    if language == "zh":
        names = {"share": "占比", "difference": "差额", "sum": "合计", "ratio": "倍数", "growth": "增长率",
                 "previous": "上年数（由本年数与比上年增减数推算）"}
        return f"{owner}{names.get(operation, '计算结果')}为{figure(result, 'zh')}（计算：{result.formula}）。依据：{operands}。"
    names_en = {"share": "the share", "difference": "the difference", "sum": "the total", "ratio": "the ratio",
                "growth": "the growth rate", "previous": "last year's figure (this year's less the stated change)"}
    operands_en = "; ".join(f"{what(s) or s.subject} {figure(s, 'en')} ({where(s.citation, 'en')})" for s in result.operands)
    name = names_en.get(operation, "the result")
    return f"{owner}: {name} is {figure(result, 'en')} (computed: {result.formula}). From: {operands_en}."


def computed_across(result: Computed, owners: list[str], operation: str, language: str) -> str:
    """Arithmetic over figures of several documents: each operand with its department."""
    pairs = list(zip(owners, result.operands, strict=False))
    if language == "zh":
        names = {"sum": "合计", "difference": "差额", "compare": "差额"}
        lead = f"{owners[0]}比{owners[1]}多" if operation == "compare" else "、".join(owners) + names.get(operation, "")
        operands = "；".join(f"{o}{what(s) or s.subject}{figure(s, 'zh')}（{where(s.citation, 'zh')}）" for o, s in pairs)
        return f"{lead}{figure(result, 'zh')}（计算：{result.formula}）。依据：{operands}。"
    lead_en = (f"{owners[0]} has {figure(result, 'en')} more than {owners[1]}" if operation == "compare"
               else f"{' and '.join(owners)} together: {figure(result, 'en')}" if operation == "sum"
               else f"{owners[0]} minus {owners[1]}: {figure(result, 'en')}")
    operands_en = "; ".join(f"{o}: {what(s) or s.subject} {figure(s, 'en')} ({where(s.citation, 'en')})" for o, s in pairs)
    return f"{lead_en} (computed: {result.formula}). From: {operands_en}."


def per_document_computed(rows: list[tuple[str, Computed]], operation: str, language: str) -> str:
    if language == "zh":
        return "；".join(f"{owner}：{figure(r, 'zh')}（{r.formula}）" for owner, r in rows) + "。"
    return "; ".join(f"{owner}: {figure(r, 'en')} ({r.formula})" for owner, r in rows) + "."


def project_list(budgets: list[Statement], language: str) -> str:
    lines = [f"{s.subject}：{figure(s, language)}（{where(s.citation, language)}）" for s in budgets]
    head = f"共{len(budgets)}个项目：" if language == "zh" else f"{len(budgets)} projects: "
    return head + ("；".join(lines) + "。" if language == "zh" else "; ".join(lines) + ".")


def project_count(count: Computed, budgets: list[Statement], language: str) -> str:
    names = "、".join(s.subject for s in budgets[:5]) + ("等" if len(budgets) > 5 else "")
    if language == "zh":
        return f"共有{count.value:.0f}个项目绩效目标表（{names}）。"
    return f"There are {count.value:.0f} project performance-target tables ({names})."


def quote(sentences: list[tuple[str, Citation]], language: str) -> str:
    if language == "zh":
        return "；".join(f"「{text}」（{where(c, 'zh')}）" for text, c in sentences)
    return " ".join(f"“{text}” ({where(c, 'en')})" for text, c in sentences)


def per_document(rows: list[tuple[str, Statement]], language: str, winner: str | None = None, least: bool = False) -> str:
    joiner = "；" if language == "zh" else "; "
    body = joiner.join(f"{owner}{'：' if language == 'zh' else ': '}{figure(s, language)}（{where(s.citation, language)}）"
                       for owner, s in rows)
    if winner is None:
        return body + ("。" if language == "zh" else ".")
    if language == "zh":
        return f"{winner}{'最少' if least else '最多'}。{body}。"
    return f"{winner} has the {'least' if least else 'most'}. {body}."


_WHY = {
    "compute": ("没能找齐计算所需的数字", "the figures to compute it from were not all found"),
    "documents": ("若干文件都列有此项，问题没有指明是哪份文件", "several documents have it and the question names none"),
    "agree": ("没有哪个数字与问题所说的年度、单位和口径都相符", "no figure agrees with everything the question names"),
    "projects": ("若干项目都列有此项指标，问题没有指明是哪个项目", "several projects state it and the question names none"),
}


def candidates(options: list[tuple[str, Statement]], why: str, language: str) -> str:
    """Close figures, none certain: each with its owner, label, table and page, for the asker to pick."""
    zh, en = _WHY[why]

    def option(owner: str, s: Statement, language: str) -> str:
        if s.kind == "narrative":  # the sentence itself, quoted: its other numbers are the document's words
            return f"{owner}「{s.citation.text}」（{where(s.citation, language)}）"
        gap = "" if language == "zh" else " "
        return f"{owner}{what(s) or s.subject}{gap}{figure(s, language)}（{where(s.citation, language)}）"

    if language == "zh":
        lines = "；".join(option(owner, s, "zh") for owner, s in options)
        return f"不能确定哪个数字回答了这个问题：{zh}。最接近的有——{lines}。请选择其一，或把问题说得更具体些。"
    lines = "; ".join(option(owner, s, "en") for owner, s in options)
    return f"I cannot be sure which figure answers this: {en}. The closest are — {lines}. Pick one, or ask more precisely."


def instructions_noted(flagged: list[Citation], language: str) -> str:
    """Where the document addresses its reader with an instruction: said, never quoted as fact."""
    if not flagged:
        return ""
    places = "；".join(where(c, language) for c in flagged) if language == "zh" else "; ".join(where(c, "en") for c in flagged)
    if language == "zh":
        return f"（注意：{places}有一句话是对读者下达的指令，不是预算信息，未作为事实引用。）"
    return (f" (Note: a sentence at {places} addresses the reader with an instruction; it is not budget "
            "information and is not quoted as fact.)")


def read_by_model(reading: str, language: str) -> str:
    """Said after an answer reached through a model's reading: what it read, and that the figure is the cell's."""
    if language == "zh":
        return f"（语言模型将问题读作“{reading}”；数字取自所引单元格，已核对。）"
    return f" (A language model read the question as “{reading}”; the figure is the cited cell's, checked.)"


def labels(documents: list[Document]) -> dict[str, str]:
    """How to name each document among these: its department, with the year when the department
    recurs, and the file when department and year both do (two versions of one report)."""
    def name(d: Document, detail: int) -> str:
        parts = [d.department, f"{d.year}年" if detail >= 1 and d.year else "", d.source if detail >= 2 else ""]
        return parts[0] + (f"（{'，'.join(p for p in parts[1:] if p)}）" if detail else "")

    names: dict[str, str] = {}
    for d in documents:
        same = [o for o in documents if o.department == d.department]
        same_year = [o for o in same if o.year == d.year]
        names[d.id] = name(d, 2 if len(same_year) > 1 else 1 if len(same) > 1 else 0)
    return names


def versions(used: list[Document], others: list[Document], language: str) -> str:
    """Said when the documents answered from have other versions ingested (same department, year
    and kind): which file was used, and which were not."""
    used_names, other_names = "、".join(d.source for d in used), "、".join(d.source for d in others)
    if language == "zh":
        return f"（依据文件 {used_names}；同部门同年度另有 {other_names}，未采用，可指定文件再问。）"
    return f" (From {used_names}; {other_names}, another version of the same department's report for that year, " \
           "was not used — name the file to ask it.)"


def among(shown: int, fits: int, language: str) -> str:
    """Said when a name fits more reports (of different places) than the answer shows."""
    if language == "zh":
        return f"（问题所说的名称与{fits}份不同地区的文件相符，以上只列出最相关的{shown}份；请指明地区再问。）"
    return (f" (The name asked about fits {fits} reports of different places; only the {shown} most relevant are shown "
            "— name the place to ask one.)")


def needs_subject(language: str) -> str:
    if language == "zh":
        return f"{NOT_FOUND_ZH}这个问题没有说是哪一项（例如“鹿泉区科技局公务接待费比上年减少了多少？”），请说明所指的项目。"
    return f"{NOT_FOUND_EN} The question does not say which item it is about; please name it."


def not_found(language: str, searched: list[str]) -> str:
    if language == "zh":
        return f"{NOT_FOUND_ZH}已检索：{'、'.join(searched) or '全部文件'}。"
    return f"{NOT_FOUND_EN} Searched: {', '.join(searched) or 'all documents'}."
