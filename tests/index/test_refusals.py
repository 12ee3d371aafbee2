"""Bad input is refused with a specific message and leaves the index untouched."""

from __future__ import annotations

import io

import pytest
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from eval.hostile_files import bomb, many_bombs
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


def test_blank_pages_are_refused_not_ingested_as_a_document(seeded, tmp_path):
    def blank(pdf):
        for number in range(1, 41):  # a page number on each: a text layer with nothing in it to answer from
            pdf.drawString(300, 40, str(number))
            pdf.showPage()

    path = _pdf(tmp_path / "blank-40.pdf", blank)
    _refused(seeded, path, UnsupportedDocument, ["no tables, figures or text"])


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "gb18030", "utf-32"])
def test_disclosure_text_in_any_common_encoding_is_read(library, tmp_path, encoding):
    from tests.conftest import HEBEI

    path = tmp_path / f"luquan-{encoding}.txt"
    path.write_bytes(HEBEI.read_text(encoding="utf-8").encode(encoding))
    report = library.ingest(path)
    assert report.document.department == "石家庄市鹿泉区科学技术和工业信息化局" and report.facts > 500


def test_a_decompression_bomb_is_refused_while_it_is_read(seeded, tmp_path):
    path = tmp_path / "bomb.pdf"
    path.write_bytes(bomb(400))  # 600 KB that would inflate to 400 MB, twice the default bound
    _refused(seeded, path, UnsupportedDocument, ["inflates past 200 MB"])


def test_a_huge_text_is_refused_before_it_is_parsed(seeded, tmp_path):
    from tests.conftest import HEBEI

    seeded.settings = seeded.settings.model_copy(update={"max_text_chars": 100_000})
    path = tmp_path / "huge.txt"
    path.write_text(HEBEI.read_text(encoding="utf-8") * 3, encoding="utf-8")
    _refused(seeded, path, UnsupportedDocument, ["characters is over the limit of 100,000"])


def _caizheng() -> bytes:
    from tests.conftest import CAIZHENG

    return CAIZHENG.read_bytes()


@pytest.mark.parametrize(("limit", "make", "words"), [
    ({"max_page_chars": 1000}, _caizheng, ["characters is over the limit of 1,000 a page"]),
    ({"max_table_rows": 10}, _caizheng, ["rows, over the limit of 10"]),
    ({"max_stream_mb": 1000, "max_inflated_mb": 100}, lambda: bomb(300), ["all of the streams inflate past 100 MB"]),
    ({"max_page_content_mb": 1}, lambda: bomb(2), ["page 1", "inflate to 2.0 MB, over the limit of 1 MB a page"]),
    ({"max_content_mb": 2}, lambda: many_bombs(3, 1), ["page 2", "pages 1–2 inflate past the limit of 2 MB"]),
], ids=["page chars", "table rows", "all streams", "page drawing", "all drawing"])
def test_each_limit_is_enforced_while_reading_and_named(seeded, tmp_path, limit, make, words):
    seeded.settings = seeded.settings.model_copy(update=limit)
    path = tmp_path / "hostile.pdf"
    path.write_bytes(make())
    _refused(seeded, path, UnsupportedDocument, words)
