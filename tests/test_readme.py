"""The README's configuration table cannot drift from the settings object."""

from __future__ import annotations

import re
from pathlib import Path

from index.settings import ENV_PREFIX, Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_setting_is_documented():
    text = README.read_text(encoding="utf-8")
    rows = re.findall(r"^\| (`BUDGET_QA_[^|]+)\|", text, re.MULTILINE)
    documented = {name for row in rows for name in re.findall(r"`(BUDGET_QA_\w+)`", row)}
    assert {ENV_PREFIX + name.upper() for name in Settings.model_fields} == documented
