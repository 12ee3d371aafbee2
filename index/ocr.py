"""OCR for scanned pages: a page image in, the same lines and grids the text layer gives.

Some disclosures are scans with no text layer. Rather than refuse them, we read them with
RapidOCR (the PP-OCRv4 Chinese models ship in its wheel, so nothing is downloaded at run
time) and rebuild each table's cell grid from the ruling lines printed on the scan, so the
parsers downstream see a ``Grid`` like any other, its cells marked ``ocr=True``.

Choices measured on the Changsha scans (2-core machine):

- The page is rendered at the scan's own resolution, pixel for pixel: resampled by even
  25 % either way, the recogniser read thousands commas as points ("12.542.74"). Scans
  finer than 200 dpi are rendered at a whole fraction of it (300 dpi at 150), for speed.
- A red seal stamped over a table is whitened out first, or its words land in the cells.
- A landscape table printed across a portrait page is turned upright, and a slightly
  skewed scan is straightened, before the ruling lines are looked for; every bbox is mapped
  back to PDF points on the page as shown, so a citation can outline the cell.
- A grid needs ruling lines: without them a table's text is kept as lines, never guessed
  into cells. A text box the detector ran across a column rule is cut at the rule, and a
  lone character it missed ("5", "-") is read from the cell on its own.
- Figures are kept as read; only look-alikes that leave no doubt are undone, since a wrong
  digit is worse than a cell left unparsed.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
from numpy.typing import NDArray

from index.blocks import Block, Grid, GridCell, Line, Merged
from index.text import clean, parse_number
from index.types import BBox

if TYPE_CHECKING:
    import pdfplumber

__all__ = ["ocr_blocks"]

Image = NDArray[Any]  # 8-bit pixels, as numpy and OpenCV hand them round
Matrix = NDArray[np.floating[Any]]  # a 3x3 affine map between pixel frames

MAX_DPI = 200  # finer scans are rendered at a whole fraction of their resolution
MIN_DPI = 96  # coarser ones at a whole multiple
THREADS = 2
MIN_SCORE = 0.5  # recogniser confidence under which a text box is dropped
SAMPLE_BOXES = 4  # text boxes read both ways round to tell which way up the page is
SAMPLE_LENGTH = 8  # of each, this many line heights
H_RULE_PT = 20.0  # shortest horizontal ruling piece: longer than any stroke of a character
V_RULE_PT = 10.0  # shortest vertical ruling piece: a table row can be this short
RULE_GAP_PT = 3.0  # breaks in a scanned ruling line closed up to this length
RULE_TOLERANCE_PT = 4.0  # ruling pixels this close belong to one line
MIN_TABLE_PT = 72.0  # narrower ruling (underlined words, boxes drawn round a title) is no table
CELL_MARGIN_PT = 2.0  # inside a cell's rules, where its own ink starts
MIN_CHARACTER_PT = 2.5  # ink smaller than this in an empty cell is a speck
LONE_SCORE = 0.8  # a lone character read on its own must be read with this confidence
PRESENT = 0.9  # share of a cell edge that must be inked for the edge to count as drawn
MAX_SKEW = 5.0  # degrees: a larger slope of the ruling lines is no scanner skew
SEAL_PT = (43.0, 216.0)  # an official seal is 15 to 75 mm across, and round
SEAL_GAP_PT = 4.0  # print crossing a seal cuts its red strokes by up to this much


@dataclass
class _Box:
    """One recognised text box, in pixels of the straightened image."""

    x0: float
    top: float
    x1: float
    bottom: float
    text: str
    pieces: list[_Box] = field(default_factory=list)  # its characters (or Latin words), left to right

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.top + self.bottom) / 2


@dataclass
class _Frame:
    """Maps pixels of the straightened image back to PDF points on the page as shown."""

    to_rendered: Matrix  # straightened pixels to rendered pixels
    scale: float  # rendered pixels per point
    page_bbox: BBox

    def to_page(self, x0: float, top: float, x1: float, bottom: float) -> BBox:
        corners = np.array([[x0, top, 1], [x1, top, 1], [x1, bottom, 1], [x0, bottom, 1]], dtype=np.float64)
        rendered = corners @ self.to_rendered[:2].T
        left, page_top, right, page_bottom = self.page_bbox
        xs = np.clip(left + rendered[:, 0] / self.scale, left, right)
        ys = np.clip(page_top + rendered[:, 1] / self.scale, page_top, page_bottom)
        return (round(float(xs.min()), 2), round(float(ys.min()), 2), round(float(xs.max()), 2), round(float(ys.max()), 2))


@dataclass
class _Table:
    """A ruled table in pixels: its grid lines, and which cell edges are not drawn (merges)."""

    xs: list[float]
    ys: list[float]
    left_open: list[list[bool]]  # [row][col]: no rule on its left
    top_open: list[list[bool]]  # [row][col]: no rule above it

    def contains(self, x: float, y: float) -> bool:
        return self.xs[0] <= x <= self.xs[-1] and self.ys[0] <= y <= self.ys[-1]

    def merged(self, r: int, c: int) -> Merged:
        """Like the PDF loader: covered from above when the rule above is missing, else from the left."""
        if self.top_open[r][c]:
            return "above"
        return "left" if self.left_open[r][c] else ""

    @cached_property
    def owners(self) -> list[list[tuple[int, int]]]:
        """For each grid position, the cell whose text it shows: up and left through missing rules."""
        return [[self._owner(r, c) for c in range(len(self.xs) - 1)] for r in range(len(self.ys) - 1)]

    def owner_at(self, x: float, y: float) -> tuple[int, int]:
        r = min(max(bisect.bisect_right(self.ys, y) - 1, 0), len(self.ys) - 2)
        c = min(max(bisect.bisect_right(self.xs, x) - 1, 0), len(self.xs) - 2)
        return self.owners[r][c]

    def extent(self, r: int, c: int) -> tuple[float, float, float, float]:
        """A cell's box in pixels: for a merged cell, of every position it covers."""
        spots = [(i, j) for i, row in enumerate(self.owners) for j, owner in enumerate(row) if owner == (r, c)]
        rows, cols = [i for i, _ in spots] or [r], [j for _, j in spots] or [c]
        return self.xs[min(cols)], self.ys[min(rows)], self.xs[max(cols) + 1], self.ys[max(rows) + 1]

    def _owner(self, r: int, c: int) -> tuple[int, int]:
        while merged := self.merged(r, c):
            r, c = (r - 1, c) if merged == "above" else (r, c - 1)
        return r, c


@dataclass
class _Ruling:
    """The ruling pixels round one table, horizontal and vertical rules apart."""

    horizontal: Image
    vertical: Image
    crossings: Image  # where a horizontal and a vertical rule meet
    tolerance: int  # pixels a rule may wander from its position

    def spans_a_cell(self, at: float, across: list[float], axis: int) -> bool:
        """A rule runs from one crossing rule to another; a stroke of a character stops short."""
        meets = [a for a in across if self._crosses(at, a, axis)]
        return any(self.drawn(at, a, b, axis) for a, b in itertools.pairwise(meets))

    def drawn(self, at: float, start: float, end: float, axis: int) -> bool:
        """Whether the rule at ``at`` (a y for axis 1, an x for axis 0) is inked nearly all the
        way from ``start`` to ``end``."""
        lo, hi, tol = round(start), round(end), self.tolerance
        if hi <= lo:
            return False
        near = slice(max(round(at) - tol, 0), round(at) + tol + 1)
        strip = self.horizontal[near, lo:hi] if axis == 1 else self.vertical[lo:hi, near]
        covered = (strip > 0).any(axis=0 if axis == 1 else 1)
        return bool(covered.mean() >= PRESENT)

    def _crosses(self, at: float, end: float, axis: int) -> bool:
        x, y = (end, at) if axis == 1 else (at, end)
        tol = self.tolerance
        window = (slice(max(round(y) - tol, 0), round(y) + tol + 1), slice(max(round(x) - tol, 0), round(x) + tol + 1))
        return bool(self.crossings[window].any())


@dataclass
class _Scan:
    """A page as read: the upright, level grey image, its text boxes, and the way back to points."""

    image: Image
    boxes: list[_Box]
    frame: _Frame
    number: int


def ocr_blocks(page: pdfplumber.page.Page, number: int) -> list[Block]:
    """The page's text lines and table grids read by OCR, in reading order (top to bottom)."""
    scan = _scan(page, number)
    placed: list[tuple[float, Block]] = []
    tables = _find_tables(scan.image, scan.frame.scale)
    for table in tables:
        grid = _grid(scan, table, [b for b in scan.boxes if table.contains(*b.centre)])
        if any(cell.text for row in grid.rows for cell in row):  # an empty ruled form says nothing
            placed.append((table.ys[0], grid))
    outside = [b for b in scan.boxes if not any(t.contains(*b.centre) for t in tables)]
    placed.extend((top, Line(number, text, ocr=True)) for top, text in _text_lines(outside))
    placed.sort(key=lambda item: item[0])
    return [block for _, block in placed]


def _scan(page: pdfplumber.page.Page, number: int) -> _Scan:
    dpi = _render_dpi(page)
    scale = dpi / 72
    image = _without_seals(_render(page, dpi), scale)
    turns = _upright_turns(image)
    upright = np.ascontiguousarray(np.rot90(image, -turns))
    grey = cv2.cvtColor(upright, cv2.COLOR_BGR2GRAY)
    straighten = _straightening(grey, scale)
    straight = cv2.warpAffine(grey, straighten[:2], grey.shape[::-1], borderValue=255)
    frame = _Frame(np.linalg.inv(straighten @ _turning(turns, image.shape)), scale, _bbox(page))
    boxes = [_moved(box, straighten) for box in _read(upright)]  # read from the pixels as rendered
    return _Scan(straight, boxes, frame, number)


def _bbox(page: pdfplumber.page.Page) -> BBox:
    x0, top, x1, bottom = page.bbox
    return float(x0), float(top), float(x1), float(bottom)


# --- rendering, orientation, reading ------------------------------------------------------


class OcrUnavailable(Exception):
    """The OCR engine is not installed (rapidocr-onnxruntime has no wheel for Python 3.13)."""


@cache
def _engine() -> Any:
    try:
        from rapidocr_onnxruntime import RapidOCR  # heavy: imported on first use only
    except ImportError as exc:
        raise OcrUnavailable("OCR is not installed here (rapidocr-onnxruntime, which ships its Chinese models, "
                             "has wheels for Python 3.11 and 3.12 only)") from exc

    return RapidOCR(
        intra_op_num_threads=THREADS,
        inter_op_num_threads=1,
        max_side_len=10_000,  # never shrink the page we rendered (the default shrinks to 2000 px)
    )


def _render_dpi(page: pdfplumber.page.Page) -> float:
    """The resolution of the page's largest image, or a whole multiple or fraction of it."""
    image = max(page.images, key=lambda i: (i["x1"] - i["x0"]) * (i["bottom"] - i["top"]), default=None)
    if image is None or image["x1"] <= image["x0"]:
        return 150.0
    # The long side of the image spans the long side of its place, however it is turned.
    native = float(max(image["srcsize"])) * 72 / max(image["x1"] - image["x0"], image["bottom"] - image["top"])
    if native > MAX_DPI:
        return native / math.ceil(native / MAX_DPI)
    if native < MIN_DPI:
        return native * math.ceil(MIN_DPI / native)
    return native


def _render(page: pdfplumber.page.Page, dpi: float) -> Image:
    """The page in colour, blue-green-red as the OCR engine takes it."""
    rgb = page.to_image(resolution=dpi).original.convert("RGB")
    return np.ascontiguousarray(np.asarray(rgb, dtype=np.uint8)[:, :, ::-1])


def _without_seals(image: Image, scale: float) -> Image:
    """Red seals stamped over the page whitened out, so their words stay out of the cells.

    Only a round, seal-sized patch of solid red is touched: the colour fringes round black
    text in some scans, and red letterheads, are left as they are.
    """
    blue, green, red = (image[:, :, i].astype(np.int16) for i in range(3))
    redness = red - np.maximum(green, blue)
    solid: Image = ((red >= 150) & (redness >= 80)).astype(np.uint8)
    solid = cv2.morphologyEx(solid, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))  # fringes are a pixel wide
    reach = round(SEAL_GAP_PT * scale) | 1
    blobs = cv2.dilate(solid, np.ones((reach, reach), np.uint8))  # across black print that cuts the ring
    count, _, stats, _ = cv2.connectedComponentsWithStats(blobs)
    cleaned = image.copy()
    for x, y, w, h, _area in stats[1:count].tolist():
        if _seal_sized(w / scale, h / scale):
            window = (slice(y, y + h), slice(x, x + w))
            cleaned[window][redness[window] > 30] = 255
    return cleaned


def _seal_sized(width: float, height: float) -> bool:
    low, high = SEAL_PT
    return low <= min(width, height) and max(width, height) <= min(high, 1.35 * min(width, height))


def _upright_turns(image: Image) -> int:
    """Clockwise quarter turns that make the text upright.

    Text boxes taller than wide mean the page lies on its side; which way up is told by
    reading a few boxes both ways round (upside down, the recogniser's confidence is near 0).
    """
    shrink = min(1.0, 736 / min(image.shape[:2]))  # the detector enlarges to this size anyway
    small = cv2.resize(image, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA)
    found, _ = _engine()(small, use_det=True, use_cls=False, use_rec=False)
    if not found:
        return 0
    quads = [np.asarray(q, dtype=np.float64) / shrink for q in found]
    tall = [q for q in quads if np.ptp(q[:, 1]) > 1.5 * np.ptp(q[:, 0])]
    turns = 1 if len(tall) > len(quads) / 2 else 0
    longest = sorted(tall if turns else quads, key=lambda q: -max(np.ptp(q[:, 0]), np.ptp(q[:, 1])))
    upright = flipped = 0.0
    for quad in longest[:SAMPLE_BOXES]:
        crop = np.rot90(_crop(image, quad), -turns)
        crop = crop[:, : SAMPLE_LENGTH * crop.shape[0]]  # the start of a line is enough
        upright += _confidence(crop)
        flipped += _confidence(np.rot90(crop, 2))
    return turns + 2 if flipped > upright else turns


def _crop(image: Image, quad: NDArray[np.float64]) -> Image:
    x0, y0 = np.floor(quad.min(axis=0)).astype(int)
    x1, y1 = np.ceil(quad.max(axis=0)).astype(int)
    return image[max(y0, 0) : y1, max(x0, 0) : x1]


def _confidence(crop: Image) -> float:
    if crop.size == 0:
        return 0.0
    result, _ = _engine()(np.ascontiguousarray(crop), use_det=False, use_cls=False, use_rec=True)
    return float(result[0][1]) if result else 0.0


def _turning(turns: int, shape: tuple[int, ...]) -> Matrix:
    """The map from rendered pixels to pixels after ``turns`` clockwise quarter turns."""
    height, width = shape[:2]
    maps = {
        0: [[1, 0, 0], [0, 1, 0]],
        1: [[0, -1, height], [1, 0, 0]],
        2: [[-1, 0, width], [0, -1, height]],
        3: [[0, 1, 0], [-1, 0, width]],
    }
    return np.array([*maps[turns % 4], [0, 0, 1]], dtype=np.float64)


def _straightening(image: Image, scale: float) -> Matrix:
    """The rotation that levels the page's long horizontal rules (identity when there are none)."""
    rules = _rules(_ink(image), round(H_RULE_PT * scale), round(RULE_GAP_PT * scale), axis=1)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(rules)
    slopes = []
    for label in range(1, count):
        x, y, w, h, _area = stats[label].tolist()
        if w >= image.shape[1] / 4:
            ys, xs = np.nonzero(labels[y : y + h, x : x + w] == label)
            slopes.append(float(np.polyfit(xs, ys, 1)[0]))
    angle = math.degrees(math.atan(float(np.median(slopes)))) if slopes else 0.0
    if abs(angle) > MAX_SKEW:
        angle = 0.0
    centre = (image.shape[1] / 2, image.shape[0] / 2)
    return np.vstack([cv2.getRotationMatrix2D(centre, angle, 1.0), [0, 0, 1]])


def _read(image: Image) -> list[_Box]:
    result, _ = _engine()(image, use_cls=False, text_score=MIN_SCORE, return_word_box=True)
    boxes = []
    for quad, text, _score, *words in result or []:
        if text.strip():
            box = _bounding(quad, text.strip())
            if words and len(words[0]) == len(words[1]):
                box.pieces = [_bounding(corners, word) for corners, word in zip(words[0], words[1], strict=True)]
            boxes.append(box)
    return boxes


def _bounding(quad: Any, text: str) -> _Box:
    points = np.asarray(quad, dtype=np.float64)
    (x0, top), (x1, bottom) = points.min(axis=0), points.max(axis=0)
    return _Box(float(x0), float(top), float(x1), float(bottom), text)


def _moved(box: _Box, matrix: Matrix) -> _Box:
    corners = np.array([[box.x0, box.top, 1], [box.x1, box.top, 1], [box.x1, box.bottom, 1], [box.x0, box.bottom, 1]])
    moved = corners @ matrix[:2].T
    (x0, top), (x1, bottom) = moved.min(axis=0), moved.max(axis=0)
    return _Box(float(x0), float(top), float(x1), float(bottom), box.text, [_moved(p, matrix) for p in box.pieces])


# --- ruling lines into tables -------------------------------------------------------------


def _find_tables(image: Image, scale: float) -> list[_Table]:
    """Ruled tables on an upright, level page image (``scale`` pixels per point), top to bottom."""
    ink = _ink(image)
    horizontal = _rules(ink, round(H_RULE_PT * scale), round(RULE_GAP_PT * scale), axis=1)
    vertical = _rules(ink, round(V_RULE_PT * scale), round(RULE_GAP_PT * scale), axis=0)
    # Rules drawn one by one may stop a pixel short of each other at corners and crossings.
    grown = np.ones((3, 3), np.uint8)
    crossings = cv2.bitwise_and(cv2.dilate(horizontal, grown), cv2.dilate(vertical, grown))
    count, _, stats, _ = cv2.connectedComponentsWithStats(cv2.dilate(cv2.bitwise_or(horizontal, vertical), grown))
    tables = []
    for x, y, w, h, _area in sorted(stats[1:count].tolist(), key=lambda s: s[1]):
        if w < MIN_TABLE_PT * scale:
            continue
        window = (slice(y, y + h), slice(x, x + w))
        ruling = _Ruling(horizontal[window], vertical[window], crossings[window], round(RULE_TOLERANCE_PT * scale))
        table = _table(ruling)
        if table is not None:
            tables.append(_Table([v + x for v in table.xs], [v + y for v in table.ys], table.left_open, table.top_open))
    return tables


def _ink(image: Image) -> Image:
    return cv2.adaptiveThreshold(image, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)


def _rules(ink: Image, length: int, gap: int, axis: int) -> Image:
    """Ink in straight runs at least ``length`` long along ``axis`` (1: horizontal, 0: vertical).

    Breaks in the runs are closed after the opening: closing first would join the strokes
    of neighbouring characters into rules.
    """
    length, gap = length | 1, gap | 1  # odd kernels keep the runs where they are
    shape = (length, 1) if axis == 1 else (1, length)
    closing = (gap, 1) if axis == 1 else (1, gap)
    runs = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, shape))
    return cv2.morphologyEx(runs, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, closing))


def _table(ruling: _Ruling) -> _Table | None:
    """The grid of one connected piece of ruling, or None when it is no table."""
    ys = _positions(ruling.horizontal, axis=1, tolerance=ruling.tolerance)
    xs = _positions(ruling.vertical, axis=0, tolerance=ruling.tolerance)
    xs = [x for x in xs if ruling.spans_a_cell(x, ys, axis=0)]
    ys = [y for y in ys if ruling.spans_a_cell(y, xs, axis=1)]
    if len(xs) < 3 or len(ys) < 2:
        return None  # a single column is a frame (round a chart, a note), not a table
    rows, cols = range(len(ys) - 1), range(len(xs) - 1)
    return _Table(
        xs,
        ys,
        left_open=[[c > 0 and not ruling.drawn(xs[c], ys[r], ys[r + 1], axis=0) for c in cols] for r in rows],
        top_open=[[r > 0 and not ruling.drawn(ys[r], xs[c], xs[c + 1], axis=1) for c in cols] for r in rows],
    )


def _positions(mask: Image, axis: int, tolerance: int) -> list[float]:
    """Centres of the bands of pixel rows (axis 1) or columns (axis 0) that hold ruling."""
    profile = (mask > 0).sum(axis=axis)
    bands: list[list[int]] = []
    for index in np.flatnonzero(profile).tolist():
        if bands and index - bands[-1][-1] <= tolerance:
            bands[-1].append(index)
        else:
            bands.append([index])
    return [float(np.average(band, weights=profile[band])) for band in bands]


# --- boxes into cells and lines -----------------------------------------------------------


def _grid(scan: _Scan, table: _Table, boxes: list[_Box]) -> Grid:
    held: dict[tuple[int, int], list[_Box]] = {}
    for box in boxes:
        for owner, part in _split(box, table.owner_at):
            held.setdefault(owner, []).append(part)
    rows = []
    for r, owners in enumerate(table.owners):
        cells = []
        for c, owner in enumerate(owners):
            merged = table.merged(r, c)
            if owner not in held and not merged:
                held[owner] = _lone_character(scan, table.extent(r, c))
            text = "" if merged else _numeric("".join(text for _, text in _text_lines(held[owner])))
            bbox = scan.frame.to_page(*table.extent(r, c))
            cells.append(GridCell(text, scan.number, bbox, merged, ocr=True))
        rows.append(cells)
    return Grid(scan.number, rows, ruled=True)


def _split(box: _Box, cell_at: Callable[[float, float], tuple[int, int]]) -> list[tuple[tuple[int, int], _Box]]:
    """The box cut where its characters pass into another cell, each part with its cell.

    The detector sometimes joins the text of neighbouring cells into one box.
    """
    y = box.centre[1]
    runs: list[tuple[tuple[int, int], list[_Box]]] = []
    for piece in box.pieces:
        cell = cell_at(piece.centre[0], y)
        if runs and runs[-1][0] == cell:
            runs[-1][1].append(piece)
        else:
            runs.append((cell, [piece]))
    if len(runs) <= 1:
        return [(cell_at(*box.centre), box)]
    return [(cell, _Box(run[0].x0, box.top, run[-1].x1, box.bottom, "".join(p.text for p in run))) for cell, run in runs]


def _lone_character(scan: _Scan, extent: tuple[float, float, float, float]) -> list[_Box]:
    """An empty cell's ink read on its own: the detector misses a lone "5", "-" or "%"."""
    margin = round(CELL_MARGIN_PT * scan.frame.scale)
    x0, top, x1, bottom = (round(v) for v in extent)
    inner = scan.image[top + margin : bottom - margin, x0 + margin : x1 - margin]
    ys, xs = np.nonzero(_ink(inner)) if inner.size else (np.array([]), np.array([]))
    if not len(ys) or max(np.ptp(ys), np.ptp(xs)) < MIN_CHARACTER_PT * scan.frame.scale:
        return []  # blank, or a speck
    if np.ptp(ys) + 1 >= 0.9 * inner.shape[0] or np.ptp(xs) + 1 >= 0.9 * inner.shape[1]:
        return []  # a piece of a rule, not a character
    crop = inner[max(ys.min() - margin, 0) : ys.max() + margin + 1, max(xs.min() - margin, 0) : xs.max() + margin + 1]
    result, _ = _engine()(np.ascontiguousarray(crop), use_det=False, use_cls=False, use_rec=True)
    text, confidence = (result[0][0].strip(), float(result[0][1])) if result else ("", 0.0)
    if not text or confidence < LONE_SCORE:
        return []
    return [_Box(x0 + margin + xs.min(), top + margin + ys.min(), x0 + margin + xs.max(), top + margin + ys.max(), text)]


def _text_lines(boxes: list[_Box]) -> list[tuple[float, str]]:
    """Boxes grouped into lines by vertical overlap, each read left to right: (top, text)."""
    lines: list[list[_Box]] = []
    for box in sorted(boxes, key=lambda b: b.centre[1]):
        line = next((line for line in lines if _same_line(line, box)), None)
        if line is None:
            lines.append([box])
        else:
            line.append(box)
    texts = [(min(b.top for b in line), clean(" ".join(b.text for b in sorted(line, key=lambda b: b.x0)))) for line in lines]
    return sorted(texts, key=lambda item: item[0])


def _same_line(line: list[_Box], box: _Box) -> bool:
    top, bottom = min(b.top for b in line), max(b.bottom for b in line)
    overlap = min(bottom, box.bottom) - max(top, box.top)
    return overlap > 0.5 * min(bottom - top, box.bottom - box.top)


# --- numbers ------------------------------------------------------------------------------

_FULL_WIDTH = str.maketrans("０１２３４５６７８９，．－", "0123456789,.-")
_LOOKALIKES = str.maketrans("OolI|", "00111")
_NUMBER_LIKE = re.compile(r"[-−]?[\dOolI|,.]+")
_POINTS_FOR_COMMAS = re.compile(r"[-−]?\d{1,3}(\.\d{3})+\.\d+")  # "12.542.74": only the last point is decimal


def _numeric(text: str) -> str:
    """A cell that reads as a number once OCR look-alikes are undone, as that number; else as read.

    Only full-width forms, letters among digits (O for 0, l for 1) and points read for
    thousands commas are undone; anything that still does not parse is left alone.
    """
    compact = re.sub(r"\s*([,.])\s*", r"\1", text.translate(_FULL_WIDTH).strip())
    if not _NUMBER_LIKE.fullmatch(compact):
        return text
    digits = sum(ch.isdigit() for ch in compact)
    if digits == 0 or sum(ch in "OolI|" for ch in compact) > digits:
        return text
    candidate = compact.translate(_LOOKALIKES)
    if _POINTS_FOR_COMMAS.fullmatch(candidate):
        whole, _, decimal = candidate.rpartition(".")
        candidate = whole.replace(".", ",") + "." + decimal
    return candidate if parse_number(candidate) is not None else text
