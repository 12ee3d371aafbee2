"""Hostile files, made on the spot: for the refusal tests and the hostile-ingest benchmark."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import pikepdf


def bomb(megabytes: int) -> bytes:
    """A one-page PDF of ~1.5 KB per inflated MB whose content stream inflates to ``megabytes`` MB."""
    squeeze = zlib.compressobj(9)
    chunk = b"0 0 m\n" * 170_000
    data = b"".join([*(squeeze.compress(chunk) for _ in range(megabytes)), squeeze.flush()])
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    stream = pikepdf.Stream(pdf, data)
    stream.Filter = pikepdf.Name.FlateDecode
    pdf.pages[0].Contents = stream
    out = io.BytesIO()
    pdf.save(out, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return out.getvalue()


def many_bombs(count: int, megabytes: int) -> bytes:
    """``count`` pages, each a stream inflating to ``megabytes`` MB: every stream under the
    one-stream bound, all of them together far past the total."""
    one = pikepdf.open(io.BytesIO(bomb(megabytes)))
    pdf = pikepdf.new()
    for _ in range(count):
        pdf.pages.append(one.pages[0])
    out = io.BytesIO()
    pdf.save(out, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return out.getvalue()


def blank_pages(count: int) -> bytes:
    pdf = pikepdf.new()
    for _ in range(count):
        pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def huge_text(source: Path, megabytes: int) -> bytes:
    """A tab-separated disclosure text repeated to ``megabytes`` MB."""
    text = source.read_bytes()
    return text * (megabytes * 1_000_000 // len(text) + 1)
