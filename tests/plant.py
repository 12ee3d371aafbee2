"""A copy of a real disclosure with errors planted in its text layer: what a reviewer's checks must find.

An edit replaces the text objects that print the text it changes — a run the producer drew in one
go ("2026 ", "）一般公共服务支出（类）支出 ") or one object a glyph — by one new object, at the place
and size of the first, that prints the planted text. It is set in Noto Sans CJK (the pip package
``index.pages`` draws with): a disclosure's own fonts are subsets that lack the glyphs an edit needs
("XX局"). A blanked page loses every object, as if its table had been left out. Nothing is overlaid:
the original text is gone from the copy, and ``plant`` reads the copy back with pdfplumber, as
ingest does, to prove it. Edits apply in order, each to the page as the ones before left it.

pdfium (pdfplumber's renderer) makes the edits; pikepdf then mends the one thing pdfium gets wrong
for this font, the code point it names some glyphs by (``_unify_noto_cmap``). PyMuPDF is not needed.
"""

from __future__ import annotations

import bisect
import ctypes
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from cvttf_NotoSansCJK_Regular import get_TTF_path


@dataclass(frozen=True)
class Edit:
    page: int  # 1-based
    old: str  # text as the page's text objects hold it, in drawing order (one object or a run of them)
    new: str  # what ``old`` becomes there
    nth: int = 0  # which occurrence of ``old`` on the page (a running header is drawn first)


class PlantError(Exception):
    """The edit could not be made, or the copy does not read back as planted."""


def plant(source: Path, target: Path, edits: Sequence[Edit], blank_pages: Sequence[int] = ()) -> Path:
    pdf = pdfium.PdfDocument(source)
    font_data = Path(get_TTF_path()).read_bytes()
    buffer = (ctypes.c_uint8 * len(font_data)).from_buffer_copy(font_data)  # pdfium reads it until the save
    font = pdfium_c.FPDFText_LoadFont(pdf, buffer, len(font_data), pdfium_c.FPDF_FONT_TRUETYPE, True)
    if not font:
        raise PlantError("pdfium could not load the Noto Sans CJK font")
    try:
        placed = [(edit, _replace(pdf, font, edit)) for edit in edits]
        for number in blank_pages:
            _blank(pdf[number - 1])
        pdf.save(target)
    finally:
        pdfium_c.FPDFFont_Close(font)
        pdf.close()
    _unify_noto_cmap(target)
    _verify(source, target, placed, blank_pages)
    return target


@dataclass(frozen=True)
class _Placed:
    old_text: str  # the objects replaced, as they read before
    new_text: str
    bounds: tuple[float, float, float, float]  # left, bottom, right, top in PDF points


def _replace(pdf: pdfium.PdfDocument, font: object, edit: Edit) -> _Placed:
    page = pdf[edit.page - 1]
    if page.get_rotation():
        raise PlantError(f"page {edit.page} is rotated: its text would be read back in another order")
    textpage = page.get_textpage()
    objects = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT], max_depth=0, textpage=textpage))
    texts = [obj.extract() for obj in objects]
    textpage.close()  # pdfium asks that a page's text handles go before its text objects are removed
    first, last, at = _run(texts, edit)
    old_text = "".join(texts[first:last + 1])
    new_text = old_text[:at] + edit.new + old_text[at + len(edit.old):]
    if _compact(old_text) in _compact(new_text):
        raise PlantError(f"'{old_text}' would still read in '{new_text}': the edit could not be told from the original")
    new = _text_object(pdf, font, new_text, objects[first])
    for obj in objects[first:last + 1]:
        page.remove_obj(obj)
    pdfium_c.FPDFPage_InsertObject(page, new)
    page.gen_content()
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    pdfium_c.FPDFPageObj_GetBounds(new, left, bottom, right, top)
    return _Placed(old_text, new_text, (left.value, bottom.value, right.value, top.value))


def _text_object(pdf: pdfium.PdfDocument, font: object, text: str, like: pdfium.PdfTextObj) -> object:
    """A text object in ``font`` printing ``text`` where ``like`` prints, at its size and colour."""
    size = ctypes.c_float(like.get_font_size())
    new = pdfium_c.FPDFPageObj_CreateTextObj(pdf, font, size)
    wide = ctypes.create_string_buffer((text + "\0").encode("utf-16-le"))
    pdfium_c.FPDFText_SetText(new, ctypes.cast(wide, ctypes.POINTER(pdfium_c.FPDF_WCHAR)))
    # pdfminer boxes a glyph from its font's descent down: Noto's is deeper than most, so the new text
    # is raised by the difference to be read on the line it replaces
    raise_by = _descent(pdfium_c.FPDFTextObj_GetFont(like), size) - _descent(font, size)
    a, b, c, d, e, f = like.get_matrix().get()
    pdfium_c.FPDFPageObj_SetMatrix(new, pdfium.PdfMatrix(a, b, c, d, e, f + raise_by * d).to_raw())
    pdfium_c.FPDFPageObj_SetFillColor(new, *_fill_color(like))
    return new


def _run(texts: list[str], edit: Edit) -> tuple[int, int, int]:
    """The objects the edit's occurrence of ``old`` spans (first, last) and where it starts in the first."""
    joined = "".join(texts)
    at = -1
    for _ in range(edit.nth + 1):
        at = joined.find(edit.old, at + 1)
        if at < 0:
            raise PlantError(f"page {edit.page} prints '{edit.old}' fewer than {edit.nth + 1} times: {joined[:200]}")
    ends = list(itertools.accumulate(len(text) for text in texts))
    first = bisect.bisect_right(ends, at)
    last = bisect.bisect_right(ends, at + len(edit.old) - 1)
    return first, last, at - (ends[first] - len(texts[first]))


def _descent(font: object, size: ctypes.c_float) -> float:
    descent = ctypes.c_float()
    if not pdfium_c.FPDFFont_GetDescent(font, size, descent):
        raise PlantError("pdfium could not read a font's descent")
    return descent.value


def _fill_color(obj: pdfium.PdfObject) -> tuple[int, int, int, int]:
    channels = [ctypes.c_uint() for _ in range(4)]
    if not pdfium_c.FPDFPageObj_GetFillColor(obj, *channels):
        return (0, 0, 0, 255)
    red, green, blue, alpha = (c.value for c in channels)
    return red, green, blue, alpha


def _blank(page: pdfium.PdfPage) -> None:
    for obj in list(page.get_objects(max_depth=0)):
        page.remove_obj(obj)
    page.gen_content()


# Code points whose glyph Noto shares with a unified ideograph: Kangxi radicals and the radicals
# supplement (⽉ and 月 are one glyph), compatibility ideographs.
_SHARED_GLYPHS = re.compile("[\u2e80-\u2fdf\uf900-\ufaff\U0002f800-\U0002fa1f]")


def _unify_noto_cmap(path: Path) -> None:
    """pdfium maps each glyph of the font it embeds back to one code point, and for a glyph a radical
    shares with an ideograph it may pick the radical: a planted 月 would read ⽉. The ideographs are put
    back in the font's ToUnicode map (each line kept in place, so its block counts still hold)."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        for obj in pdf.objects:
            name = obj.get("/BaseFont") if isinstance(obj, pikepdf.Dictionary) else None
            # a producer's own font names need not be UTF-8 ("/#CB#CE#CC#E5"): compared as bytes
            if isinstance(name, pikepdf.Name) and b"NotoSansCJK" in name.unparse() and "/ToUnicode" in obj:
                cmap = obj.ToUnicode.read_bytes().decode("latin-1")
                obj.ToUnicode.write("\n".join(_unified(line) for line in cmap.splitlines()).encode("latin-1"))
        pdf.save(path)


def _unified(line: str) -> str:
    """One ToUnicode entry with each destination that is a shared glyph's other code point unified:
    "<src> <dst>" (bfchar), "<lo> <hi> [<dst> …]" and "<lo> <hi> <first dst>" (bfrange, written as a list)."""
    codes = re.findall(r"<([0-9A-Fa-f]+)>", line)
    if "[" in line:
        head, _, rest = line.partition("[")
        return head + "[" + re.sub(r"<([0-9A-Fa-f]+)>", lambda m: f"<{_ideograph(m[1])}>", rest)
    if len(codes) == 3:
        low, high, first = (int(code, 16) for code in codes)
        if len(codes[2]) == 4 and high >= low:
            targets = " ".join(f"<{_ideograph(f'{first + i:04X}')}>" for i in range(high - low + 1))
            return f"<{codes[0]}> <{codes[1]}> [{targets}]"
    if len(codes) == 2 and "codespacerange" not in line:
        return f"<{codes[0]}> <{_ideograph(codes[1])}>"
    return line


def _ideograph(code: str) -> str:
    """A UTF-16BE destination, as the unified ideograph when it is a radical or compatibility form."""
    text = bytes.fromhex(code).decode("utf-16-be", errors="replace")
    if not _SHARED_GLYPHS.fullmatch(text):
        return code
    unified = unicodedata.normalize("NFKC", text)
    return unified.encode("utf-16-be").hex().upper() if len(unified) == 1 else code


def _verify(source: Path, target: Path, placed: list[tuple[Edit, _Placed]], blank_pages: Sequence[int]) -> None:
    """Read back as ingest reads: each planted text where it was put, each replaced text gone."""
    with pdfplumber.open(source) as before, pdfplumber.open(target) as after:
        for edit, done in placed:
            old_page, new_page = before.pages[edit.page - 1], after.pages[edit.page - 1]
            read = _read_within(new_page, done.bounds)
            if read != _compact(done.new_text):
                raise PlantError(f"page {edit.page}: the planted object reads '{read}', not '{done.new_text}'")
            was, now = (_compact(p.extract_text()).count(_compact(done.old_text)) for p in (old_page, new_page))
            if now != was - 1:
                raise PlantError(f"page {edit.page}: '{done.old_text}' is printed {now} times after the edit, {was} before")
        for number in blank_pages:
            if after.pages[number - 1].chars:
                raise PlantError(f"page {number} still has text after it was blanked")


def _read_within(page: Any, bounds: tuple[float, float, float, float]) -> str:
    """The characters whose centres lie within bounds (PDF points, from the page's bottom)."""
    left, bottom, right, top = bounds

    def inside(obj: dict[str, Any]) -> bool:
        if obj.get("object_type") != "char":
            return False
        x, y = (obj["x0"] + obj["x1"]) / 2, page.height - (obj["top"] + obj["bottom"]) / 2
        return left <= x <= right and bottom <= y <= top

    return _compact(page.filter(inside).extract_text())


def page_texts(path: Path, pages: Iterable[int]) -> dict[int, str]:
    """Pages' text as pdfplumber reads it, without whitespace (a page set in Noto takes a second or two:
    pdfminer reads the whole font's widths and character map)."""
    with pdfplumber.open(path) as pdf:
        return {page: _compact(pdf.pages[page - 1].extract_text()) for page in set(pages)}


def _compact(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")
