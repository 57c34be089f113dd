"""The README's outcome tables are what a fresh run of the scenarios prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.generated import assert_up_to_date

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_readme_tables_match_a_fresh_run() -> None:
    assert_up_to_date(ROOT / "scripts" / "readme_tables.py")


def test_every_scenario_file_is_in_the_readme_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- tables:variants -->")[1].split("<!-- /tables:variants -->")[0]
    names = {line.split("|")[1].strip() for line in block.strip().splitlines()[2:]}
    assert names == {p.stem for p in (ROOT / "scenarios").glob("*.yaml")}
