"""Errors that reach the user. Turned into a message or an HTTP status only at the edge.

    BudgetQAError
    ├── IngestError(source, reason, page=None)   a file could not be read or parsed
    │   └── UnsupportedDocument                  readable, but not something we can index
    ├── NotFound(what)                           a document or table id that does not exist
    ├── BadRequest(what)                         a request field that cannot be used (names the field)
    └── ConfigError(what)                        settings that cannot work together
"""

from __future__ import annotations


class BudgetQAError(Exception):
    """Base of every error meant for the user."""


class IngestError(BudgetQAError):
    def __init__(self, source: str, reason: str, page: int | None = None) -> None:
        self.source = source
        self.reason = reason
        self.page = page
        where = f"{source}, page {page}" if page is not None else source
        super().__init__(f"{where}: {reason}")

    def __reduce__(self) -> tuple[type, tuple[str, str, int | None]]:  # raised in an ingest worker process
        return type(self), (self.source, self.reason, self.page)


class UnsupportedDocument(IngestError):
    pass


class NotFound(BudgetQAError):
    pass


class BadRequest(BudgetQAError):
    pass


class ConfigError(BudgetQAError):
    pass
