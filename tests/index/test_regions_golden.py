"""Hand-written golden cells from the regional corpus: the parser must read each one where it is printed.

Cells the parser does not read yet are listed with the reason in golden/regions/known_gaps.tsv
and run as strict xfails: the day one starts passing, the test fails until the list is updated.
"""

from __future__ import annotations

import csv

import pytest

from tests.index.regions import GOLDEN, GoldenCell, load_cells, mismatch


def _known_gaps() -> dict[str, str]:
    with (GOLDEN / "known_gaps.tsv").open(encoding="utf-8") as handle:
        return {row["cell"]: row["reason"] for row in csv.DictReader(handle, delimiter="\t")}


GAPS = _known_gaps()


def _params(name: str) -> list[object]:
    params: list[object] = []
    for cell in load_cells(name):
        marks = [pytest.mark.xfail(strict=True, reason=GAPS[cell.name])] if cell.name in GAPS else []
        params.append(pytest.param(cell, id=cell.name, marks=marks))
    return params


@pytest.mark.parametrize("cell", _params("cells.jsonl"))
def test_development_cities(cell: GoldenCell) -> None:
    assert mismatch(cell) is None


@pytest.mark.parametrize("cell", _params("blind.jsonl"))
def test_blind_cities(cell: GoldenCell) -> None:
    assert mismatch(cell) is None


def test_every_known_gap_names_a_golden_cell() -> None:
    names = {cell.name for cell in load_cells("cells.jsonl") + load_cells("blind.jsonl")}
    assert set(GAPS) <= names
