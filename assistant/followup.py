"""A follow-up question inherits what the conversation was about.

"湖州市财政局2026年培训费预算是多少？" then "比上年减少了多少？": the second names no subject, so it
is read as "湖州市财政局2026年培训费预算比上年减少了多少？". A question that names its own subject
stands alone. Only the asker's earlier questions are used, never the assistant's answers, so a
follow-up can never inherit a figure — only what was asked about (department, year, subject).
"""

from __future__ import annotations

import re

from assistant.glossary import expand

# Words that point back: "它/其/该项/这笔…", "其中…", "and what about…", "…it…".
_POINTS_BACK_ZH = re.compile(
    r"^(?:那么|那|还有|另外|再问)?[，,\s]*(?P<word>其中|它的?|其(?![他余])|该项|该笔|这项|这笔|这个|那项|那笔|那个|此项)"
)
_STARTS_WITH_CHANGE = re.compile(r"^(?:那么|那)?[，,\s]*(?:比上年|较上年|与上年相比|同比|比去年|和上年比|上年|去年)")
_POINTS_BACK_EN = re.compile(r"^(?:and|so|also|then|what about|how about)\b", re.IGNORECASE)
_PRONOUN_EN = re.compile(r"\b(?:it|that figure|this figure|the same)\b", re.IGNORECASE)
_QUESTION_TAIL = re.compile(
    r"(?:一共|总共|合计|共计)?(?:预算)?(?:是多少|有多少|多少钱|是什么|多少|几何|为多少|吗|呢)?[？?。!！\s]*$"
)
_CONTENT = re.compile(r"[\u4e00-\u9fff]")
_FILLER = re.compile(
    r"比上年|较上年|同比|上年|去年|增加|减少|增长|下降|变化|多少|百分之几|占|比例|比重|是|了|的|呢|吗|其中|它|其|"
    r"这|那|个|项|笔|大|几|多|少|[？?，,。\s]"
)


def standalone(question: str, history: list[str]) -> str:
    """The question as it would be asked alone: its own words if it names its subject, else joined
    to the subject of the earlier question it follows."""
    if not history or not _follows(question):
        return question
    previous = standalone(history[-1], history[:-1])
    subject = _QUESTION_TAIL.sub("", previous.strip())
    if re.search(r"[a-zA-Z]", question) and not _CONTENT.search(question):
        return f"{subject} — {question}"
    pointer = _POINTS_BACK_ZH.match(question)
    if pointer:
        rest = question[pointer.end():]
        return f"{subject}中，{rest}" if pointer["word"] == "其中" else f"{subject}{rest}"
    return f"{subject}{question}"


def dangling(question: str, history: list[str]) -> bool:
    """A follow-up with nothing to follow: "它比上年减少了多少？" asked first names nothing."""
    return not history and _follows(question)


def _follows(question: str) -> bool:
    text = question.strip()
    if _CONTENT.search(text):
        own = _FILLER.sub("", text)
        return bool(_POINTS_BACK_ZH.match(text) or _STARTS_WITH_CHANGE.match(text)) or len(own) < 2
    # "How much did it change?" points back; "…the bureau and its units" does not
    return bool(_POINTS_BACK_EN.search(text) or (_PRONOUN_EN.search(text) and not expand(text).terms))
