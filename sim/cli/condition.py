"""``negsim condition SCENARIO OBS.yaml``: an ensemble conditioned on observations.

Runs the ensemble, keeps or weighs its worlds by the observed facts
(:func:`sim.runs.conditioning.condition`), prints the effective sample size (with a warning and
advice when it is small), the posterior outcome views from the last observation on and the
parameters that moved most, and writes the run's files with a ``weight`` column and a
``conditioning`` section (docs/forecasting.md, "Observations and conditioning").
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from sim.cli.errors import markup_free, nonempty_path
from sim.cli.run import add_set_argument, check_counts, parse_sets, print_wide

SHOWN_PARAMETERS = 15
"""Parameters printed in the table of shifts (the most shifted first; all are in summary.json)."""


def add_condition_arguments(p: argparse.ArgumentParser) -> None:
    """``negsim condition SCENARIO OBS [--worlds N] [--seed S] [--out DIR] [--jobs J]``."""
    p.add_argument("scenario", type=Path, help="scenario YAML file")
    p.add_argument("observations", type=Path, metavar="OBS", help="observations YAML file")
    p.add_argument("--worlds", type=int, default=1000, help="number of worlds (default 1000)")
    p.add_argument("--seed", type=int, default=None, help="root seed (default: drawn, printed)")
    p.add_argument(
        "--out",
        type=nonempty_path,
        default=None,
        help="output directory (default runs/NAME_conditioned)",
    )
    p.add_argument("--jobs", type=int, default=1, help="processes (default 1)")
    add_set_argument(p, "override a parameter by dotted path")


def condition_main(args: argparse.Namespace, console: Console) -> int:
    """Run ``negsim condition``: check both files, run, weigh, print, write (summary last)."""
    check_counts(args.worlds, args.jobs, args.seed)
    from sim.analysis.plots import figure_bytes, run_figures
    from sim.analysis.plots.conditioning import plot_parameter_shifts
    from sim.cli.run import _block_progress, _check_out, outcome_table, state_table
    from sim.runs.conditioning import check_observations, condition, posterior_summary
    from sim.runs.output import write_run
    from sim.scenario.loader import load_scenario
    from sim.scenario.observations import load_observations
    from sim.scenario.overrides import COMMAND_LINE

    err = Console(stderr=True)
    loaded = load_scenario(args.scenario, parse_sets(args.set), origin=COMMAND_LINE)
    observed = load_observations(args.observations)
    check_observations(observed, loaded.scenario)  # before the run: bad facts cost no time
    out = args.out or Path("runs") / f"{loaded.scenario.name}_conditioned"
    _check_out(out)
    with _block_progress(err, f"running {args.worlds:,} worlds") as on_block:
        result = condition(
            loaded, observed, args.worlds, args.seed, jobs=args.jobs, on_block=on_block
        )
    if args.seed is None:
        err.print(f"seed drawn: {result.summary['seed']} (recorded in summary.json)")
    cond = result.summary["conditioning"]
    _print_ess(console, cond, args.worlds)
    posterior = posterior_summary(result.summary)
    print_wide(console, outcome_table(posterior))
    print_wide(console, state_table(posterior))
    print_wide(console, shift_table(cond["parameters"]))
    figures = run_figures(posterior)
    if cond["parameters"]:
        fig = plot_parameter_shifts(
            cond["parameters"], f"Prior and posterior: {posterior['label']}"
        )
        figures["parameters.png"] = figure_bytes(fig)
    paths = write_run(result, out, figures)
    console.print("wrote " + ", ".join(markup_free(p) for p in paths), highlight=False)
    return 0


def _print_ess(console: Console, cond: dict[str, Any], worlds: int) -> None:
    """The kept worlds, the effective sample size and, when it is small, the warning."""
    console.print(
        f"conditioned on {len(cond['facts'])} fact(s) of {markup_free(cond['observations_file'])}"
        f": {cond['kept']:,} of {worlds:,} worlds kept, effective sample size "
        f"(Kish, (Σw)²/Σw²) {cond['ess']:,.1f}; the views below are from {cond['since']} on",
        highlight=False,
        soft_wrap=True,
    )
    if cond["warning"]:
        console.print(f"[bold yellow]warning:[/] {markup_free(cond['warning'])}", soft_wrap=True)


def shift_table(parameters: list[dict[str, Any]], most: int = SHOWN_PARAMETERS) -> Table:
    """The parameters that moved most: prior and posterior mean and 5–95%, standardised shift."""
    table = Table(title=Text(f"Drawn parameters, prior → posterior (the {most} most shifted)"))
    table.add_column("parameter", justify="left", no_wrap=True)
    for col in ("prior mean", "posterior mean", "shift (sd)", "prior 5–95%", "posterior 5–95%"):
        table.add_column(col, justify="right", no_wrap=True)
    for r in parameters[:most]:
        pq, qq = r["prior_quantiles"], r["posterior_quantiles"]
        table.add_row(
            r["parameter"],
            f"{r['prior_mean']:.4g}",
            f"{r['posterior_mean']:.4g}",
            f"{r['shift']:+.2f}",
            f"[{pq[0]:.3g}, {pq[2]:.3g}]",
            f"[{qq[0]:.3g}, {qq[2]:.3g}]",
        )
    return table
