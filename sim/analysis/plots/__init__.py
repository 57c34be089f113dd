"""Figures: one function per question an analyst asks of a run, a sweep or a world.

Every function returns a matplotlib :class:`~matplotlib.figure.Figure` made without pyplot, so
no backend is chosen and no figure is registered: there is nothing to close, a notebook shows
it with ``display(fig)`` and :func:`save_figure` writes it as PNG and SVG. Each outcome keeps its
colour (:data:`OUTCOME_COLOURS`: :data:`sim.mechanisms.outcomes.COLOURS` and the combined strike)
and each actor its colour (:func:`actor_colours`) in every figure. Titles name the subject
(scenarios by :func:`scenario_title`), axes carry units (parameters by :func:`param_label`),
legends name every series drawn and only those, and probabilities are percentages everywhere.

The figures live in one module per family (:mod:`.common` holds what they share,
:mod:`.outcomes` a run's figures, :mod:`.events` its events, :mod:`.episode` one world's
episode, :mod:`.sweeps`, :mod:`.sensitivity`, :mod:`.world`,
:mod:`.forecast`); this
package re-exports their public names, so ``plots.plot_outcomes`` and
``from sim.analysis.plots import plot_outcomes`` work.

- :func:`plot_outcomes`: one scenario's outcome probabilities with 95% Wilson intervals.
- :func:`plot_forest`: several scenarios side by side (baseline against variants).
- :func:`plot_episode`: one world's whole episode on a timeline, from its events alone.
- :func:`plot_events`: the cumulative incidence of every event type, and the state at the horizon.
- :func:`plot_timing`: cumulative incidence of each outcome over steps and dates, deadlines marked.
- :func:`plot_terms`: the deals' terms per issue against each actor's ideal point.
- :func:`plot_sweep_heatmap`, :func:`plot_sweep_line`: outcome probabilities over a sweep.
- :func:`plot_sensitivity`: Sobol' or Morris indices as bars with confidence intervals.
- :func:`plot_world`: one world's stances, clout, offers, shocks and ending over time.
- :func:`plot_forecast`: ``negsim forecast``'s forecasts of many issues against their outcomes.
- :func:`plot_reliability`: ``negsim score``'s reliability diagram of a run's scored forecasts.
"""

from sim.analysis.plots.common import (
    DEADLINE_STYLE,
    IRAN_COLOUR,
    NO_DATA_COLOUR,
    OUTCOME_COLOURS,
    STRIKE,
    STRIKE_COLOUR,
    US_COLOUR,
    ScenarioArg,
    actor_colours,
    actor_label,
    as_scenario,
    deadlines,
    figure_bytes,
    outcome_colour,
    outcome_label,
    outcome_noun,
    param_label,
    param_unit,
    parameter_name,
    save_figure,
    scenario_title,
)
from sim.analysis.plots.episode import interesting_world, plot_episode
from sim.analysis.plots.events import events_png, plot_events, run_figures
from sim.analysis.plots.forecast import plot_forecast
from sim.analysis.plots.outcomes import (
    cumulative_incidence,
    end_steps,
    ideal_points,
    outcomes_png,
    plot_forest,
    plot_outcomes,
    plot_terms,
    plot_timing,
)
from sim.analysis.plots.reliability import plot_reliability
from sim.analysis.plots.sensitivity import (
    SENSITIVITY_COLUMNS,
    plot_sensitivity,
)
from sim.analysis.plots.sweeps import (
    plot_sweep_heatmap,
    plot_sweep_line,
    sweep_line_points,
    sweep_parameters,
    sweep_wide,
)
from sim.analysis.plots.world import (
    PRESSURE_COLOUR,
    RISK_AXIS_FLOOR,
    plot_world,
)

__all__ = [
    "DEADLINE_STYLE",
    "IRAN_COLOUR",
    "NO_DATA_COLOUR",
    "OUTCOME_COLOURS",
    "PRESSURE_COLOUR",
    "RISK_AXIS_FLOOR",
    "SENSITIVITY_COLUMNS",
    "STRIKE",
    "STRIKE_COLOUR",
    "US_COLOUR",
    "ScenarioArg",
    "actor_colours",
    "actor_label",
    "as_scenario",
    "cumulative_incidence",
    "deadlines",
    "end_steps",
    "events_png",
    "figure_bytes",
    "ideal_points",
    "interesting_world",
    "outcome_colour",
    "outcome_label",
    "outcome_noun",
    "outcomes_png",
    "param_label",
    "param_unit",
    "parameter_name",
    "plot_episode",
    "plot_events",
    "plot_forecast",
    "plot_forest",
    "plot_outcomes",
    "plot_reliability",
    "plot_sensitivity",
    "plot_sweep_heatmap",
    "plot_sweep_line",
    "plot_terms",
    "plot_timing",
    "plot_world",
    "run_figures",
    "save_figure",
    "scenario_title",
    "sweep_line_points",
    "sweep_parameters",
    "sweep_wide",
]
