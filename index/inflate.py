"""A bound on how far one PDF stream may inflate while it is read.

pdfminer inflates every FlateDecode stream whole, so a 2 MB file can ask for gigabytes (a
decompression bomb). It has no setting for this; the ``zlib`` its stream decoder uses is swapped
for one that stops at the bound of the read under way (``bounded``), raising ``StreamTooLarge``.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pdfminer.pdftypes

_bound = threading.local()  # the limit of the read under way in this thread (none outside one)


class StreamTooLarge(Exception):
    def __init__(self, limit: int, what: str = "a stream inflates") -> None:
        super().__init__(f"{what} past {limit / 1e6:g} MB")
        self.limit = limit


@contextmanager
def bounded(limit: int, total: int) -> Iterator[None]:
    """Within: no stream read in this thread inflates past ``limit`` bytes, nor all of them past ``total``."""
    previous = getattr(_bound, "limit", None), getattr(_bound, "total", None), getattr(_bound, "spent", 0)
    _bound.limit, _bound.total, _bound.spent = limit, total, 0
    try:
        yield
    finally:
        _bound.limit, _bound.total, _bound.spent = previous


def _spend(size: int) -> None:
    """Count inflated bytes against the read's total."""
    total = getattr(_bound, "total", None)
    if total is not None:
        _bound.spent += size
        if _bound.spent > total:
            raise StreamTooLarge(total, "all of the streams inflate")


class _Inflater:
    """A ``zlib.decompressobj`` that counts what it gives out."""

    def __init__(self, limit: int | None) -> None:
        self._inner, self._limit, self._out = zlib.decompressobj(), limit, 0

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        out = self._inner.decompress(data, max_length)
        self._out += len(out)
        if self._limit is not None and self._out > self._limit:
            raise StreamTooLarge(self._limit)
        _spend(len(out))
        return out

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _BoundedZlib:
    """The part of the ``zlib`` module pdfminer's decoder uses, bounded."""

    error = zlib.error

    def decompress(self, data: bytes) -> bytes:
        limit = getattr(_bound, "limit", None)
        if limit is None:
            return zlib.decompress(data)
        inflater = zlib.decompressobj()
        out = inflater.decompress(data, limit + 1)
        if len(out) > limit:
            raise StreamTooLarge(limit)
        if not inflater.eof and not inflater.unconsumed_tail:
            raise zlib.error("incomplete or truncated stream")  # as zlib.decompress says: pdfminer recovers
        _spend(len(out))
        return out

    def decompressobj(self, *args: Any) -> _Inflater:
        return _Inflater(getattr(_bound, "limit", None))


pdfminer.pdftypes.zlib = _BoundedZlib()  # type: ignore[assignment]
