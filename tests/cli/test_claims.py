"""``negsim claims`` end to end: the verdict table, ``--json``, exit 0/1, bad input exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SEED_A = "000_9494b9ec543078ca.txt"

CLAIMS = f"""\
claims:
  no_deal_without_deal:
    evidence:
      - seed: {SEED_A}
        quote: "this is no mere hypothetical risk"
        reading: a worlds table's own arithmetic, to test the command
    quantity: "P(deal | no_deal)"
    band: {{band}}
  maximalist:
    evidence:
      - seed: {SEED_A}
        quote: "the likelihood of a deal will go down significantly"
        reading: the maximalist variant has fewer deals by 18 October
    quantity: "P(deal by 2025-10-18)"
    variant: {ROOT / "scenarios" / "us_maximalist.yaml"}
    direction: down
    size: clearly
  china:
    evidence:
      - seed: {SEED_A}
        quote: "Beijing might distance itself politically and diplomatically from Iran"
        reading: China's support falls if talks fail
    expressible: false
    missing: China's support does not react to a collapse
"""


def scenario(tmp_path: Path, band: str) -> Path:
    """A scenario extending the baseline, whose claims hold (band impossible) or not."""
    (tmp_path / "claims.yaml").write_text(CLAIMS.replace("{band}", band), encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text(f"extends: {BASELINE}\nname: s\nclaims: claims.yaml\n", encoding="utf-8")
    return path


def test_all_claims_hold_exit_0_and_the_table_shows_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["claims", str(scenario(tmp_path, "impossible")), "--worlds", "400", "--seed", "5"])
    out = capsys.readouterr().out
    assert code == 0, out
    for word in ("no_deal_without_deal", "maximalist", "china", "holds", "inexpressible"):
        assert word in out


def test_a_failing_claim_exits_1_and_json_has_every_claim(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["claims", str(scenario(tmp_path, "certain")), "--worlds", "400", "--seed", "5"]
    code = main([*args, "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert data["holds"] is False and (data["worlds"], data["seed"]) == (400, 5)
    rows = {row["id"]: row for row in data["claims"]}
    assert set(rows) == {"no_deal_without_deal", "maximalist", "china"}
    assert rows["no_deal_without_deal"]["verdict"] == "fails"
    assert rows["no_deal_without_deal"]["value"] == 0.0
    assert rows["maximalist"]["verdict"] == "holds" and rows["maximalist"]["value"] < -0.02
    low, high = rows["maximalist"]["ci95"]
    assert low <= rows["maximalist"]["value"] <= high
    assert rows["china"]["verdict"] == "inexpressible" and rows["china"]["value"] is None
    keys = {"id", "quote", "seed", "quantity", "variant", "band", "target", "value", "ci95"}
    assert keys <= set(rows["china"])


def test_same_seed_same_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["claims", str(scenario(tmp_path, "impossible")), "--worlds", "50", "--json"]
    main(args)
    first = capsys.readouterr().out
    main(args)
    assert capsys.readouterr().out == first


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("band: impossible", "band: quite unlikely", "claims.no_deal_without_deal.band"),
        ("no mere hypothetical", "no hypothetical", "claims.no_deal_without_deal.evidence.0.quote"),
        ("P(deal | no_deal)", "P(deal | stalled)", "claims.no_deal_without_deal.quantity"),
    ],
)
def test_a_bad_claims_file_exits_2_naming_file_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, field: str
) -> None:
    path = scenario(tmp_path, "impossible")
    claims = tmp_path / "claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    code = main(["claims", str(path), "--worlds", "10"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{claims}:" in err and field in err
    assert "Traceback" not in err


def test_a_scenario_without_claims_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["claims", str(ROOT / "scenarios" / "trade_war.yaml"), "--worlds", "10"])
    assert code == 2
    assert "names no claims file" in capsys.readouterr().err


def test_the_baseline_reports_every_claim(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["claims", str(BASELINE), "--worlds", "200", "--seed", "1", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == (0 if data["holds"] else 1)
    verdicts = {row["verdict"] for row in data["claims"]}
    assert verdicts <= {"holds", "fails", "undecided", "inexpressible"}
    assert len(data["claims"]) >= 18
