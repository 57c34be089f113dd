"""Conditioning an ensemble on observations: keep or weigh each world (docs/forecasting.md).

Hard facts (an event on, by or not by a date; a session held; a fact with ``error: 0``) keep a
world (weight 1) or reject it (weight 0): exact rejection sampling (Rubin 1984; Beaumont et al.
2002 with a tolerance of 0). Noisy facts (``error = σ > 0``) multiply a world's weight by the
likelihood of the report given what the world did or drew: importance sampling with the prior
as the proposal, the weight the likelihood (Smith and Gelfand 1992). A world's weight is the
product over the facts, assumed independent given the world.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from sim.mechanisms.outcomes import OUTCOMES, STATES, TOTALS
from sim.mechanisms.rng import BLOCK_SIZE
from sim.mechanisms.weights import (
    kish_ess,
    systematic_resample,
    weighted_quantiles,
    weighted_share,
)
from sim.runs.ensemble import RunResult, ScenarioLike, as_loaded, run
from sim.runs.events import _Rows, askable, month_ends, occurred
from sim.runs.observing import Watch, offer_column, session_column
from sim.scenario.loader import problem_at
from sim.scenario.observations import (
    EventFact,
    LoadedObservations,
    ObservationsError,
    OfferFact,
    ParameterFact,
    SessionFact,
)
from sim.scenario.params import Fixed
from sim.scenario.schema import Scenario, parameter_paths

SMALL_ESS = 100
"""Below this effective sample size the posterior is too thin to read: warn."""
SMALL_SHARE = 0.01
"""Below this share of the worlds (ESS / worlds) warn too."""
QUANTILES = (0.05, 0.5, 0.95)
"""The quantiles of each parameter reported, prior and posterior."""


def session_steps(spec: Scenario) -> list[int]:
    """The steps with a session (as :meth:`NegotiationModel._session_steps` computes them)."""
    proto, horizon = spec.protocol, spec.horizon
    if proto.session_dates:
        return sorted({s for s in map(spec.date_to_step, proto.session_dates) if 0 <= s < horizon})
    return list(range(0, horizon, proto.session_every))


def check_observations(loaded: LoadedObservations, spec: Scenario) -> None:
    """Check that every fact fits the scenario: its date, event, side, issue or parameter.

    Raises:
        ObservationsError: every problem, naming the observations file, the field and the line.
    """
    problems: list[tuple[str, str]] = []
    start, end = spec.calendar.start, spec.step_to_date(spec.horizon)
    sessions = set(session_steps(spec))
    drawn = {p for p, s in parameter_paths(spec).items() if not isinstance(s, Fixed)}
    for k, fact in enumerate(loaded.observations.facts):
        at = f"facts.{k}"
        if not start <= fact.date <= end:
            problems.append(
                (f"{at}.date", f"{fact.date} is outside the study period, {start} to {end}")
            )
        problems += [(f"{at}.{f}", m) for f, m in _fact_problems(fact, spec, sessions, drawn)]
    if problems:
        file, lines = loaded.file, loaded.lines
        raise ObservationsError([problem_at(file, p, m, lines) for p, m in problems])


def _fact_problems(
    fact: Any, spec: Scenario, sessions: set[int], drawn: set[str]
) -> list[tuple[str, str]]:
    """One fact's problems against the scenario, as ``(field, message)``."""
    out = []
    if isinstance(fact, EventFact) and fact.event not in askable(spec):
        out.append(
            (
                "event",
                f"'{fact.event}' is not an event of this scenario; the events are: "
                + ", ".join(askable(spec)),
            )
        )
    if isinstance(fact, SessionFact | OfferFact) and spec.date_to_step(fact.date) not in sessions:
        out.append(
            (
                "date",
                f"{fact.date} falls in step {spec.date_to_step(fact.date)}, which "
                "has no session (protocol.session_every or protocol.session_dates)",
            )
        )
    if isinstance(fact, OfferFact):
        if fact.side not in spec.side_ids():
            out.append(("side", f"'{fact.side}' is not a side; the sides are {spec.side_ids()}"))
        if fact.issue not in spec.issues:
            out.append(("issue", f"'{fact.issue}' is not an issue: {', '.join(spec.issues)}"))
    if isinstance(fact, ParameterFact) and fact.path not in drawn:
        out.append(
            (
                "path",
                f"'{fact.path}' is not a parameter the scenario draws (a "
                "distribution; a fixed value cannot be learnt)",
            )
        )
    return out


def watch_for(loaded: LoadedObservations, spec: Scenario) -> Watch:
    """What the model must keep for these facts: their sessions and offers (:class:`Watch`)."""
    facts = loaded.observations.facts
    sessions = sorted({spec.date_to_step(f.date) for f in facts if isinstance(f, SessionFact)})
    issues = list(spec.issues)
    offers = sorted(
        {
            (spec.date_to_step(f.date), f.side, issues.index(f.issue))
            for f in facts
            if isinstance(f, OfferFact)
        }
    )
    return Watch(tuple(sessions), tuple(offers))


def range_likelihood(x: np.ndarray, low: float, high: float, error: float) -> np.ndarray:
    """Likelihood that a report of ``x`` with Gaussian error ``error`` fell in ``[low, high]``.

    ``Φ((high − x)/σ) − Φ((low − x)/σ)``; with ``σ = 0`` the indicator of ``low <= x <= high``;
    for one value (``low == high``, ``σ > 0``) the density ``φ((low − x)/σ)/σ``. NaN is 0.
    """
    x = np.asarray(x, dtype=float)
    if error == 0:
        out = ((x >= low) & (x <= high)).astype(float)
    elif low == high:
        out = norm.pdf(low, loc=x, scale=error)
    else:
        out = norm.cdf((high - x) / error) - norm.cdf((low - x) / error)
    return np.where(np.isnan(x), 0.0, out)


def fact_likelihood(fact: Any, spec: Scenario, worlds: pd.DataFrame, rows: _Rows) -> np.ndarray:
    """Each world's likelihood of one fact (0 or 1 for a hard fact), world by world."""
    n, step = len(worlds), spec.date_to_step(fact.date)
    if isinstance(fact, EventFact):
        return _event_hits(fact, step, n, rows).astype(float)
    if isinstance(fact, SessionFact):
        return worlds[session_column(step)].to_numpy().astype(float)
    if isinstance(fact, OfferFact):
        column = offer_column(step, fact.side, list(spec.issues).index(fact.issue))
        return range_likelihood(worlds[column].to_numpy(), fact.low, fact.high, fact.error)
    values = worlds[f"param.{fact.path}"].to_numpy()
    return range_likelihood(values, fact.low, fact.high, fact.error)


def _event_hits(fact: EventFact, step: int, n: int, rows: _Rows) -> np.ndarray:
    """Whether each world meets an event fact: the event on, by, or not by the step."""
    hit = np.zeros(n, dtype=bool)
    if fact.happened == "on":
        mask = rows.of(fact.event) & (rows.step == step)
        hit[rows.world[mask]] = True
        return hit
    world, first = rows.first(fact.event)
    hit[world[first <= step]] = True
    return hit if fact.happened == "by" else ~hit


@dataclass(frozen=True)
class Weighed:
    """The worlds' weights and, per fact, the share of worlds it keeps and its mean likelihood."""

    weights: np.ndarray
    facts: list[dict[str, Any]]


def weigh(
    loaded: LoadedObservations, spec: Scenario, worlds: pd.DataFrame, events: pd.DataFrame
) -> Weighed:
    """Each world's weight: the product of its likelihoods of every fact (1 with no facts)."""
    rows = _Rows(events)
    weights = np.ones(len(worlds))
    report = []
    for k, fact in enumerate(loaded.observations.facts):
        like = fact_likelihood(fact, spec, worlds, rows)
        weights *= like
        report.append(
            {
                "fact": k,
                "kind": fact.kind,
                "date": fact.date.isoformat(),
                "what": describe(fact),
                "kept": float(np.mean(like > 0)),
                "mean_likelihood": float(np.mean(like)),
            }
        )
    return Weighed(weights, report)


def describe(fact: Any) -> str:
    """One line saying what a fact observed."""
    if isinstance(fact, EventFact):
        return f"{fact.event} {fact.happened.replace('_', ' ')} {fact.date}"
    if isinstance(fact, SessionFact):
        return f"session held {fact.date}"
    if isinstance(fact, OfferFact):
        return f"{fact.side}'s offer on {fact.issue} in [{fact.low}, {fact.high}] ± {fact.error}"
    return f"{fact.path} in [{fact.low}, {fact.high}] ± {fact.error}"


def share(hit: np.ndarray, weights: np.ndarray) -> dict[str, Any]:
    """A weighted share as the run's estimates are written: ``p``, ``ci95`` (at the ESS), count.

    ``count`` is the number of worlds with a weight above 0 among the ``hit`` ones.
    """
    p, (lo, hi) = weighted_share(hit, weights)
    return {"p": p, "ci95": [lo, hi], "count": int(np.count_nonzero(hit & (weights > 0)))}


def timed(
    hit: np.ndarray, worlds: pd.DataFrame, spec: Scenario, weights: np.ndarray
) -> dict[str, Any]:
    """:func:`share` with the weighted median step and date of the ``hit`` worlds' outcome."""
    out = share(hit, weights)
    steps = worlds["step"].to_numpy(dtype=float)
    median = weighted_quantiles(steps[hit], weights[hit], np.array([0.5]))[0]
    ok = bool(np.isfinite(median))
    out["median_step"] = float(median) if ok else None
    days = dt.timedelta(days=round(median * spec.calendar.step_days)) if ok else None
    out["median_date"] = (spec.calendar.start + days).isoformat() if days is not None else None
    return out


def posterior_views(
    worlds: pd.DataFrame, events: pd.DataFrame, spec: Scenario, weights: np.ndarray, since: dt.date
) -> dict[str, Any]:
    """The weighted outcome views from ``since`` (the last observation) on.

    The first decisive event, its totals, the state at the horizon, and P(event by date) at
    each month's end from ``since`` on. Shaped as the run summary's ``outcomes``, ``totals``,
    ``states`` and ``events_by_date``.
    """
    outcome, state = worlds["outcome"].to_numpy(), worlds["state"].to_numpy()
    dates = [d for d in month_ends(spec) if d >= since] or [spec.step_to_date(spec.horizon)]
    steps = [spec.date_to_step(d) for d in dates]
    rows, n = _Rows(events), len(worlds)
    by_event: dict[str, Any] = {}
    for name in askable(spec):
        world, first_step = rows.first(name)
        first = np.full(n, np.iinfo(np.int64).max)
        first[world] = first_step
        cells = [share(first <= s, weights) for s in steps]
        by_event[name] = {key: [c[key] for c in cells] for key in ("p", "ci95", "count")}
    return {
        "outcomes": {k: timed(outcome == k, worlds, spec, weights) for k in OUTCOMES},
        "totals": {
            k: timed(np.isin(outcome, m), worlds, spec, weights) for k, (_, m) in TOTALS.items()
        },
        "states": {k: share(state == k, weights) for k in STATES},
        "events_by_date": {
            "start": spec.calendar.start.isoformat(),
            "dates": [d.isoformat() for d in dates],
            "steps": steps,
            "events": by_event,
        },
    }


def parameter_shifts(worlds: pd.DataFrame, weights: np.ndarray) -> list[dict[str, Any]]:
    """Every drawn parameter, prior against posterior, ranked by the size of its shift.

    Prior: the plain mean, standard deviation and :data:`QUANTILES` of the drawn values (the
    inverse of their distribution function, numpy's ``inverted_cdf``); posterior: the same under
    the weights (:func:`~sim.mechanisms.weights.weighted_quantiles`, which gives numpy's with
    equal weights). The standardised shift is ``(posterior mean − prior
    mean) / prior standard deviation``; the list is sorted by its absolute value, largest first.
    """
    out = []
    for column in (c for c in worlds.columns if c.startswith("param.")):
        x = worlds[column].to_numpy(dtype=float)
        prior_mean, prior_sd = float(np.mean(x)), float(np.std(x))
        post_mean = float(np.average(x, weights=weights)) if weights.sum() > 0 else float("nan")
        shift = (post_mean - prior_mean) / prior_sd if prior_sd > 0 else 0.0
        out.append(
            {
                "parameter": column.removeprefix("param."),
                "prior_mean": prior_mean,
                "posterior_mean": post_mean,
                "prior_sd": prior_sd,
                "shift": shift,
                "prior_quantiles": np.quantile(x, QUANTILES, method="inverted_cdf").tolist(),
                "posterior_quantiles": weighted_quantiles(x, weights, np.array(QUANTILES)).tolist(),
            }
        )
    return sorted(out, key=lambda r: -abs(r["shift"]) if np.isfinite(r["shift"]) else 0.0)


def ess_warning(ess: float, worlds: int) -> str | None:
    """A warning with advice when the effective sample size is small, or None.

    Small: under :data:`SMALL_ESS` worlds or under :data:`SMALL_SHARE` of them.
    """
    if ess >= SMALL_ESS and ess >= SMALL_SHARE * worlds:
        return None
    if ess == 0:
        return (
            "no world is consistent with the observations (ESS 0): check the facts against the "
            "scenario (dates, events), loosen an error, or run more worlds"
        )
    return (
        f"the effective sample size is small ({ess:,.1f} of {worlds:,} worlds): the posterior "
        "rests on few worlds and its intervals are wide. Run more worlds (--worlds), or loosen "
        "an error of a noisy fact, or drop a fact the scenario makes rare"
    )


def condition(
    scenario: ScenarioLike,
    loaded: LoadedObservations,
    worlds: int = 1000,
    seed: int | None = None,
    *,
    jobs: int = 1,
    overrides: Mapping[str, Any] | None = None,
    on_block: Callable[[int, int], None] | None = None,
    block_size: int = BLOCK_SIZE,
) -> RunResult:
    """Run an ensemble and condition it on observations (``negsim condition``).

    Checks the facts against the scenario first (:func:`check_observations`), runs the ensemble
    (:func:`sim.runs.ensemble.run`, keeping what the facts need: :func:`watch_for`), weighs the
    worlds (:func:`weigh`) and adds to the run: a ``weight`` column in the worlds table (0 for a
    rejected world; the watched columns are dropped) and a ``conditioning`` section in the
    summary (the facts, the ESS and its warning, the posterior views from the last observation on,
    and the parameters' shifts). The prior views stay where a run has them.

    Raises:
        ObservationsError: a fact does not fit the scenario.
    """
    spec = as_loaded(scenario, overrides)
    check_observations(loaded, spec.scenario)
    watch = watch_for(loaded, spec.scenario)
    result = run(
        spec, worlds, seed, jobs=jobs, on_block=on_block, block_size=block_size, watch=watch
    )
    weighed = weigh(loaded, spec.scenario, result.worlds, result.events)
    table = result.worlds.drop(
        columns=[c for c in result.worlds.columns if str(c).startswith("obs.")]
    )
    table["weight"] = weighed.weights
    ess = kish_ess(weighed.weights)
    since = loaded.observations.last_date()
    result.summary["conditioning"] = {
        "observations_file": loaded.file,
        "observations": loaded.raw,
        "facts": weighed.facts,
        "kept": int(np.count_nonzero(weighed.weights > 0)),
        "ess": ess,
        "warning": ess_warning(ess, worlds),
        "since": since.isoformat(),
        "posterior": posterior_views(table, result.events, spec.scenario, weighed.weights, since),
        "parameters": parameter_shifts(table, weighed.weights),
    }
    return RunResult(result.summary, table, result.events)


def posterior_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """A conditioned run's summary with its posterior views in place of the prior ones.

    What a plot or a table of the run's outcomes should show; a plain run's summary unchanged.
    """
    cond = summary.get("conditioning")
    if not cond:
        return summary
    label = summary.get("label") or summary["scenario"]
    return {**summary, **cond["posterior"], "label": f"{label} | {cond['observations_file']}"}


def weighted_ask(
    events: pd.DataFrame,
    spec: Scenario,
    weights: np.ndarray,
    event: str,
    by: dt.date,
    given: str | None = None,
) -> dict[str, Any]:
    """:func:`sim.runs.events.ask` over weighted worlds: the weighted share and its interval.

    Among the worlds (weighted; given ``given`` by ``by``, counting ``event`` at or after its
    first occurrence), the weighted share where ``event`` happened by ``by``; its 95% interval is
    Wilson's at the Kish ESS of those worlds (:func:`sim.mechanisms.weights.weighted_share`).
    """
    last, n = spec.date_to_step(by), len(weights)
    asked, hits = occurred(events, last, event, given)  # the worlds, counted as ``ask`` counts
    among = np.ones(n, dtype=bool)
    if asked is not None:
        among[:] = False
        among[asked] = True
    hit = np.zeros(n, dtype=bool)
    hit[hits] = True
    w = np.where(among, weights, 0.0)
    p, (lo, hi) = weighted_share(hit & among, w)
    return {
        "event": event,
        "by": by.isoformat(),
        "step": last,
        "given": given,
        "p": p,
        "ci95": [lo, hi],
        "count": int(np.count_nonzero(hit & among & (w > 0))),
        "n": int(np.count_nonzero(w > 0)),
        "ess": kish_ess(w),
        "weighted": True,
    }


def weighted_view(
    summary: dict[str, Any], worlds: pd.DataFrame
) -> tuple[dict[str, Any], pd.DataFrame]:
    """What a conditioned run's figures draw: its posterior summary and its worlds resampled.

    A run from ``negsim condition`` has a ``weight`` per world: the summary's outcome views are
    replaced by the posterior ones (:func:`sim.runs.conditioning.posterior_summary`), and the
    worlds by as many as it kept, drawn in proportion to their weights (systematic resampling,
    :func:`sim.mechanisms.weights.systematic_resample`), so the figures drawn from worlds
    (timing, terms) show the posterior. A plain run is returned as it is.
    """
    if "weight" not in worlds:
        return summary, worlds
    weights = worlds["weight"].to_numpy()
    chosen = systematic_resample(weights, int((weights > 0).sum()))
    return posterior_summary(summary), worlds.iloc[chosen].reset_index(drop=True)
