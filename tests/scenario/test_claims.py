"""Claims files: the schema, the quantity language and the checks at the edge (MODEL.md 14)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from sim.scenario.claims import BANDS, SIZES, Claim, Condition, parse_quantity
from sim.scenario.loader import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SEED_A = "000_9494b9ec543078ca.txt"
QUOTE = "this is no mere hypothetical risk"


def claim_text(**fields: str) -> str:
    """One claim's YAML (an Israeli strike given a collapse, band probably not), changed."""
    body = {
        "quantity": '"P(israeli_initiated | collapsed)"',
        "band": "probably not",
        "quote": f'"{QUOTE}"',
    } | fields
    lines = [
        "claims:",
        "  israel_risk:",
        "    evidence:",
        f"      - seed: {SEED_A}",
        f"        quote: {body.pop('quote')}",
        "        reading: a real risk",
    ]
    lines += [f"    {key}: {value}" for key, value in body.items()]
    return "\n".join(lines) + "\n"


def scenario_with(tmp_path: Path, claims: str) -> Path:
    """A scenario extending the baseline that names ``claims`` (written beside it)."""
    (tmp_path / "claims.yaml").write_text(claims, encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text(f"extends: {BASELINE}\nname: s\nclaims: claims.yaml\n", encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return [str(p) for p in info.value.problems]


def test_the_baseline_carries_its_claims() -> None:
    loaded = load_scenario(BASELINE)
    assert loaded.claims is not None and loaded.claims_file is not None
    claims = loaded.claims.claims
    assert len(claims) >= 18
    assert "israel_strikes_if_talks_fail" in claims
    assert (
        str(claims["israel_strikes_if_talks_fail"].quantity) == "P(israeli_initiated | collapsed)"
    )
    inexpressible = {cid for cid, c in claims.items() if not c.expressible}
    made_expressible = {  # issue 13: the patrons, the E3 threat and the IRGC's present fact
        "china_distances_if_talks_fail",
        "snapback_threat_incentive",
        "russia_mediates_if_bogged_down",
        "irgc_recalibrates",
        "china_avoids_tariff_burdens",
    }
    assert not made_expressible & inexpressible
    assert str(claims["russia_mediates_if_bogged_down"].quantity) == (
        "P(mediation:russia | bogged_down)"
    )
    assert str(claims["china_distances_if_talks_fail"].quantity) == "P(distance:china | collapsed)"
    assert all(c.missing for c in claims.values() if not c.expressible)


def test_claims_are_not_inherited_nor_part_of_the_scenario() -> None:
    variant = load_scenario(ROOT / "scenarios" / "us_maximalist.yaml")
    assert variant.claims is None
    assert "claims" not in load_scenario(BASELINE).raw


def test_a_good_claims_file_loads(tmp_path: Path) -> None:
    loaded = load_scenario(scenario_with(tmp_path, claim_text()))
    assert loaded.claims is not None
    assert loaded.claims.claims["israel_risk"].band == "probably not"


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"band": "quite likely"}, "claims.israel_risk.band", "unknown band word"),
        ({"quote": '"this is a mere hypothetical risk"'}, "evidence.0.quote", "not verbatim"),
        ({"quantity": '"P(strike | stalled)"'}, "claims.israel_risk.quantity", "condition"),
        ({"quantity": '"P(peace)"'}, "claims.israel_risk.quantity", "unknown event"),
        ({"quantity": '"P(deal by 2025-13-01)"'}, "claims.israel_risk.quantity", "not a date"),
        ({"quantity": '"P(shock:alien_invasion)"'}, "claims.israel_risk.quantity", "no shock"),
        ({"quantity": '"P(mediation:oman)"'}, "claims.israel_risk.quantity", "no patron 'oman'"),
        ({"quantity": '"P(distance:gulf)"'}, "claims.israel_risk.quantity", "no patron 'gulf'"),
        ({"quantity": '"P(lobbying:israel)"'}, "claims.israel_risk.quantity", "unknown event"),
        ({"quantity": '"Pr(deal)"'}, "claims.israel_risk.quantity", "cannot read"),
        ({"quantity": '"median(terms.relief | strike)"'}, "claims.israel_risk.quantity", "median"),
        ({"quantity": '"median(terms.regional_curbs | deal)"'}, "claims.israel_risk", "no probab"),
        ({"variant": "nowhere.yaml"}, "claims.israel_risk", "not both"),
        ({"band": "null"}, "claims.israel_risk", "give a band, or a variant"),
        ({"size": "hugely"}, "claims.israel_risk.size", "unknown size word"),
        ({"colour": "red"}, "claims.israel_risk.colour", "unknown field"),
    ],
)
def test_a_bad_claim_is_a_problem_naming_file_line_and_field(
    tmp_path: Path, fields: dict[str, str], field: str, words: str
) -> None:
    (problem,) = problems(scenario_with(tmp_path, claim_text(**fields)))
    where, path, message = problem.split(": ", 2)
    assert where.startswith(str(tmp_path / "claims.yaml") + ":")
    assert int(where.rsplit(":", 1)[1]) >= 2
    assert path.endswith(field) or field in path
    assert words in message.replace("not found verbatim", "not verbatim")


def test_a_missing_variant_file_is_a_problem(tmp_path: Path) -> None:
    text = claim_text(band="null", variant="nowhere.yaml", direction="up", size="clearly")
    (problem,) = problems(scenario_with(tmp_path, text))
    assert "claims.israel_risk.variant" in problem and "no scenario file" in problem


def test_a_missing_claims_file_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(f"extends: {BASELINE}\nname: s\nclaims: gone.yaml\n", encoding="utf-8")
    (problem,) = problems(path)
    assert f"{path}:3: claims: no claims file" in problem


def test_an_inexpressible_claim_names_the_missing_mechanism() -> None:
    evidence = [{"seed": SEED_A, "quote": QUOTE, "reading": "r"}]
    with pytest.raises(ValidationError, match="missing mechanism"):
        Claim.model_validate({"evidence": evidence, "expressible": False})
    with pytest.raises(ValidationError, match="not both"):
        Claim.model_validate(
            {
                "evidence": evidence,
                "quantity": "P(deal)",
                "band": "probable",
                "variant": "v.yaml",
                "direction": "up",
                "size": "clearly",
            }
        )
    claim = Claim.model_validate({"evidence": evidence, "expressible": False, "missing": "X"})
    assert not claim.directional


@pytest.mark.parametrize(
    "text",
    [
        "P(deal)",
        "P(deal by 2025-10-18)",
        "P(strike_israel | collapsed)",
        "P(snapback | running_at 2025-10-18)",
        "P(backing by 2025-10-18 | collapsed)",
        "P(strike_us | no_deal and initiator us)",
        "P(shock:bandar_abbas by 2025-05-01 | collapsed and running_at 2025-05-01)",
        "P(mediation:russia | bogged_down)",
        "P(distance:china by 2025-10-18 | collapsed and bogged_down)",
    ],
)
def test_quantities_read_back_as_written(text: str) -> None:
    assert str(parse_quantity(text)) == text


def test_a_quantity_keeps_its_date_and_conditions() -> None:
    q = parse_quantity("P( deal by 2025-10-18 | running_at 2025-06-01 and initiator israel )")
    assert q.event == "deal" and q.by == dt.date(2025, 10, 18)
    assert q.given == (
        Condition(kind="running_at", date=dt.date(2025, 6, 1)),
        Condition(kind="initiator", actor="israel"),
    )


def test_the_scale_is_calibrations_table() -> None:
    assert BANDS["chances about even"] == (0.40, 0.60)
    assert BANDS["probably not"] == (0.20, 0.60)
    assert BANDS["almost certainly not"] == (0.02, 0.25)
    assert all(lo <= hi for lo, hi in BANDS.values())
    assert SIZES["significantly"] == 0.10
    assert SIZES["in sign"] == 0.0


def test_the_baseline_names_patron_events_of_its_own_patrons(tmp_path: Path) -> None:
    text = claim_text(quantity='"P(mediation:russia | bogged_down)"', band='"almost certainly not"')
    loaded = load_scenario(scenario_with(tmp_path, text))
    assert loaded.claims is not None
    q = loaded.claims.claims["israel_risk"].quantity
    assert q is not None and q.event == "mediation:russia"
    assert q.given == (Condition(kind="bogged_down"),)


def test_a_median_of_terms_names_an_issue_of_the_scenario(tmp_path: Path) -> None:
    text = claim_text(
        quantity='"median(terms.peace_dividend | deal by 2025-10-18)"',
        band="null",
        variant="s.yaml",
        direction="down",
        size="clearly",
    )
    (problem,) = problems(scenario_with(tmp_path, text))
    assert "claims.israel_risk.quantity" in problem
    assert "no issue 'peace_dividend'" in problem and "regional_curbs" in problem
