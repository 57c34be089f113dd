"""Regenerate the tables of docs/bdm.md: the EC example, its sensitivity, the baseline's factions.

Usage:
    python scripts/bdm_tables.py           # rewrite the tables in docs/bdm.md
    python scripts/bdm_tables.py --check   # exit 1 if docs/bdm.md differs from a fresh run

Replaces the text between the ``<!-- tables:NAME -->`` and ``<!-- /tables:NAME -->`` markers of
docs/bdm.md (as scripts/readme_tables.py does for README.md):

* ``ec_scholz_code``, ``ec_printed``: the EC emission-standards example (BDM 1994, p. 78;
  ``docs/examples/ec_emission_standards.csv``) round by round under the two readings of
  :mod:`sim.mechanisms.bdm`;
* ``ec_paper``: the example under both readings against Scholz et al.'s Table 2, as transcribed
  in ``docs/examples/scholz_2011_table2.csv``;
* ``ec_sensitivity``: the example's medians with each switch of a reading flipped;
* ``baseline_factions``, ``baseline_forecasts``: each principal's factions in
  ``scenarios/baseline.yaml`` (central values) and both rules' forecasts on each issue;
* ``ensemble``: the baseline's outcome shares with each principal's ``stance_rule`` set to
  ``compromise`` or ``bdm_eum``, 10,000 worlds per variant with one root seed (95% Wilson
  intervals) and paired contrasts between the variants (95% intervals).
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from _generated import check_or_write

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "bdm.md"
EXAMPLE = ROOT / "docs" / "examples" / "ec_emission_standards.csv"
TABLE2 = ROOT / "docs" / "examples" / "scholz_2011_table2.csv"
BASELINE = ROOT / "scenarios" / "baseline.yaml"
ROUNDS = 10
WORLDS = 10_000
SEED = 20250412
Z95 = 1.959963984540054
MARKERS = (
    "ec_scholz_code",
    "ec_printed",
    "ec_paper",
    "ec_sensitivity",
    "baseline_factions",
    "baseline_forecasts",
    "ensemble",
)
PRINCIPALS = {"us": "United States", "iran": "Iran"}
VARIANTS: tuple[tuple[str, dict[str, str]], ...] = (
    ("compromise for both", {"us": "compromise", "iran": "compromise"}),
    ("`bdm_eum` for Iran only", {"us": "compromise", "iran": "bdm_eum"}),
    ("`bdm_eum` for the US only", {"us": "bdm_eum", "iran": "compromise"}),
    ("`bdm_eum` for both", {"us": "bdm_eum", "iran": "bdm_eum"}),
)
"""Ensemble variants: each principal's ``actors.<principal>.stance_rule``, set explicitly."""


def markdown(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def ec_example() -> Any:
    """The EC emission-standards actor table (read by :func:`sim.runs.forecast.read_actors`)."""
    from sim.runs.forecast import read_actors

    return read_actors(EXAMPLE)


def ec_states(reading: Any, tolerance: float | None = 1e-9) -> list[Any]:
    """Rounds 0 to at most :data:`ROUNDS` of the EC example under a reading (BDM's model)."""
    from sim.mechanisms.bdm import bdm_rounds

    table = ec_example()
    return list(
        bdm_rounds(
            table.capability,
            table.position,
            table.salience,
            ROUNDS,
            reading=reading,
            tolerance=tolerance,
        )
    )


def ec_scholz_code_table() -> str:
    """Reading ``scholz_code``: median, mean and the three actors that move, by round."""
    from sim.mechanisms.bdm import SCHOLZ_CODE

    names = list(ec_example().actors)
    moving = [names.index(n) for n in ("Belgium", "Luxembourg", "Ireland")]
    rows = [
        [
            str(s.round),
            f"{float(s.median):.3f}",
            f"{float(s.weighted_mean):.4f}",
            *(f"{float(s.positions[k]):.4f}" for k in moving),
        ]
        for s in ec_states(SCHOLZ_CODE)
    ]
    return markdown(["round", "median", "weighted mean", "Belgium", "Luxembourg", "Ireland"], rows)


ABBREVIATIONS = {
    "Netherlands": "NL",
    "Belgium": "BE",
    "Luxembourg": "LU",
    "Germany": "DE",
    "France": "FR",
    "Italy": "IT",
    "UK": "UK",
    "Ireland": "IE",
    "Denmark": "DK",
    "Greece": "GR",
}


def ec_printed_table() -> str:
    """Reading ``printed`` (the default): median, mean and every actor's position, by round."""
    from sim.mechanisms.bdm import PRINTED

    head = ["round", "median", "mean", *(ABBREVIATIONS.get(a, a) for a in ec_example().actors)]
    rows = [
        [
            str(s.round),
            f"{float(s.median):.3f}",
            f"{float(s.weighted_mean):.4f}",
            *(f"{float(v):.4f}" for v in s.positions),
        ]
        for s in ec_states(PRINTED)
    ]
    return markdown(head, rows)


def table2() -> list[tuple[int, float, float]]:
    """Scholz et al.'s Table 2 as transcribed: (round, median, weighted mean), one decimal."""
    import csv

    with TABLE2.open(encoding="utf-8", newline="") as handle:
        return [
            (int(r["round"]), float(r["median"]), float(r["mean"])) for r in csv.DictReader(handle)
        ]


def ec_paper_table() -> str:
    """Both readings' medians and means beside Table 2, with the differences (ours - paper)."""
    from sim.mechanisms.bdm import PRINTED, SCHOLZ_CODE

    code, printed = ec_states(SCHOLZ_CODE, None), ec_states(PRINTED, None)
    rows = []
    for k, median, mean in table2():
        ours, theirs = code[k], printed[k]
        rows.append(
            [
                str(k),
                f"{median:.1f}",
                f"{float(ours.median):.3f}",
                f"{float(ours.median) - median:+.3f}",
                f"{float(theirs.median):.3f}",
                f"{mean:.1f}",
                f"{float(ours.weighted_mean):.3f}",
                f"{float(ours.weighted_mean) - mean:+.3f}",
                f"{float(theirs.weighted_mean):.3f}",
            ]
        )
    head = ["round", "Table 2 median", "scholz_code", "difference", "printed"]
    head += ["Table 2 mean", "scholz_code", "difference", "printed"]
    return markdown(head, rows)


def sensitivity_readings() -> list[tuple[str, Any]]:
    """Each reading, and each with one switch (two for the last row) set as in the other."""
    from sim.mechanisms.bdm import PRINTED, SCHOLZ_CODE

    change = dataclasses.replace
    return [
        ("printed", PRINTED),
        ("printed, risk exponents in the votes", change(PRINTED, risk_in_votes=True)),
        ("printed, pooled denominator", change(PRINTED, pooled_denominator=True)),
        ("printed, the code's offer choice", change(PRINTED, offer_choice="code")),
        ("printed, capitulation unreachable", change(PRINTED, capitulation=False)),
        ("scholz_code", SCHOLZ_CODE),
        ("scholz_code, linear votes", change(SCHOLZ_CODE, risk_in_votes=False)),
        ("scholz_code, per-pair denominator", change(SCHOLZ_CODE, pooled_denominator=False)),
        ("scholz_code, least move", change(SCHOLZ_CODE, offer_choice="least_move")),
        ("scholz_code, capitulation reachable", change(SCHOLZ_CODE, capitulation=True)),
        (
            "scholz_code, least move, capitulation reachable (= printed, risk in votes, pooled)",
            change(SCHOLZ_CODE, offer_choice="least_move", capitulation=True),
        ),
    ]


def ec_sensitivity_table() -> str:
    """The EC example's medians by round under each reading of :func:`sensitivity_readings`."""
    rows = []
    for label, reading in sensitivity_readings():
        states = ec_states(reading)
        medians = [f"{float(s.median):.3f}" for s in states]
        shown = f"{medians[0]} in every round" if len(set(medians)) == 1 else ", ".join(medians)
        rows.append([label, shown, str(states[-1].round), f"{float(states[-1].weighted_mean):.3f}"])
    head = ["reading", "medians, round 0 on", "rounds run", "weighted mean, last round"]
    return markdown(head, rows)


def faction_groups() -> tuple[list[str], dict[str, dict[str, Any]]]:
    """The baseline's issues and, per principal, its factions (name -> faction spec)."""
    from sim.scenario import load_scenario

    spec = load_scenario(BASELINE).scenario
    groups = {
        p: {k: a for k, a in spec.actors.items() if getattr(a, "principal", None) == p}
        for p in PRINCIPALS
    }
    return list(spec.issues), groups


def _values(values: Iterable[float]) -> str:
    return ", ".join(f"{v:.3f}" for v in values)


def baseline_factions_table() -> str:
    """Each faction's central clout, ideal points and saliences in ``scenarios/baseline.yaml``."""
    from sim.scenario.params import central

    issues, groups = faction_groups()
    rows = [
        [
            name,
            f"{central(f.clout):g}",
            ", ".join(f"{central(f.ideal[i]):.4g}" for i in issues),
            ", ".join(f"{central(f.salience[i]):g}" for i in issues),
        ]
        for factions in groups.values()
        for name, f in factions.items()
    ]
    order = ", ".join(issues)
    head = ["faction", "clout", f"ideal ({order})", "salience (same order)"]
    return markdown(head, rows)


def baseline_forecasts_table() -> str:
    """Both rules on each principal's factions and issue: forecasts, positions, rounds run."""
    from sim.mechanisms.bdm import PRINTED, SCHOLZ_CODE, bdm_rounds, weighted_mean
    from sim.scenario.params import central

    issues, groups = faction_groups()
    rows = []
    for principal, factions in groups.items():
        clout = np.array([central(f.clout) for f in factions.values()])
        for issue in issues:
            ideal = np.array([central(f.ideal[issue]) for f in factions.values()])
            sal = np.array([central(f.salience[issue]) for f in factions.values()])
            row = [principal, issue, f"{float(weighted_mean(ideal, clout * sal)):.3f}"]
            for reading in (PRINTED, SCHOLZ_CODE):
                last = list(bdm_rounds(clout, ideal, sal, ROUNDS, reading=reading))[-1]
                row += [f"{float(last.median):.3f}", _values(last.positions), str(last.round)]
            rows.append(row)
    head = ["principal", "issue", "compromise (weighted mean)"]
    for name in ("printed", "scholz_code"):
        head += [f"BDM `{name}`: median", "positions, last round", "rounds"]
    return markdown(head, rows)


def overrides(rules: Mapping[str, str]) -> dict[str, str]:
    """The ``sim.run`` overrides that set each principal's stance rule."""
    return {f"actors.{p}.stance_rule": rule for p, rule in rules.items()}


def paired_interval(diff: np.ndarray) -> tuple[float, float, float]:
    """Mean of per-world differences and its normal 95% interval, ``mean +- z sd / sqrt(n)``."""
    mean = float(diff.mean())
    half = Z95 * float(diff.std(ddof=1)) / np.sqrt(len(diff)) if len(diff) > 1 else np.nan
    return mean, mean - half, mean + half


Interval = tuple[float, float, float]
"""An estimate and its 95% interval: (value, low, high)."""


def _share(p: float, lo: float, hi: float, sign: str = "") -> str:
    return f"{p:{sign}.3f} [{lo:{sign}.3f}, {hi:{sign}.3f}]"


CONTRASTS: dict[str, tuple[str, tuple[int, int, int, int]]] = {
    "iran": ("`bdm_eum` for Iran only − compromise for both", (-1, 1, 0, 0)),
    "us": ("`bdm_eum` for the US only − compromise for both", (-1, 0, 1, 0)),
    "both": ("`bdm_eum` for both − compromise for both", (-1, 0, 0, 1)),
    "iran_vs_us": ("`bdm_eum` for Iran only − `bdm_eum` for the US only", (0, 1, -1, 0)),
    "interaction": (
        "interaction: both − Iran only − US only + compromise for both",
        (1, -1, -1, 1),
    ),
}
"""Per-world linear combinations of the variants' outcome indicators (order of VARIANTS)."""


def ensemble_runs(
    jobs: int = 1,
) -> tuple[list[dict[str, Interval]], dict[str, dict[str, Interval]]]:
    """Each variant's outcome shares (Wilson 95%) and the paired contrasts (normal 95%).

    Every variant runs the same world ids from the same root seed, so each contrast is the mean of
    per-world differences of outcome indicators.
    """
    import sim
    from sim.mechanisms.outcomes import OUTCOMES

    shares, indicators = [], []
    for _, rules in VARIANTS:
        result = sim.run(BASELINE, worlds=WORLDS, seed=SEED, jobs=jobs, overrides=overrides(rules))
        out = result.summary["outcomes"]
        shares.append({k: (out[k]["p"], *out[k]["ci95"]) for k in OUTCOMES})
        outcome = result.worlds.sort_values("world")["outcome"].to_numpy()
        indicators.append({k: (outcome == k).astype(float) for k in OUTCOMES})
    contrasts = {
        key: {
            k: paired_interval(sum(w * ind[k] for w, ind in zip(weights, indicators, strict=True)))
            for k in OUTCOMES
        }
        for key, (_, weights) in CONTRASTS.items()
    }
    return shares, contrasts


def _sign(estimate: Interval) -> int:
    """+1 or -1 if the interval lies above or below zero, 0 if it contains zero."""
    _, lo, hi = estimate
    return 1 if lo > 0 else -1 if hi < 0 else 0


def ensemble_findings(
    shares: Sequence[Mapping[str, Interval]], contrasts: Mapping[str, Mapping[str, Interval]]
) -> str:
    """What the ensemble numbers show, in words chosen by the signs of the intervals only."""
    from sim.mechanisms.outcomes import LABELS, OUTCOMES

    def fmt(e: Interval) -> str:
        return _share(*e, sign="+")

    deal = {key: contrasts[key]["deal"] for key in CONTRASTS}
    words = {-1: "fewer deals", 1: "more deals", 0: "no change distinguishable from zero"}
    variants = (
        ("iran", "`bdm_eum` for Iran only"),
        ("us", "for the US only"),
        ("both", "for both"),
    )
    lines = [
        "* Deal share against compromise for both: "
        + "; ".join(
            f"{name}, {words[_sign(deal[key])]} ({fmt(deal[key])})" for key, name in variants
        )
        + "."
    ]
    rising = [
        LABELS[k]
        for k in OUTCOMES
        if k != "deal" and all(_sign(contrasts[key][k]) > 0 for key in ("iran", "us", "both"))
    ]
    if rising:
        lines.append(
            "* Shares higher in every `bdm_eum` variant than under compromise for both (every "
            f"interval above zero): {', '.join(rising)}."
        )
    versus = {
        -1: "Iran's switch alone leaves fewer deals than the US's alone",
        1: "The US's switch alone leaves fewer deals than Iran's alone",
        0: "The two one-sided switches cannot be told apart on the deal share",
    }
    lines.append(
        f"* {versus[_sign(deal['iran_vs_us'])]}: Iran only − US only {fmt(deal['iran_vs_us'])}."
    )
    additive = {
        0: "consistent with adding up the two one-sided changes",
        1: "fewer deals lost than the two one-sided changes added up",
        -1: "more deals lost than the two one-sided changes added up",
    }
    lines.append(
        f"* Both switches together: {additive[_sign(deal['interaction'])]} (interaction "
        f"{fmt(deal['interaction'])} on the deal share)."
    )
    unresolved = ", ".join(
        f"{label} {v['no_resolution'][0]:.3f}"
        for (label, _), v in zip(VARIANTS, shares, strict=True)
    )
    lines.append(f"* Share of worlds without resolution: {unresolved}.")
    return "\n".join(lines) + "\n"


def ensemble_table(jobs: int = 1) -> str:
    """The outcome shares under each variant, the paired contrasts, and what they show."""
    from sim.mechanisms.outcomes import LABELS, OUTCOMES

    shares, contrasts = ensemble_runs(jobs)
    rows = [
        [
            label,
            ", ".join(f"`{k}={v}`" for k, v in overrides(rules).items()),
            *(_share(*share[k]) for k in OUTCOMES),
        ]
        for (label, rules), share in zip(VARIANTS, shares, strict=True)
    ]
    differences = [
        [label, *(_share(*contrasts[key][k], sign="+") for k in OUTCOMES)]
        for key, (label, _) in CONTRASTS.items()
    ]
    labels = [LABELS[k] for k in OUTCOMES]
    return "\n".join(
        [
            markdown(["stance rule", "overrides", *labels], rows),
            markdown(["contrast, per world (paired 95% interval)", *labels], differences),
            "What these numbers show (generated from the intervals above):\n",
            ensemble_findings(shares, contrasts),
        ]
    )


def tables(jobs: int = 1, *, ensemble: bool = True) -> dict[str, str]:
    """The Markdown tables, keyed by marker name (without the ensemble: the fast ones)."""
    new = {
        "ec_scholz_code": ec_scholz_code_table(),
        "ec_printed": ec_printed_table(),
        "ec_paper": ec_paper_table(),
        "ec_sensitivity": ec_sensitivity_table(),
        "baseline_factions": baseline_factions_table(),
        "baseline_forecasts": baseline_forecasts_table(),
    }
    if ensemble:
        new["ensemble"] = ensemble_table(jobs)
    return new


def block(text: str, name: str) -> str:
    """The text of the ``<!-- tables:NAME -->`` block of ``text``."""
    pattern = re.compile(rf"<!-- tables:{name} -->\n(.*?)<!-- /tables:{name} -->", re.DOTALL)
    found = pattern.search(text)
    if not found:
        raise SystemExit(f"docs/bdm.md has no <!-- tables:{name} --> block")
    return found.group(1)


def fill(text: str, new: Mapping[str, str]) -> str:
    """``text`` with each marked block named in ``new`` replaced by its new table."""
    for name, table in new.items():
        old = block(text, name)
        start = f"<!-- tables:{name} -->\n"
        text = text.replace(start + old, start + table, 1)
    return text


def main() -> int:
    """Rewrite or check the tables of docs/bdm.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on change")
    parser.add_argument("--jobs", type=int, default=1, help="processes per run (default 1)")
    parser.add_argument(
        "--no-ensemble", action="store_true", help="skip the ensemble table (the slow one)"
    )
    args = parser.parse_args()
    old = DOC.read_text(encoding="utf-8")
    new = fill(old, tables(args.jobs, ensemble=not args.no_ensemble))
    return check_or_write(
        DOC,
        old,
        new,
        label="docs/bdm.md tables are",
        command="scripts/bdm_tables.py",
        check=args.check,
    )


if __name__ == "__main__":
    sys.exit(main())
