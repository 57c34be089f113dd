"""The tables of docs/bdm.md are what scripts/bdm_tables.py computes from the code."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from sim.mechanisms.bdm import DEFAULT, PRINTED
from sim.mechanisms.outcomes import OUTCOMES
from tests.docs.generated import assert_up_to_date

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "bdm_tables.py"


def script() -> ModuleType:
    # The script imports its sibling scripts/_generated.py, as it does when run from scripts/.
    if str(SCRIPT.parent) not in sys.path:
        sys.path.insert(0, str(SCRIPT.parent))
    spec = importlib.util.spec_from_file_location("bdm_tables", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_marked_block_is_in_the_doc() -> None:
    doc = (ROOT / "docs" / "bdm.md").read_text(encoding="utf-8")
    for name in script().MARKERS:
        assert doc.count(f"<!-- tables:{name} -->") == 1 == doc.count(f"<!-- /tables:{name} -->")


def test_the_deterministic_tables_match_the_code() -> None:
    # Everything but the ensemble: the EC example, its sensitivity and the baseline's factions.
    module = script()
    doc = module.DOC.read_text(encoding="utf-8")
    for name, table in module.tables(ensemble=False).items():
        assert module.block(doc, name) == table, f"run: python scripts/bdm_tables.py ({name})"


def test_sensitivity_rows_are_the_readings_they_name() -> None:
    module = script()
    readings = dict(module.sensitivity_readings())
    assert readings["printed"].name == "printed" and readings["scholz_code"].name == "scholz_code"
    pooled = readings["printed, pooled denominator"]
    assert pooled.pooled_denominator and not pooled.risk_in_votes
    assert pooled.offer_choice == "least_move" and pooled.capitulation


def test_ec_example_against_the_papers_table_2() -> None:
    # Scholz et al. (2011), Table 2: the median and mean after rounds 1-8 of the EC example, one
    # decimal, as transcribed from the ICAART 2011 version (pp. 27-28) in github.com/hamzagul07/
    # schelling, docs/papers/scholz_extract.md (docs/examples/scholz_2011_table2.csv; docs/bdm.md
    # section 4).
    module = script()
    rows = module.table2()
    assert [k for k, _, _ in rows] == list(range(1, 9))
    states = module.ec_states(DEFAULT, None)
    median_gap = {k: float(states[k].median) - m for k, m, _ in rows}
    mean_gap = {k: float(states[k].weighted_mean) - w for k, _, w in rows}
    # The cycle of the table (8.4, ~9.9, down to 7.4, 8.8, 9.6) to within 0.075 of its one
    # printed decimal in every round but round 2, where the table has 9.9 and the code 9.611.
    assert all(abs(gap) <= 0.075 for k, gap in median_gap.items() if k != 2), median_gap
    assert median_gap[2] == pytest.approx(-0.289, abs=0.001)
    assert all(abs(gap) <= 0.065 for gap in mean_gap.values()), mean_gap
    # The printed reading keeps the median at 7 throughout: 0.4 (round 6) to 2.9 below the table.
    printed = module.ec_states(PRINTED, None)
    assert all(s.median == 7 for s in printed)
    assert min(abs(7 - m) for _, m, _ in rows) == pytest.approx(0.4)


def test_paired_interval() -> None:
    module = script()
    mean, lo, hi = module.paired_interval(np.array([1.0, 0.0, 1.0, 0.0]))
    assert mean == 0.5 and lo < 0.5 < hi and hi - 0.5 == pytest.approx(0.5 - lo)


@pytest.mark.slow
def test_bdm_tables_match_a_fresh_run() -> None:
    assert_up_to_date(SCRIPT)


def test_findings_follow_the_signs_of_the_intervals() -> None:
    module = script()
    zero = (0.0, -0.01, 0.01)
    outcomes = OUTCOMES

    def contrast(**deal: tuple[float, float, float]) -> dict[str, dict[str, tuple]]:
        return {
            key: {k: deal.get(key, zero) if k == "deal" else zero for k in outcomes}
            for key in module.CONTRASTS
        }

    shares = [{k: (0.2, 0.1, 0.3) for k in outcomes}] * 4
    down, up = (-0.05, -0.06, -0.04), (0.05, 0.04, 0.06)
    text = module.ensemble_findings(shares, contrast(iran=down, us=down, both=down, iran_vs_us=up))
    assert "Iran only, fewer deals" in text and "The US's switch alone leaves fewer" in text
    assert "consistent with adding up" in text and "Shares higher" not in text
    text = module.ensemble_findings(shares, contrast(iran=up, interaction=down))
    assert "Iran only, more deals" in text and "US only, no change distinguishable" in text
    assert "cannot be told apart" in text and "more deals lost than" in text
