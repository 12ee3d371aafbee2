"""Hostile files for the tests, made on the spot."""

from __future__ import annotations

import io
import zlib

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
