"""Evaluating claims on a worlds table: known answers, interval properties, verdict edges."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.analysis.claims import (
    NO_EVENT,
    Estimate,
    as_json,
    band_verdict,
    change_verdict,
    evaluate,
    event_steps,
    initiators,
    median_difference,
    paired_difference,
    proportion,
    quantity_masks,
)
from sim.mechanisms.stats import wilson_interval
from sim.scenario.claims import Claim, parse_quantity
from sim.scenario.schema import Scenario

EVIDENCE = [{"seed": "000_9494b9ec543078ca.txt", "quote": "q", "reading": "r"}]


class Spec:
    """The two things of a scenario a quantity reads: its calendar's date-to-step mapping."""

    start = dt.date(2025, 4, 12)

    def date_to_step(self, date: dt.date) -> int:
        return (date - self.start).days // 7


SPEC: Scenario = Spec()  # type: ignore[assignment]


def worlds() -> pd.DataFrame:
    """Ten hand-made worlds: four collapsed, two of those struck by Israel (one the US joined)."""
    rows = [
        # outcome, step, joint, collapse_step, cause, snapback_step, backing_step
        ("deal", 3, False, -1, "", -1, -1),
        ("deal", 30, False, -1, "", 20, -1),
        ("deal", 10, False, -1, "", -1, -1),
        ("strike_israel", 12, False, 8, "mediator", -1, 10),  # backed, not joined
        ("strike_us", 15, True, 9, "rejection", -1, 9),  # an Israeli strike the US joined
        ("strike_us", 20, False, 5, "mediator", 4, 6),
        ("breakdown", 7, False, 7, "walkout", -1, -1),
        ("strike_israel", 2, False, -1, "", -1, -1),  # during talks
        ("no_resolution", 38, False, -1, "", 25, -1),
        ("strike_us", 25, False, -1, "", -1, -1),
    ]
    columns = ["outcome", "step", "joint", "collapse_step", "collapse_cause", "snapback_step"]
    table = pd.DataFrame(rows, columns=[*columns, "backing_step"])
    table["shock.bandar_abbas"] = 2
    table["bog_step"] = [-1, 6, 6, 6, 6, -1, 6, -1, 6, 6]  # the talks bogged down at step 6
    table["mediation.russia"] = [-1, 9, -1, 7, -1, -1, -1, -1, -1, -1]
    table["distance.china"] = [-1, -1, -1, 8, -1, 5, 7, -1, -1, -1]  # at collapses only
    return table


def estimate(text: str, table: pd.DataFrame | None = None) -> Estimate:
    return proportion(
        *quantity_masks(worlds() if table is None else table, parse_quantity(text), SPEC)
    )


def test_israeli_strike_given_collapse_is_exactly_two_in_four() -> None:
    e = estimate("P(israeli_initiated | collapsed)")
    assert (e.count, e.n, e.value) == (2, 4, 0.5)
    assert (e.low, e.high) == wilson_interval(2, 4)


def test_initiators_read_the_joint_column_and_the_joint_code_alike() -> None:
    table = worlds()
    assert list(initiators(table)) == [
        "", "", "", "israel", "israel", "us", "", "israel", "", "us"
    ]  # fmt: skip
    recoded = table.copy()
    recoded["outcome"] = recoded["outcome"].astype(object)
    recoded.loc[4, ["outcome", "joint"]] = ["strike_joint", True]
    assert list(initiators(recoded)) == list(initiators(table))
    assert list(initiators(table.drop(columns="joint"))) == [
        "", "", "", "israel", "us", "us", "", "israel", "", "us"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "count", "n"),
    [
        ("P(deal)", 3, 10),
        ("P(deal by 2025-05-10)", 1, 10),  # 28 days: step 4
        ("P(strike)", 5, 10),
        ("P(strike_us)", 2, 10),
        ("P(strike_us | no_deal)", 2, 7),
        ("P(breakdown by 2025-05-31)", 1, 10),  # dated at the collapse (step 7)
        ("P(collapse)", 4, 10),
        ("P(walkout)", 1, 10),
        ("P(snapback)", 3, 10),
        ("P(snapback | running_at 2025-08-30)", 2, 3),  # worlds 1, 8, 9 (step 20)
        ("P(backing)", 3, 10),  # Washington's green light: worlds 3, 4 and 5
        ("P(backing by 2025-05-24)", 1, 10),  # 42 days: step 6, world 5 only
        ("P(backing | collapsed)", 3, 4),
        ("P(shock:bandar_abbas by 2025-04-19)", 0, 10),
        ("P(deal | initiator israel)", 0, 3),
        ("P(israeli_initiated | collapsed and initiator israel)", 2, 2),
        ("P(strike_israel)", 2, 10),  # alone: worlds 3 and 7
        ("P(strike_joint)", 1, 10),  # world 4, recorded as strike_us with joint
        ("P(strike_israel | collapsed)", 1, 4),
        ("P(mediation:russia | bogged_down)", 2, 7),  # worlds 1 and 3 of the seven bogged down
        ("P(mediation:russia by 2025-05-31 | bogged_down)", 1, 7),  # step 7 only
        ("P(distance:china | collapsed)", 3, 4),
        ("P(distance:china by 2025-05-31 | collapsed)", 2, 4),  # steps 5 and 7
        ("P(collapse | bogged_down)", 3, 7),
    ],
)
def test_known_answers(text: str, count: int, n: int) -> None:
    e = estimate(text)
    assert (e.count, e.n) == (count, n)


def test_running_at_keeps_worlds_still_talking() -> None:
    # step 20 (2025-08-30): undecided before it and not collapsed before it
    _, kept = quantity_masks(worlds(), parse_quantity("P(deal | running_at 2025-08-30)"), SPEC)
    assert list(np.flatnonzero(kept)) == [1, 8, 9]


def test_an_event_never_had_has_no_step() -> None:
    steps = event_steps(worlds(), "walkout")
    assert steps[6] == 7 and (np.delete(steps, 6) == NO_EVENT).all()


def test_no_world_meeting_the_condition_is_undecided() -> None:
    e = estimate("P(deal | initiator us and initiator israel)")
    assert e.n == 0 and math.isnan(e.value) and (e.low, e.high) == (0.0, 1.0)
    assert band_verdict(e, (0.4, 0.6)) == "undecided"


@pytest.mark.parametrize(
    ("low", "high", "verdict"),
    [
        (0.40, 0.60, "holds"),
        (0.45, 0.55, "holds"),
        (0.39, 0.50, "undecided"),
        (0.55, 0.61, "undecided"),
        (0.30, 0.70, "undecided"),
        (0.61, 0.70, "fails"),
        (0.10, 0.39, "fails"),
    ],
)
def test_band_verdict_edges(low: float, high: float, verdict: str) -> None:
    assert band_verdict(Estimate((low + high) / 2, low, high, 0, 100), (0.40, 0.60)) == verdict


def test_a_point_band_holds_only_at_the_point() -> None:
    assert band_verdict(Estimate(0.0, 0.0, 0.02, 0, 100), (0.0, 0.0)) == "holds"
    assert band_verdict(Estimate(0.01, 0.0, 0.05, 1, 100), (0.0, 0.0)) == "fails"


@pytest.mark.parametrize(
    ("low", "high", "direction", "verdict"),
    [
        (-0.20, -0.10, "down", "holds"),
        (-0.20, -0.09, "down", "undecided"),
        (-0.09, 0.05, "down", "fails"),
        (0.10, 0.20, "down", "fails"),
        (0.10, 0.20, "up", "holds"),
        (-0.20, -0.10, "up", "fails"),
    ],
)
def test_change_verdict_edges(low: float, high: float, direction: str, verdict: str) -> None:
    change = Estimate((low + high) / 2, low, high, 0, 100)
    assert change_verdict(change, direction, 0.10) == verdict


def test_newcombe_independent_known_answer() -> None:
    # Newcombe (1998, independent proportions), example (a): 56/70 against 48/80,
    # method 10 gives 0.0524 to 0.3339 for the difference 0.2.
    x = (np.arange(70) < 56, np.ones(70, bool))
    y = (np.arange(80) < 48, np.ones(80, bool))
    d = paired_difference(y, x)
    assert d.value == pytest.approx(0.2)
    assert (round(d.low, 4), round(d.high, 4)) == (0.0524, 0.3339)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=60))
def test_the_paired_interval_holds_the_difference(pairs: list[tuple[bool, bool]]) -> None:
    x = np.array([a for a, _ in pairs])
    y = np.array([b for _, b in pairs])
    kept = np.ones(len(x), bool)
    d = paired_difference((x, kept), (y, kept))
    assert -1.0 <= d.low <= d.value <= d.high <= 1.0
    assert d.value == pytest.approx(y.mean() - x.mean())
    same = paired_difference((x, kept), (x, kept))
    assert same.value == 0 and same.low <= 0 <= same.high


def test_pairing_narrows_the_interval_of_correlated_runs() -> None:
    rng = np.random.default_rng(1)
    x = rng.random(2000) < 0.4
    y = x.copy()
    y[np.flatnonzero(x)[:40]] = False  # the variant loses 40 deals, keeps the rest
    kept = np.ones(2000, bool)
    paired = paired_difference((x, kept), (y, kept))
    half_kept = kept.copy()
    half_kept[-1] = False  # not every world kept: the runs are not paired
    independent = paired_difference((x, kept), (y, half_kept))
    assert paired.value == pytest.approx(-0.02)
    assert paired.high < 0 < independent.high
    assert paired.high - paired.low < independent.high - independent.low


def claim(**fields: object) -> Claim:
    return Claim.model_validate({"evidence": EVIDENCE} | fields)


def test_evaluate_a_level_a_change_and_an_inexpressible_claim() -> None:
    table = worlds()
    level = evaluate(
        "r", claim(quantity="P(israeli_initiated | collapsed)", band="probably not"), table, SPEC
    )
    assert level.verdict == "undecided" and level.estimate is not None
    assert level.estimate.value == 0.5 and level.target == "probably not (0.20-0.60)"
    variant = table.copy()
    variant["outcome"] = "deal"
    up = claim(quantity="P(deal)", variant="v.yaml", direction="up", size="significantly")
    change = evaluate("c", up, table, SPEC, (variant, SPEC))
    assert change.estimate is not None and change.estimate.value == pytest.approx(0.7)
    assert change.base is not None and change.base.value == pytest.approx(0.3)
    assert change.verdict == "holds"
    down = claim(quantity="P(deal)", variant="v.yaml", direction="down", size="clearly")
    assert evaluate("d", down, table, SPEC, (variant, SPEC)).verdict == "fails"
    none = evaluate("n", claim(expressible=False, missing="a mechanism"), table, SPEC)
    assert none.verdict == "inexpressible" and none.estimate is None
    data = as_json([level, change, none])
    assert data["holds"] is False
    assert [row["verdict"] for row in data["claims"]] == ["undecided", "holds", "inexpressible"]  # type: ignore[index]


def test_a_median_of_terms_known_answer_and_verdict() -> None:
    """median(terms.X | deal ...): the deals' median in the span; a change is variant minus
    scenario, with a bootstrap interval (a point where every deal has the same terms)."""
    table = worlds()
    table["terms.regional_curbs"] = np.where(table["outcome"] == "deal", 0.0, np.nan)
    table.loc[table["outcome"] == "deal", "terms.regional_curbs"] = [0.2, 0.9, 0.6]
    quantity = "median(terms.regional_curbs | deal by 2025-06-28)"  # step 11: the deals at 3, 10
    down = claim(quantity=quantity, variant="v.yaml", direction="down", size="clearly")
    result = evaluate("m", down, table, SPEC, (table, SPEC))
    assert result.base is not None and result.base.value == pytest.approx(0.4)  # 0.2 and 0.6
    assert result.estimate is not None and result.estimate.value == 0.0
    same = table.assign(outcome="deal", step=3, **{"terms.regional_curbs": 0.4})
    lower = same.assign(**{"terms.regional_curbs": 0.1})
    result = evaluate("m", down, same, SPEC, (lower, SPEC))
    assert result.estimate is not None and result.estimate.value == pytest.approx(-0.3)
    assert (result.estimate.low, result.estimate.high) == pytest.approx((-0.3, -0.3))
    assert result.verdict == "holds"
    up = claim(quantity=quantity, variant="v.yaml", direction="up", size="clearly")
    assert evaluate("u", up, same, SPEC, (lower, SPEC)).verdict == "fails"


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(0, 1), min_size=2, max_size=40),
    st.lists(st.floats(0, 1), min_size=2, max_size=40),
)
def test_the_bootstrap_interval_of_a_median_change_holds_it(
    base: list[float], variant: list[float]
) -> None:
    change = median_difference(np.array(base), np.array(variant))
    assert change.low <= change.value + 1e-12 and change.value - 1e-12 <= change.high
    assert (change.count, change.n) == (len(variant), len(base))
