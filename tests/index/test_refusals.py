"""Bad input is refused with a specific message and leaves the index untouched."""

from __future__ import annotations

import io

import pytest
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from index import IngestError, UnsupportedDocument
from tests.conftest import SHEHUI


def _state(library):
    return [d.id for d in library.documents()], library.vectors.count(), library.store.chunk_texts()


def _pdf(path, draw, encrypt=None):
    pdf = canvas.Canvas(str(path), encrypt=encrypt)
    draw(pdf)
    pdf.showPage()
    pdf.save()
    return path


def _image_page(pdf):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(buffer, format="PNG")
    pdf.drawImage(ImageReader(io.BytesIO(buffer.getvalue())), 50, 500, 400, 200)


@pytest.fixture
def seeded(library):
    library.ingest(SHEHUI)
    return library


def _refused(library, path, error, words):
    before = _state(library)
    with pytest.raises(error) as caught:
        library.ingest(path)
    assert path.name in str(caught.value)
    for word in words:
        assert word in str(caught.value)
    assert _state(library) == before


def test_empty_file(seeded, tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    _refused(seeded, path, IngestError, ["empty"])


def test_not_a_pdf(seeded, tmp_path):
    path = tmp_path / "notes.pdf"
    path.write_bytes(b"PK\x03\x04 this is a zip file renamed")
    _refused(seeded, path, UnsupportedDocument, ["not a PDF"])


def test_truncated_pdf(seeded, tmp_path):
    path = tmp_path / "cut.pdf"
    path.write_bytes(SHEHUI.read_bytes()[:40_000])
    _refused(seeded, path, IngestError, ["truncated or corrupt"])


def test_encrypted_pdf(seeded, tmp_path):
    path = _pdf(tmp_path / "locked.pdf", lambda p: p.drawString(72, 720, "budget"), encrypt="secret")
    _refused(seeded, path, UnsupportedDocument, ["encrypted"])


def test_blank_scan_is_refused_naming_its_pages(seeded, tmp_path):
    path = _pdf(tmp_path / "scan.pdf", _image_page)  # an image page with nothing to read, even by OCR
    _refused(seeded, path, UnsupportedDocument, ["page 1", "OCR"])


def test_text_without_tables(seeded, tmp_path):
    path = tmp_path / "letter.txt"
    path.write_text("这是一封信，不是预算公开文件。\n", encoding="utf-8")
    _refused(seeded, path, UnsupportedDocument, ["no tab-separated table rows"])
