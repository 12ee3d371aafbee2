"""Questions in, verified answers out. ``Assistant(settings).ask(question) -> Answer``."""

from assistant.assistant import Assistant
from assistant.compose import NOT_FOUND_EN, NOT_FOUND_ZH
from assistant.types import Answer, Citation, Conflict, Evidence, Status
from assistant.verify import UNVERIFIED_MARK, UNVERIFIED_MARK_EN

__all__ = [
    "NOT_FOUND_EN",
    "NOT_FOUND_ZH",
    "UNVERIFIED_MARK",
    "UNVERIFIED_MARK_EN",
    "Answer",
    "Assistant",
    "Citation",
    "Conflict",
    "Evidence",
    "Status",
]
