"""Evaluate a scenario's claims (docs/claims.md) on the worlds of its runs.

Pure functions over a run's worlds table (:class:`sim.runs.ensemble.RunResult`'s ``worlds``):
:func:`initiators` (the one place a world's strike initiator is read), :func:`event_steps`,
:func:`condition_mask`, :func:`proportion` and :func:`paired_difference`, and the verdicts
(:func:`band_verdict`, :func:`change_verdict`). :func:`check_claims` runs the scenario and each
variant a directional claim names, with the same worlds and seed (common random numbers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from sim.mechanisms.stats import wilson_interval
from sim.runs.ensemble import run
from sim.scenario.claims import BANDS, SIZES, Claim, Condition, Quantity
from sim.scenario.loader import Loaded, load_scenario
from sim.scenario.schema import Scenario

Verdict = Literal["holds", "fails", "undecided", "inexpressible"]
Z95 = 1.959963984540054
"""The normal quantile of a two-sided 95% interval."""
NO_EVENT = np.iinfo(np.int64).max
"""The step of an event a world never had."""

JOINT_OUTCOME = "strike_joint"
"""The outcome code of an Israeli strike the US joined, where a run records one; older runs
record it as ``strike_us`` with ``joint`` true."""


def initiators(worlds: pd.DataFrame) -> np.ndarray:
    """Who began each world's first strike: ``"israel"``, ``"us"`` or ``""`` (no strike first).

    The one place the worlds table's representation of strikes is read. An Israeli strike is
    ``strike_israel``, ``strike_joint`` (an Israeli strike the US joined), or ``strike_us`` with
    ``joint`` true (how runs without ``strike_joint`` record it; AUDIT.md section 1); any other
    ``strike_us`` is the US's own.
    """
    outcome = worlds["outcome"].astype(str).to_numpy()
    joint = (
        worlds["joint"].to_numpy(dtype=bool) if "joint" in worlds else np.zeros(len(worlds), bool)
    )
    israel = (outcome == "strike_israel") | (outcome == JOINT_OUTCOME)
    israel |= (outcome == "strike_us") & joint
    us = (outcome == "strike_us") & ~joint
    return np.where(israel, "israel", np.where(us, "us", ""))


def event_steps(worlds: pd.DataFrame, event: str) -> np.ndarray:
    """The step at which each world had ``event`` (:data:`NO_EVENT` where it never did).

    A first decisive event is dated at the world's ``step``, a breakdown at its collapse; a
    recorded event (``collapse``, ``walkout``, ``snapback``, ``backing``, ``shock:NAME``,
    ``mediation:PATRON``, ``distance:PATRON``) at its own step (columns ``snapback_step``,
    ``backing_step``, ``shock.NAME``, ``mediation.PATRON``...).
    """
    outcome = worlds["outcome"].astype(str).to_numpy()
    step = worlds["step"].to_numpy(dtype=np.int64)
    collapse = worlds["collapse_step"].to_numpy(dtype=np.int64)
    who = initiators(worlds)
    if event == "strike":
        happened = who != ""
    elif event == "israeli_initiated":
        happened = who == "israel"
    elif event == "strike_israel":  # alone: an Israeli strike nobody joined
        happened = (who == "israel") & (outcome == "strike_israel")
    elif event == "strike_joint":
        happened = (who == "israel") & (outcome != "strike_israel")
    elif event == "strike_us":
        happened = who == "us"
    elif event in ("deal", "no_resolution"):
        happened = outcome == event
    elif event == "breakdown":
        happened, step = outcome == "breakdown", collapse
    elif event == "collapse":
        happened, step = collapse >= 0, collapse
    elif event == "walkout":
        happened = (collapse >= 0) & (worlds["collapse_cause"].astype(str).to_numpy() == "walkout")
        step = collapse
    else:  # snapback, backing, shock:NAME, mediation:PATRON, distance:PATRON
        kind, _, name = event.partition(":")
        column = f"{event}_step" if event in ("snapback", "backing") else f"{kind}.{name}"
        step = worlds[column].to_numpy(dtype=np.int64)
        happened = step >= 0
    return np.where(happened, step, NO_EVENT)


def condition_mask(worlds: pd.DataFrame, condition: Condition, spec: Scenario) -> np.ndarray:
    """The worlds that meet ``condition`` (:class:`sim.scenario.claims.Condition`)."""
    if condition.kind == "collapsed":
        return worlds["collapse_step"].to_numpy() >= 0
    if condition.kind == "no_deal":
        return worlds["outcome"].astype(str).to_numpy() != "deal"
    if condition.kind == "bogged_down":
        return worlds["bog_step"].to_numpy() >= 0
    if condition.kind == "initiator":
        return initiators(worlds) == condition.actor
    assert condition.date is not None  # running_at
    at = spec.date_to_step(condition.date)
    decided = worlds["step"].to_numpy(dtype=np.int64)
    collapse = worlds["collapse_step"].to_numpy(dtype=np.int64)
    return (decided >= at) & ((collapse < 0) | (collapse >= at))


def quantity_masks(
    worlds: pd.DataFrame, quantity: Quantity, spec: Scenario
) -> tuple[np.ndarray, np.ndarray]:
    """``(event, kept)``: which worlds had the event in the span, and which meet every condition."""
    last = NO_EVENT - 1 if quantity.by is None else spec.date_to_step(quantity.by)
    event = event_steps(worlds, quantity.event) <= last
    kept = np.ones(len(worlds), dtype=bool)
    for condition in quantity.given:
        kept &= condition_mask(worlds, condition, spec)
    return event, kept


@dataclass(frozen=True)
class Estimate:
    """A proportion with its 95% interval (Wilson for a level; Newcombe for a change)."""

    value: float
    low: float
    high: float
    count: int
    """Worlds with the event among those kept (for a change: the variant's minus the scenario's)."""
    n: int
    """Worlds kept (meeting the conditions)."""


def proportion(event: np.ndarray, kept: np.ndarray) -> Estimate:
    """The share of kept worlds with the event, with its Wilson 95% interval (Wilson 1927)."""
    n = int(kept.sum())
    count = int((event & kept).sum())
    low, high = wilson_interval(count, n)
    return Estimate(count / n if n else math.nan, low, high, count, n)


def paired_difference(
    base: tuple[np.ndarray, np.ndarray], variant: tuple[np.ndarray, np.ndarray]
) -> Estimate:
    """Variant minus scenario of a proportion, with Newcombe's 95% interval.

    Newcombe (1998), "Improved confidence intervals for the difference between binomial
    proportions based on paired data", method 10: the two Wilson intervals combined with the
    correlation φ of the paired outcomes. When both runs keep every world (an unconditional
    quantity, same worlds and seed) the worlds are paired; otherwise the kept worlds differ
    and φ = 0: Newcombe's method for independent samples (Newcombe 1998, "Interval estimation
    for the difference between independent proportions", method 10).
    """
    (e1, k1), (e2, k2) = base, variant
    p1, p2 = proportion(e1, k1), proportion(e2, k2)
    phi = _phi(e1, e2) if k1.all() and k2.all() and len(e1) == len(e2) else 0.0
    d = p2.value - p1.value
    lower = _spread(p2.value - p2.low, p1.high - p1.value, phi)
    upper = _spread(p2.high - p2.value, p1.value - p1.low, phi)
    return Estimate(d, max(-1.0, d - lower), min(1.0, d + upper), p2.count - p1.count, p1.n)


MEDIAN_RESAMPLES = 2000
"""Bootstrap resamples for the interval of a change in a median deal term."""


def terms_of_deals(worlds: pd.DataFrame, quantity: Quantity, spec: Scenario) -> np.ndarray:
    """The deal terms on ``quantity.terms`` of the worlds with a deal in the span (and kept)."""
    event, kept = quantity_masks(worlds, quantity, spec)
    values: np.ndarray = worlds[f"terms.{quantity.terms}"].to_numpy(dtype=float)
    return values[event & kept]


def median_estimate(values: np.ndarray) -> Estimate:
    """A median deal term (no interval: it is the base a change is measured from)."""
    value = float(np.median(values)) if values.size else math.nan
    return Estimate(value, value, value, int(values.size), int(values.size))


def median_difference(base: np.ndarray, variant: np.ndarray, seed: int = 0) -> Estimate:
    """Variant minus scenario of a median deal term, with its percentile bootstrap 95% interval.

    The deals of the two runs are different worlds, so the two samples are resampled
    independently (Efron and Tibshirani 1993, ch. 13; ``scipy.stats.bootstrap``), from one
    generator seeded with ``seed``. ``count`` and ``n`` are the variant's and the scenario's
    numbers of deals.
    """
    from scipy.stats import bootstrap

    if base.size < 2 or variant.size < 2:
        return Estimate(math.nan, math.nan, math.nan, int(variant.size), int(base.size))
    d = float(np.median(variant) - np.median(base))

    def change(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
        return np.asarray(np.median(y, axis=axis) - np.median(x, axis=axis))

    found = bootstrap(
        (base, variant),
        change,
        n_resamples=MEDIAN_RESAMPLES,
        method="percentile",
        rng=np.random.default_rng(seed),
        vectorized=True,
    )
    low, high = found.confidence_interval
    return Estimate(d, float(low), float(high), int(variant.size), int(base.size))


def _spread(a: float, b: float, phi: float) -> float:
    """Newcombe's combination of two Wilson half-widths: ``sqrt(a² - 2φab + b²)``."""
    return math.sqrt(max(0.0, a * a - 2 * phi * a * b + b * b))


def _phi(x: np.ndarray, y: np.ndarray) -> float:
    """The phi coefficient of two paired binary samples (0 where it is undefined)."""
    a = float((x & y).sum())
    b = float((x & ~y).sum())
    c = float((~x & y).sum())
    d = float((~x & ~y).sum())
    denom = (a + b) * (c + d) * (a + c) * (b + d)
    return (a * d - b * c) / math.sqrt(denom) if denom > 0 else 0.0


def band_verdict(estimate: Estimate, band: tuple[float, float]) -> Verdict:
    """A level claim's verdict: is the estimate's 95% interval inside the band?

    ``holds`` when the interval lies inside the band, ``fails`` when it lies wholly outside,
    ``undecided`` when it straddles an edge. A one-point band (certain, impossible) holds only
    when the estimate is exactly that point.
    """
    lo, hi = band
    if lo == hi:
        return "holds" if estimate.value == lo else "fails"
    if lo <= estimate.low and estimate.high <= hi:
        return "holds"
    if estimate.high < lo or estimate.low > hi:
        return "fails"
    return "undecided"


def change_verdict(change: Estimate, direction: str, size: float) -> Verdict:
    """A directional claim's verdict: is the change at least ``size`` in ``direction``?

    ``holds`` when the whole 95% interval of the change is, ``fails`` when all of it falls
    short, ``undecided`` otherwise.
    """
    sign = 1.0 if direction == "up" else -1.0
    low, high = sorted((sign * change.low, sign * change.high))
    if low >= size:
        return "holds"
    if high < size:
        return "fails"
    return "undecided"


@dataclass(frozen=True)
class ClaimResult:
    """One claim's verdict: the quantity's estimate (or the change's) and the band it needs."""

    id: str
    claim: Claim
    verdict: Verdict
    estimate: Estimate | None = None
    target: str = ""
    """What the claim needs: ``chances about even (0.40-0.60)`` or ``down by >= 0.10``."""
    base: Estimate | None = None
    """For a directional claim, the scenario's own value (``estimate`` is the change)."""


def evaluate(
    cid: str,
    claim: Claim,
    worlds: pd.DataFrame,
    spec: Scenario,
    variant: tuple[pd.DataFrame, Scenario] | None = None,
) -> ClaimResult:
    """One claim's verdict on a run's worlds (and, for a directional claim, its variant's)."""
    if not claim.expressible or claim.quantity is None:
        return ClaimResult(cid, claim, "inexpressible")
    base = quantity_masks(worlds, claim.quantity, spec)
    if claim.band is not None:
        band = BANDS[claim.band]
        estimate = proportion(*base)
        target = f"{claim.band} ({band[0]:.2f}-{band[1]:.2f})"
        return ClaimResult(cid, claim, band_verdict(estimate, band), estimate, target)
    assert variant is not None and claim.direction is not None and claim.size is not None
    size = SIZES[claim.size]
    target = f"{claim.direction} by >= {size:.2f} ({claim.size})"
    if claim.quantity.terms is not None:
        before = terms_of_deals(worlds, claim.quantity, spec)
        after = terms_of_deals(variant[0], claim.quantity, variant[1])
        change = median_difference(before, after)
        verdict = change_verdict(change, claim.direction, size)
        if math.isnan(change.value):
            verdict = "undecided"
        return ClaimResult(cid, claim, verdict, change, target, median_estimate(before))
    other = quantity_masks(variant[0], claim.quantity, variant[1])
    change = paired_difference(base, other)
    verdict = change_verdict(change, claim.direction, size)
    return ClaimResult(cid, claim, verdict, change, target, proportion(*base))


def check_claims(loaded: Loaded, worlds: int, seed: int, *, jobs: int = 1) -> list[ClaimResult]:
    """Run the scenario and every variant its claims name (same worlds and seed); judge each.

    Raises:
        ValueError: if the scenario names no claims file.
    """
    if loaded.claims is None or loaded.claims_file is None:
        raise ValueError(f"{loaded.source} names no claims file (claims: in the scenario)")
    table = run(loaded, worlds=worlds, seed=seed, jobs=jobs).worlds
    runs: dict[Path, tuple[pd.DataFrame, Scenario]] = {}
    out = []
    for cid, claim in loaded.claims.claims.items():
        variant = None
        if claim.expressible and claim.variant is not None:
            path = (loaded.claims_file.parent / claim.variant).resolve()
            if path not in runs:
                other = load_scenario(path)
                runs[path] = (
                    run(other, worlds=worlds, seed=seed, jobs=jobs).worlds,
                    other.scenario,
                )
            variant = runs[path]
        out.append(evaluate(cid, claim, table, loaded.scenario, variant))
    return out


def shorten(text: str, width: int = 60) -> str:
    """``text`` cut to ``width`` characters, ending in "..." when cut."""
    return text if len(text) <= width else text[: width - 3].rstrip() + "..."


def value_text(result: ClaimResult) -> str:
    """The model's value and its 95% interval: ``0.335 [0.326, 0.344]``; a change is signed."""
    e = result.estimate
    if e is None:
        return ""
    if math.isnan(e.value):
        return "no world meets the condition"
    if result.base is None:
        return f"{e.value:.3f} [{e.low:.3f}, {e.high:.3f}]"
    return f"{e.value:+.3f} [{e.low:+.3f}, {e.high:+.3f}] (from {result.base.value:.3f})"


def quantity_text(result: ClaimResult, brief: bool = False) -> str:
    """The claim's quantity as written, with the variant of a directional claim.

    For a claim the model cannot express, the missing mechanism (``brief``: up to its first
    colon).
    """
    claim = result.claim
    if claim.quantity is None:
        missing = claim.missing or ""
        return "missing: " + (missing.split(":")[0] if brief else missing)
    if claim.variant is not None:
        return f"{claim.quantity}: {Path(claim.variant).stem} - scenario"
    return str(claim.quantity)


def as_json(results: list[ClaimResult]) -> dict[str, object]:
    """The verdicts as one JSON-ready object: ``{"claims": [...], "holds": bool}``."""
    rows: list[dict[str, object]] = []
    for r in results:
        e = r.estimate
        rows.append(
            {
                "id": r.id,
                "quote": r.claim.evidence[0].quote,
                "seed": r.claim.evidence[0].seed,
                "quantity": str(r.claim.quantity) if r.claim.quantity else None,
                "variant": r.claim.variant,
                "band": r.claim.band,
                "target": r.target or None,
                "value": None if e is None or math.isnan(e.value) else e.value,
                "ci95": None if e is None else [e.low, e.high],
                "n": None if e is None else e.n,
                "base_value": None if r.base is None else r.base.value,
                "verdict": r.verdict,
                "missing": r.claim.missing,
            }
        )
    return {"claims": rows, "holds": all_hold(results)}


def all_hold(results: list[ClaimResult]) -> bool:
    """Whether every expressible claim holds."""
    return all(r.verdict in ("holds", "inexpressible") for r in results)


def claims_markdown(results: list[ClaimResult]) -> str:
    """The verdicts as a Markdown table (docs/claims.md)."""
    lines = [
        "| claim | quote | quantity | model (95% interval) | band | verdict |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        quote = shorten(r.claim.evidence[0].quote, 90).replace("|", "\\|")
        cells = [f"`{r.id}`", f"“{quote}”", quantity_text(r), value_text(r), r.target, r.verdict]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"
