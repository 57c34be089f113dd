"""The command table of ``negsim``: every command, its help line, its arguments and its handler.

:func:`sim.cli.main.parser` builds one sub-parser per row, in this order (the order of
``negsim --help``); :func:`sim.cli.main.dispatch` runs the row the command line names. A handler
takes the parsed arguments and the console of standard output and returns the exit status; it
raises :class:`~sim.cli.errors.BadInput` (or lets a domain error propagate) on bad input.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console

from sim.cli import (
    ask,
    claims,
    condition,
    dashboard,
    discover,
    forecast,
    results,
    run,
    scenario,
    score,
    sweeps,
)


@dataclass(frozen=True)
class Command:
    """One ``negsim`` command."""

    name: str
    help: str
    """The line ``negsim --help`` shows."""
    add_arguments: Callable[[argparse.ArgumentParser], None]
    """Adds the command's own arguments (``--debug`` and ``-v`` are every command's)."""
    run: Callable[[argparse.Namespace, Console], int]
    """Runs the command: the parsed arguments and standard output in, the exit status out."""
    description: str | None = None
    """The paragraph ``negsim NAME --help`` shows (default: none)."""


COMMANDS: tuple[Command, ...] = (
    Command("run", "run an ensemble of worlds of a scenario", run.add_run_arguments, run.run_main),
    Command(
        "validate",
        "check a scenario file and list every problem",
        scenario.add_scenario_argument,
        scenario.validate_main,
    ),
    Command(
        "evidence",
        "print the evidence behind every parameter",
        scenario.add_evidence_arguments,
        scenario.evidence_main,
    ),
    Command(
        "explain",
        "tell the story of one world of an ensemble",
        scenario.add_explain_arguments,
        scenario.explain_main,
    ),
    Command(
        "claims",
        "check a scenario against the articles' own likelihoods (its claims)",
        claims.add_claims_arguments,
        claims.claims_main,
    ),
    Command(
        "reproduce",
        "re-run an ensemble from its summary.json alone",
        run.add_reproduce_arguments,
        run.reproduce_main,
    ),
    Command(
        "compare",
        "run several scenarios with the same worlds and seed",
        run.add_compare_arguments,
        run.compare_main,
    ),
    Command(
        "ask",
        "P(an event by a date), given an earlier one, from a finished run's events",
        ask.add_ask_arguments,
        ask.ask_main,
        description=(
            "The probability that EVENT happened by DATE in a finished run (its events.parquet "
            "and summary.json), with its 95% Wilson interval and the count of worlds behind "
            "it. --given G keeps only the worlds where G happened by DATE and counts EVENT "
            "there only at or after G's first occurrence. EVENT and G are event names of the "
            "run's log (deal, strike_israel, collapse, shock:NAME, ...) or strike (any strike) "
            "and israeli_initiated (docs/cli.md). On a run of negsim condition the answer is "
            "weighted, its interval at the effective sample size."
        ),
    ),
    Command(
        "condition",
        "condition an ensemble on observations (keep or weigh its worlds)",
        condition.add_condition_arguments,
        condition.condition_main,
        description=(
            "Run the ensemble and keep (hard facts) or weigh (noisy facts, by their likelihood) "
            "its worlds by the dated facts of OBS (docs/observations.md): print the effective "
            "sample size, the posterior outcome views from the last observation on and the "
            "drawn parameters' prior against posterior; write the run's files with a weight "
            "column and a conditioning section (docs/forecasting.md)."
        ),
    ),
    Command(
        "score",
        "Brier and log scores of a run's answers to resolved questions, against a reference",
        score.add_score_arguments,
        score.score_main,
        description=(
            "Answer each question of QUESTIONS (P(EVENT by DATE [| GIVEN]) with its resolution) "
            "from the run as negsim ask does, and score the answers: Brier and log scores per "
            "question and overall, their skill against the reference forecast (base-rates: "
            "the share of questions resolved true; uniform: 0.5; or another run's answers) "
            "and, with --out, score.json and a reliability diagram (docs/forecasting.md)."
        ),
    ),
    Command(
        "discover",
        "scenario discovery: PRIM's boxes of drawn parameters where an event is concentrated",
        discover.add_discover_arguments,
        discover.discover_main,
    ),
    Command(
        "forecast",
        "forecast issues from an actor table (BDM's expected utility, compromise, benchmarks)",
        forecast.add_forecast_arguments,
        forecast.forecast_main,
        description=(
            "Forecasts of one or many issues from a CSV or Parquet table with the columns "
            "actor, capability, position, salience and optionally issue, status_quo, outcome; "
            "scored against the outcomes when given (see docs/bdm.md)."
        ),
    ),
    Command(
        "sweep",
        "run a parameter sweep (see scenarios/sweeps/)",
        sweeps.add_sweep_arguments,
        sweeps.sweep_main,
    ),
    Command(
        "sensitivity",
        "Sobol' indices or Morris effects of P(deal) and P(strike) over a sweep",
        sweeps.add_sensitivity_arguments,
        sweeps.sensitivity_main,
    ),
    Command(
        "plot",
        "draw the figures of run and sweep output directories (PNG and SVG)",
        results.add_plot_arguments,
        results.plot_main,
        description=(
            "Draw the figures of each results directory: for a run (summary.json and "
            "worlds.parquet) its outcomes, timing and deal terms; for two runs or more also "
            "their comparison (a forest plot); for a sweep (sweep.json and points.parquet) "
            "heatmaps and line plots of the outcome probabilities (grid, rows and Latin "
            "hypercube designs), and the sensitivity indices (Sobol' and Morris designs). "
            "--world K re-runs world K of each run (from its summary.json) and draws it over "
            "time; --episode [K] draws world K's whole episode (phases and events on a "
            "timeline) from each run's events.parquet."
        ),
    ),
    Command(
        "report",
        "run scenarios and write one self-contained HTML report",
        results.add_report_arguments,
        results.report_main,
        description=(
            "Run each scenario with the same worlds and seed, and write one HTML file (figures "
            "embedded, no external files): each scenario's outcome table and figures, their "
            "comparison, one world told, the first scenario's calibration evidence and what "
            "is needed to reproduce it."
        ),
    ),
    Command(
        "dashboard",
        "explore scenarios in the browser: sliders, shocks, runs and one world step by step",
        dashboard.add_dashboard_arguments,
        dashboard.dashboard_main,
    ),
    Command(
        "schema",
        "print the scenario file reference (docs/scenario.md)",
        scenario.add_schema_arguments,
        scenario.schema_main,
    ),
)
"""Every ``negsim`` command, in the order ``negsim --help`` lists them."""
