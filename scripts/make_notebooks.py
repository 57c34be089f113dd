"""Write the notebooks in notebooks/ (without outputs) from the cells below.

    python scripts/make_notebooks.py

Each notebook's first code cell sets ``WORLDS``, the one size knob; tests/docs/test_notebooks.py
runs every notebook top to bottom with a small value.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

SETUP = '''\
%matplotlib inline
from pathlib import Path

import pandas as pd
from IPython.display import display

import sim
from sim.analysis import plots


def find_root() -> Path:
    """The checkout: beside the installed package, else the first folder up with scenarios/."""
    here = Path(sim.__file__).resolve().parent.parent
    for folder in [here, Path.cwd(), *Path.cwd().parents]:
        if (folder / "scenarios" / "baseline.yaml").is_file():
            return folder
    raise FileNotFoundError("cannot find scenarios/baseline.yaml; run from the checkout")


ROOT = find_root()
BASELINE = ROOT / "scenarios" / "baseline.yaml"
pd.set_option("display.width", 160)'''


def md(text: str) -> nbformat.NotebookNode:
    """A Markdown cell."""
    return new_markdown_cell(text.strip())


def code(text: str) -> nbformat.NotebookNode:
    """A code cell (no outputs)."""
    return new_code_cell(text.strip())


QUICKSTART = [
    md("""
# 01 Quickstart: one scenario, its outcomes, and one world's story

Load the baseline scenario (the US-Iran nuclear talks of 2025 as the seed articles describe
them), run an ensemble of worlds, look at how likely each outcome is and when it happens, and
let one world tell its story.
"""),
    code("""
WORLDS = 2000  # worlds in the ensemble (the test suite sets a small number)
SEED = 20250412  # the root seed: the same seed gives the same worlds
"""),
    code(SETUP),
    md("## The scenario"),
    code("""
loaded = sim.load_scenario(BASELINE)
scenario = loaded.scenario
print(f"{scenario.name}: {len(scenario.actors)} actors, {len(scenario.issues)} issues, "
      f"{scenario.horizon} steps of {scenario.calendar.step_days} days from "
      f"{scenario.calendar.start}")
print(scenario.description)
"""),
    md("""
## Run the ensemble

Every world draws its own values of the uncertain parameters, so the share of worlds that end
in each outcome is the probability of that outcome given the calibration; the interval is the
95% Wilson interval of the sampling error of a finite ensemble.
"""),
    code("""
result = sim.run(loaded, worlds=WORLDS, seed=SEED)
result.outcome_table()
"""),
    code("display(plots.plot_outcomes(result.summary))"),
    md("""
## When talks end, and how

Deal, strikes and breakdown compete: each curve is the share of worlds that have ended with
that outcome by a given week. The dashed line marks the snapback expiry (and Iran's deadline).
"""),
    code("display(plots.plot_timing(result.worlds, scenario))"),
    md("## What the deals give, against what each actor wants"),
    code("display(plots.plot_terms(result.worlds, scenario))"),
    md("""
## One world, told

Any world of the ensemble can be re-run alone, with a full trace, from the root seed and its
world id: here the first world that ended in a deal (or the first world, if none did).
"""),
    code("""
from sim.analysis.explain import explain

worlds = result.worlds
deals = worlds[worlds["outcome"] == "deal"]
world = int((deals if len(deals) else worlds)["world"].iloc[0])
story = explain(loaded, SEED, world)
print(story.text)
"""),
    code("display(plots.plot_world(story))"),
    md("""
## The same from the command line

```
negsim run scenarios/baseline.yaml --worlds 2000 --seed 20250412 --out runs/baseline
negsim plot runs/baseline
negsim explain scenarios/baseline.yaml --seed 20250412 --world 0
```
"""),
]

SWEEPS = [
    md("""
# 02 Parameter sweeps: the US hawk/dove balance against Israel's resolve

How do the odds move with the weight of the hawks in Washington (the clout of Rubio and the
hardliners against Trump and the deal camp) and with Israel's resolve to strike? The sweep
`scenarios/sweeps/hawks_resolve_grid.yaml` runs a 4 x 5 grid of the two; every design point
uses the same worlds (common random numbers), so differences between points are the
parameters' doing, not chance's.
"""),
    code("""
WORLDS = 1000  # worlds per design point (the test suite sets a small number)
"""),
    code(SETUP),
    code("""
import yaml

HAWKS = "actors.us_hawks.clout"
RESOLVE = "actors.israel.strike_resolve"
spec = yaml.safe_load((ROOT / "scenarios" / "sweeps" / "hawks_resolve_grid.yaml").read_text())
spec.update(base=str(BASELINE), worlds=WORLDS, block_size=min(WORLDS, 1000))
points = sim.sweep(spec, progress=False)
points[[HAWKS, RESOLVE, "deal_p", "deal_ci_low", "deal_ci_high", "strike_p"]].round(3)
"""),
    md("## P(deal) and P(strike) over the grid"),
    code("display(plots.plot_sweep_heatmap(points, RESOLVE, HAWKS, 'deal'))"),
    code("display(plots.plot_sweep_heatmap(points, RESOLVE, HAWKS, 'strike'))"),
    md("""
## Each parameter alone

Along one parameter, pooling the worlds over the other (the bands are 95% Wilson intervals).
"""),
    code("display(plots.plot_sweep_line(points, HAWKS, ['deal', 'strike', 'breakdown']))"),
    code(
        "strikes = ['strike_israel', 'strike_joint', 'strike_us']\n"
        "display(plots.plot_sweep_line(points, RESOLVE, ['deal', *strikes]))"
    ),
    md("""
## What moves the odds

The change in each probability from the lowest to the highest value of each parameter,
averaged over the other parameter.
"""),
    code("""
rows = []
for path in (HAWKS, RESOLVE):
    means = points.groupby(path)[["deal_p", "strike_p"]].mean()
    low, high = means.index.min(), means.index.max()
    rows.append({
        "parameter": path,
        "from": low,
        "to": high,
        "change in P(deal)": means.loc[high, "deal_p"] - means.loc[low, "deal_p"],
        "change in P(strike)": means.loc[high, "strike_p"] - means.loc[low, "strike_p"],
    })
effects = pd.DataFrame(rows)
effects.round(3)
"""),
    code("""
for row in effects.to_dict("records"):
    deal, strike = 100 * row["change in P(deal)"], 100 * row["change in P(strike)"]
    print(f"Moving {row['parameter']} from {row['from']:g} to {row['to']:g} changes P(deal) "
          f"by {deal:+.1f} and P(strike) by {strike:+.1f} percentage points.")
"""),
]

SENSITIVITY = [
    md("""
# 03 Sensitivity: which uncertain parameters, and which evidence, matter most

Sobol' indices (Saltelli et al. 2010) of the probabilities of a deal and of a strike over the
ten parameters that drive the baseline most (`scenarios/sweeps/baseline_sobol.yaml`: the top
drivers the screening of all 131 uncertain parameters found, among them Oman's give-up hazard,
the US override threshold, Israel's convexity and resolve, and US backing of a strike). The
first-order index S1 is the share of the variance a parameter explains alone; the total index
ST adds its interactions. Each probability is itself estimated from a finite number of worlds,
so small indices scatter around zero by that Monte Carlo noise: trust the ranking of the large
ones, and read the warnings below the table, which say when the sample is too small.
"""),
    code("""
WORLDS = 1000  # worlds per design point (the test suite sets a small number)
SAMPLES = 64 if WORLDS >= 500 else 4  # Sobol' base samples, a power of 2: N x (D + 2) points
# 64 x 12 = 768 points: some minutes on 2 cores; the shipped file's 128 is more trustworthy.
"""),
    code(SETUP),
    code("""
import yaml

from sim.analysis.sensitivity import sample_warnings, sensitivity_table
from sim.runs.sweeps import load_sweep
from sim.runs.sweeps import run as run_sweep

spec = yaml.safe_load((ROOT / "scenarios" / "sweeps" / "baseline_sobol.yaml").read_text())
spec.update(base=str(BASELINE), worlds=WORLDS, block_size=min(WORLDS, 1000))
spec["design"]["samples"] = SAMPLES
sweep = load_sweep(spec)
result = run_sweep(sweep, progress=False)
print(f"{len(result.points)} design points of {WORLDS:,} worlds")
indices = sensitivity_table(sweep, result.points)  # sorted by ST within each output
for warning in sample_warnings(sweep, indices, result.points):
    print("warning:", warning)
indices.round(3)
"""),
    code("display(plots.plot_sensitivity(indices, output='deal'))"),
    code("display(plots.plot_sensitivity(indices, output='strike'))"),
    md("""
## Which evidence matters most

Each parameter's total index next to the evidence behind it (the quote from the seed articles
and its reading, or the assumption that stands in for one). The evidence behind the parameters
with the largest indices is what deserves the closest reading, and the most effort to pin down.
"""),
    code("""
from sim.scenario.evidence import source_rows

evidence = pd.DataFrame([vars(row) for row in source_rows(sweep.base.scenario)])
ranked = (
    indices.pivot(index="parameter", columns="output", values="ST")
    .rename(columns=lambda o: f"ST {o}")
    .sort_values("ST strike", ascending=False)
)
support = (
    evidence.groupby("path")
    .agg(kind=("kind", "first"), quote=("quote", " | ".join), reading=("reading", " | ".join))
)
table = ranked.join(support, how="left")
with pd.option_context("display.max_colwidth", 120):
    display(table.round(3))
"""),
]

SCENARIOS = [
    md("""
# 04 Scenarios: the baseline against every variant

Every scenario in `scenarios/` runs with the same worlds and seed; a forest plot compares the
outcome probabilities, and the timing figures show how the variants that move the odds most
change when things happen.
"""),
    code("""
WORLDS = 2000  # worlds per scenario (the test suite sets a small number)
SEED = 20250412
"""),
    code(SETUP),
    code("""
files = sorted((ROOT / "scenarios").glob("*.yaml"), key=lambda p: (p.stem != "baseline", p.stem))
runs = {}
for path in files:
    loaded = sim.load_scenario(path)
    runs[loaded.scenario.name] = (loaded, sim.run(loaded, worlds=WORLDS, seed=SEED))
summaries = [result.summary for _, result in runs.values()]
print(f"{len(runs)} scenarios, {WORLDS:,} worlds each, seed {SEED}")
"""),
    code("""
table = pd.DataFrame(
    {
        name: {outcome: s["outcomes"][outcome]["p"] for outcome in s["outcomes"]}
        for name, s in zip(runs, summaries, strict=True)
    }
).T
table.round(3)
"""),
    code("display(plots.plot_forest(summaries))"),
    md("""
## Timing: the baseline and the variants that move P(deal) most
"""),
    code("""
baseline_deal = summaries[0]["outcomes"]["deal"]["p"]
moved = sorted(
    (name for name in list(runs)[1:]),
    key=lambda name: -abs(runs[name][1].summary["outcomes"]["deal"]["p"] - baseline_deal),
)
for name in [next(iter(runs)), *moved[:2]]:
    loaded, result = runs[name]
    display(plots.plot_timing(result.worlds, loaded.scenario, name=name))
"""),
    md("""
The same comparison as a self-contained HTML report (every scenario's figures, the evidence
table and what is needed to reproduce it):

```
negsim report scenarios/baseline.yaml scenarios/israel_preempts.yaml --worlds 2000 --seed 20250412
```
"""),
]

FORECASTING = [
    md("""
# 05 Forecasting: observe, condition, ask, score, discover

The workflow of `docs/forecasting.md` on the baseline, with the example files:

1. **observe**: the dated facts the articles report (`scenarios/observations/talks_rounds.yaml`);
2. **condition**: keep or weigh the worlds that agree with them (`negsim condition`);
3. **ask**: P(event by date) from the kept worlds (`negsim ask`, weighted);
4. **score**: the run's forecasts of resolved questions, Brier and log scores
   (`negsim score`, `scenarios/questions/article_window.yaml`);
5. **discover**: where in the drawn parameters an outcome concentrates (`negsim discover`, PRIM).

Each step runs the `negsim` command in this kernel, so what is printed here is what the terminal
prints. Every fact and every resolution comes from the two articles, as of their dates (the
last is the fifth round, 11 May 2025); nothing after them is encoded or scored against.
"""),
    code("""
WORLDS = 2000  # worlds per run (the test suite sets a small number)
SEED = 20250412
"""),
    code(SETUP),
    code('''
import tempfile

import yaml
from IPython.display import Image

from sim.cli.main import main as cli

OBSERVATIONS = ROOT / "scenarios" / "observations" / "talks_rounds.yaml"
QUESTIONS = ROOT / "scenarios" / "questions" / "article_window.yaml"
OUT = Path(tempfile.mkdtemp(prefix="negsim_forecasting_"))  # every run of this notebook


def negsim(*args: object) -> None:
    """Run one ``negsim`` command here, as in a terminal; stop if it fails."""
    argv = [str(a) for a in args]
    print("$ negsim " + " ".join(a.replace(str(ROOT) + "/", "") for a in argv))
    status = cli(argv)
    assert status == 0, f"negsim exited with status {status}"


print(f"runs written under {OUT}")
'''),
    md("""
## 1 Observe: what the articles report

Five facts, each quoting its sentence of the seed articles: the first round (Muscat, 12 April
2025) and the fifth (Muscat, 11 May) were held, and by 11 May there was no deal, no collapse and
no strike. The rounds in between have no dates in the articles and are left out; the articles
print no offers, so there is no offer fact.
"""),
    code("""
facts = yaml.safe_load(OBSERVATIONS.read_text())["facts"]
pd.DataFrame(
    [{k: f.get(k, "") for k in ("kind", "date", "event", "happened")} for f in facts]
)
"""),
    md("""
## 2 Condition: keep the worlds that agree

The baseline already imposes this history: `calendar.observed_until: 2025-05-11` holds every
world to the record up to that date (no deal, no collapse, no forcing shock). So conditioning
the baseline on the same facts keeps every world and changes nothing: it is a check, not news.
"""),
    code("""
negsim("run", BASELINE, "--worlds", WORLDS, "--seed", SEED, "--out", OUT / "baseline")
negsim("condition", BASELINE, OBSERVATIONS, "--worlds", WORLDS, "--seed", SEED,
       "--out", OUT / "conditioned")
"""),
    md("""
Without the imposed history (`--set calendar.observed_until=null`) the worlds are free before
11 May, and the facts do select: the worlds where a deal, a collapse or a strike came before the
fifth round, or where the talks were off at a round, are rejected. The facts are hard (true or
false), so this is exact rejection sampling and the effective sample size is the number of
worlds kept. The table of shifts and the figure compare each drawn parameter before and after:
the articles' own facts teach little about the hidden quantities (with enough worlds every
shift is a few hundredths of a prior standard deviation: at 10,000 worlds the largest is
0.035), because nearly every world of the prior agrees with them. With few worlds the command
warns that the effective sample size is small.
"""),
    code("""
FREE = ("--set", "calendar.observed_until=null")
negsim("run", BASELINE, *FREE, "--worlds", WORLDS, "--seed", SEED, "--out", OUT / "free")
negsim("condition", BASELINE, OBSERVATIONS, *FREE, "--worlds", WORLDS, "--seed", SEED,
       "--out", OUT / "free_conditioned")
"""),
    code('display(Image(filename=OUT / "free_conditioned" / "parameters.png"))'),
    md("""
## 3 Ask: the forecast, before and after

`negsim ask` on a conditioned run answers with the weighted share of the kept worlds and an
interval at the effective sample size. Four runs answer P(deal by 30 September 2025): the
baseline (history imposed), the baseline conditioned on the facts (the same worlds, all kept,
so the same answer), the free prior (worlds may end before 11 May) and the free prior
conditioned on the facts. The imposed history and the conditioning agree on what is known and
differ on what follows: a world held back by `observed_until` from striking in April may strike
in June, while conditioning rejects it. Compare the intervals before reading a difference: at a
few thousand worlds they are some two percentage points either side. These are the model's
answers under its calibration, not forecasts to bet on.
"""),
    code("""
for run in ("baseline", "conditioned", "free", "free_conditioned"):
    negsim("ask", OUT / run, "--event", "deal", "--by", "2025-09-30")
"""),
    md("""
The same as a forest plot of the outcomes (the first decisive event of each world, with its 95%
interval): the imposed history, the free prior, and the free prior conditioned on the facts.
"""),
    code('''
import json

from sim.runs.conditioning import posterior_summary


def summary(run: str) -> dict:
    """A run's summary; a conditioned run's posterior views."""
    return posterior_summary(json.loads((OUT / run / "summary.json").read_text()))


labels = ["baseline (history imposed)", "free prior", "free, conditioned on the facts"]
display(plots.plot_forest([summary(r) for r in ("baseline", "free", "free_conditioned")], labels))
'''),
    md("""
## 4 Score: the run against the resolved questions

Nine questions the articles resolve (no deal, no strike, no collapse, no snapback by 11 May; the
Bandar Abbas explosion and the petrochemical sanctions by then; ...), scored by Brier and log
scores against the base rate of the questions. **This is not forecasting skill**: every question
is resolved inside the window the baseline was built from (its imposed history and its dated
shocks), so the baseline answers them almost perfectly by construction, and the score checks
the run against what it was built from. Skill needs questions resolved after the run was made.
The free run, which does not impose the history, scores worse: the scores see the difference,
but it is a difference in what each run was told, not in foresight. With nine questions the
reliability diagram is too sparse to judge calibration, and says so.
"""),
    code("""
negsim("score", OUT / "baseline", QUESTIONS, "--out", OUT / "score")
negsim("score", OUT / "free", QUESTIONS, "--reference", OUT / "baseline")
"""),
    code('display(Image(filename=OUT / "score" / "reliability.png"))'),
    md("""
## 5 Discover: where the strikes are, in the drawn parameters

PRIM (Friedman and Fisher 1999) peels the box of drawn parameter values toward the worlds with a
strike by 18 October 2025 and reports the boxes with their coverage (the share of the strikes in
the box), density (the share of the box's worlds that strike) and restricted dimensions; the
peeling figure draws the trade-off between the two. A box describes the model, not the world:
it says which of the calibration's uncertain parameters the model's strikes depend on. With a
few thousand worlds the boxes are rough (docs/forecasting.md quotes 10,000); with the test
suite's handful they mean nothing.
"""),
    code("""
negsim("discover", OUT / "baseline", "--event", "strike", "--by", "2025-10-18",
       "--out", OUT / "discover")
display(Image(filename=OUT / "discover" / "peeling.png"))
"""),
    md("""
## The same from the command line

```
negsim run scenarios/baseline.yaml --worlds 10000 --seed 20250412 --out runs/baseline
negsim condition scenarios/baseline.yaml scenarios/observations/talks_rounds.yaml \\
    --set calendar.observed_until=null --worlds 10000 --seed 20250412
negsim ask runs/baseline_conditioned --event deal --by 2025-09-30
negsim score runs/baseline scenarios/questions/article_window.yaml --out runs/baseline/score
negsim discover runs/baseline --event strike --by 2025-10-18
```
"""),
]

NOTEBOOK_CELLS = {
    "01_quickstart": QUICKSTART,
    "02_parameter_sweeps": SWEEPS,
    "03_sensitivity": SENSITIVITY,
    "04_scenarios": SCENARIOS,
    "05_forecasting": FORECASTING,
}


def main() -> None:
    """Write every notebook, without outputs."""
    NOTEBOOKS.mkdir(exist_ok=True)
    for name, cells in NOTEBOOK_CELLS.items():
        nb = new_notebook(cells=cells)
        nb.metadata["kernelspec"] = {
            "display_name": "Python 3",
            "language": "python",
            "name": "python3",
        }
        nb.metadata["language_info"] = {"name": "python"}
        for k, cell in enumerate(nb.cells):
            cell["id"] = f"{name[:2]}-{k:02d}"  # stable ids: regenerating changes nothing
        nbformat.validate(nb)
        nbformat.write(nb, NOTEBOOKS / f"{name}.ipynb")
        print(f"wrote notebooks/{name}.ipynb")


if __name__ == "__main__":
    main()
