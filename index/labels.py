"""What a document's figures are of, as printed: the labels whose meaning is embedded.

Row labels of its tables, and the projects and indicators of its performance forms, each once,
in comparison form (``index.text.key``). The assistant matches a question's subject against their
embeddings beside its word matching ("普及科学知识活动" is near 科普活动).
"""

from __future__ import annotations

import re

from index.text import key
from index.types import ParsedDocument

_MAX_CHARS = 60  # a longer label is a purpose or a note, not a name


def subject_labels(parsed: ParsedDocument) -> list[str]:
    labels = [row.label for table in parsed.tables for row in table.rows]
    for form in parsed.performance:
        labels += [form.project, *(i.level3 for i in form.indicators)]
    return list(dict.fromkeys(k for k in (key(label) for label in labels) if _is_name(k)))


def _is_name(label: str) -> bool:
    return 2 <= len(label) <= _MAX_CHARS and bool(re.search(r"[\u4e00-\u9fff]", label))
