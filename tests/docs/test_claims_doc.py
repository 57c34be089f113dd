"""docs/claims.md: its verdict table is what a fresh run prints, and it covers every claim."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario.claims import BANDS, EVENTS, SIZES
from sim.scenario.loader import load_scenario
from tests.docs.generated import assert_up_to_date

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "claims.md"


@pytest.mark.slow
def test_the_verdict_table_matches_a_fresh_run() -> None:
    assert_up_to_date(ROOT / "scripts" / "claims_table.py")


def test_the_doc_lists_every_claim_word_event_and_size() -> None:
    text = DOC.read_text(encoding="utf-8")
    claims = load_scenario(ROOT / "scenarios" / "baseline.yaml").claims
    assert claims is not None
    for cid in claims.claims:
        assert f"`{cid}`" in text
    for word in [*BANDS, *EVENTS, *SIZES]:
        assert f"`{word}`" in text
