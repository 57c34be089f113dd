"""Evidence: quotes must be verbatim in the seeds; the baseline's quotes all are."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from sim.scenario import ScenarioError, load_scenario
from sim.scenario.evidence import PACKAGE_SEEDS, evidence_items, normalise
from tests.builders import BASELINE, ROOT


def test_seeds_are_the_shared_articles_byte_for_byte() -> None:
    shared = ROOT.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    for original in shared.glob("*.txt"):
        assert (PACKAGE_SEEDS / original.name).read_bytes() == original.read_bytes()


def test_every_baseline_quote_is_in_its_seed() -> None:
    loaded = load_scenario(BASELINE)  # raises on a quote not found
    items = list(evidence_items(loaded.scenario))
    assert len(items) > 80
    texts = {p.name: normalise(p.read_text(encoding="utf-8")) for p in PACKAGE_SEEDS.glob("*.txt")}
    for _, _, item in items:
        assert normalise(item.quote) in texts[item.seed]


def write_with_quote(tmp_path: Path, quote: str, seed: str = "000_9494b9ec543078ca.txt") -> Path:
    raw = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    del raw["claims"]  # names a file beside the baseline
    raw["actors"]["oman"]["give_up_hazard"]["evidence"][0].update({"quote": quote, "seed": seed})
    shutil.copytree(BASELINE.parent / "shocks", tmp_path / "shocks")
    (tmp_path / "seeds").mkdir()
    for source in PACKAGE_SEEDS.glob("*.txt"):
        (tmp_path / "seeds" / source.name).write_bytes(source.read_bytes())
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_whitespace_is_normalised(tmp_path: Path) -> None:
    quote = "Iran can no longer rely on its portfolio\n   of regional militias"
    seed = (PACKAGE_SEEDS / "000_9494b9ec543078ca.txt").read_text(encoding="utf-8")
    assert quote not in seed  # only the normalised quote is in the article
    loaded = load_scenario(write_with_quote(tmp_path, quote))  # raises if it is not found
    oman = loaded.scenario.actors["oman"]
    assert oman.give_up_hazard.evidence[0].quote == quote  # type: ignore[union-attr]
    # The same words with a word changed are refused: the match is exact but for whitespace.
    with pytest.raises(ScenarioError, match="quote not found"):
        load_scenario(write_with_quote(tmp_path / "changed", quote.replace("rely", "count")))


@pytest.mark.parametrize(
    ("quote", "seed", "message"),
    [
        ("Iran will build a bomb next week.", "000_9494b9ec543078ca.txt", "quote not found"),
        ("Iran can no longer rely", "missing.txt", "no seed file"),
        ("Iran can no longer rely", "../000_9494b9ec543078ca.txt", "no seed file"),
    ],
)
def test_bad_evidence_names_parameter_and_seed(
    tmp_path: Path, quote: str, seed: str, message: str
) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(write_with_quote(tmp_path, quote, seed))
    [problem] = info.value.problems
    assert problem.path.startswith("actors.oman.give_up_hazard.evidence.0")
    assert message in problem.message
    assert problem.line is not None
