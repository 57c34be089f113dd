"""What every figure shares: colours, labels and titles, dates and deadlines, saving.

Each outcome keeps its colour (:data:`OUTCOME_COLOURS`) and each actor its colour
(:func:`actor_colours`) in every figure; figures are made without pyplot (:func:`_subplots`).
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.analysis.tables import printable
from sim.mechanisms.outcomes import COLOURS, LABELS
from sim.mechanisms.stats import wilson_interval
from sim.scenario.loader import Loaded, load_scenario
from sim.scenario.schema import Faction, Principal, Scenario, Snapback
from sim.scenario.vocabulary import describe, plain_words

ScenarioArg = Scenario | Loaded | str | Path | Mapping[str, Any]

US_COLOUR = "#08519c"
IRAN_COLOUR = "#99000d"
_US_SHADES = ("#08519c", "#4292c6", "#9ecae1", "#084594", "#6baed6")
_IRAN_SHADES = ("#99000d", "#ef6548", "#fdae6b", "#cb181d", "#fc9272")
_OTHER_SHADES = ("#b8860b", "#01665e", "#8c6bb1", "#35978f", "#bf812d")
_LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1)))

STRIKE = "strike"
"""Every strike (Israeli alone, Israeli joined, US alone): the sweeps' and the sensitivity
analysis' combined outcome."""
STRIKE_COLOUR = "#8c510a"
OUTCOME_COLOURS: dict[str, str] = {**COLOURS, STRIKE: STRIKE_COLOUR}
"""The colour of each outcome (and of ``strike``), the same in every figure."""
NO_DATA_COLOUR = "#bdbdbd"
"""The face of a sweep cell with no estimate (hatched, never the colour of 0%)."""


# ----------------------------------------------------------------------------------- helpers


def as_scenario(scenario: ScenarioArg) -> Scenario:
    """The validated :class:`Scenario` of a scenario, a loaded scenario, a path or a mapping."""
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, Loaded):
        return scenario.scenario
    return load_scenario(scenario).scenario


def save_figure(fig: Figure, path: str | Path) -> list[Path]:
    """Write ``fig`` as ``path.png`` (150 dpi) and ``path.svg``, each atomically.

    Args:
        fig: the figure.
        path: the file path without its suffix (a suffix given is replaced).

    Returns:
        The PNG and SVG paths.
    """
    from sim.runs.output import write_bytes_atomic

    base = Path(path)
    out = []
    for fmt in ("png", "svg"):
        target = base.with_suffix(f".{fmt}")
        write_bytes_atomic(target, figure_bytes(fig, fmt, dpi=150))
        out.append(target)
    return out


def _subplots(nrows: int = 1, ncols: int = 1, **kwargs: Any) -> tuple[Figure, Any]:
    """A figure and its axes, made without pyplot (no backend or figure registry is touched)."""
    figsize = kwargs.pop("figsize", None)
    fig = Figure(figsize=figsize)
    return fig, fig.subplots(nrows, ncols, **kwargs)


def figure_bytes(fig: Figure, fmt: str = "png", dpi: int = 110) -> bytes:
    """The figure encoded as PNG or SVG bytes (for embedding in a report)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=dpi, bbox_inches="tight", metadata=_metadata(fmt))
    return buffer.getvalue()


def _metadata(fmt: str) -> dict[str, Any]:
    return {"Date": None} if fmt == "svg" else {}


def _fmt_date(date: dt.date) -> str:
    return f"{date.day} {date:%b %Y}"


def _step_unit(spec: Scenario) -> str:
    days = spec.calendar.step_days
    return "weeks" if days == 7 else f"steps of {days} days"


def _fractional_step(spec: Scenario, date: dt.date) -> float:
    return (date - spec.calendar.start).days / spec.calendar.step_days


def deadlines(spec: Scenario) -> list[tuple[float, str]]:
    """The scenario's deadlines inside the horizon as ``(step, what)``, one entry per date.

    The E3's snapback expiry, each principal's listed deadlines and the protocol's ``ultimatum``
    (``what`` ends with the date: ``snapback expires; Iran's deadline (18 Oct 2025)``).
    """
    by_date: dict[dt.date, list[str]] = {}
    for actor in spec.actors.values():
        if isinstance(actor, Snapback):
            by_date.setdefault(actor.expiry, []).append("snapback expires")
    for aid, actor in spec.actors.items():
        if isinstance(actor, Principal):  # every listed deadline, as scheduled (§3.4.28)
            for d in actor.deadline_list():
                by_date.setdefault(d.date, []).append(f"{_side_name(spec, aid)}'s deadline")
    if spec.protocol.ultimatum is not None:
        by_date.setdefault(spec.protocol.ultimatum, []).append("US ultimatum")
    out = []
    for date, labels in sorted(by_date.items()):
        step = _fractional_step(spec, date)
        if 0 <= step <= spec.horizon:
            out.append((step, f"{'; '.join(labels)} ({_fmt_date(date)})"))
    return out


def _side_name(spec: Scenario, actor_id: str) -> str:
    name = spec.actors[actor_id].name or actor_id
    return {"United States": "US"}.get(name, name)


def _date_axis(ax: Axes, spec: Scenario) -> None:
    """A calendar axis on top of ``ax`` (whose x axis is in steps): ticks at month starts."""
    start = spec.calendar.start
    end = spec.step_to_date(spec.horizon)
    months = []
    year, month = start.year, start.month
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        first = dt.date(year, month, 1)
        if first > end:
            break
        months.append(first)
    stride = max(1, math.ceil(len(months) / 10))
    months = months[::stride]
    ticks = [_fractional_step(spec, m) for m in months]
    labels = [
        f"{m:%b %Y}" if k == 0 or m.month <= stride else f"{m:%b}" for k, m in enumerate(months)
    ]
    top = ax.secondary_xaxis("top")
    top.set_xticks(ticks, labels, fontsize=8)
    top.set_xlabel("Calendar date (first of each month)", fontsize=9)


DEADLINE_STYLE: dict[str, Any] = {
    "color": "black",
    "linestyle": (0, (4, 3)),
    "linewidth": 1.1,
    "alpha": 0.8,
}
"""How a deadline is drawn: a dashed black vertical line (in every figure)."""


def _mark_deadlines(ax: Axes, spec: Scenario) -> None:
    """Dashed vertical lines at the deadlines, drawn above the data's lines."""
    for step, _ in deadlines(spec):
        ax.axvline(step, zorder=3, **DEADLINE_STYLE)


def _stack(spans: Sequence[tuple[float, float]]) -> list[int]:
    """A level per interval (in the order given) so that no two on a level overlap."""
    ends: list[float] = []
    levels = []
    for lo, hi in spans:
        free = [k for k, end in enumerate(ends) if lo > end]
        level = free[0] if free else len(ends)
        if level == len(ends):
            ends.append(hi)
        else:
            ends[level] = hi
        levels.append(level)
    return levels


def _text_span(text: str, fontsize: float, data_per_inch: float) -> float:
    """The approximate width of a line of text, in data units (half an em per character)."""
    return (len(text) + 2) * 0.5 * fontsize / 72 * data_per_inch


def _deadline_labels(
    spec: Scenario, xlim: tuple[float, float], width_in: float
) -> list[tuple[float, str, str, int]]:
    """Each deadline's ``(step, label, ha, level)`` for a strip ``width_in`` inches wide.

    A label starts right of its line, or ends left of it in the last 40% of the axis; labels
    that would overlap go on separate levels.
    """
    per_inch = (xlim[1] - xlim[0]) / width_in
    gap = 0.06 * per_inch
    out, spans = [], []
    for step, text in deadlines(spec):
        label = text[0].upper() + text[1:]
        width = _text_span(label, 8, per_inch)
        right = step > xlim[0] + 0.6 * (xlim[1] - xlim[0])
        spans.append((step - gap - width, step) if right else (step, step + gap + width))
        out.append((step, label, "right" if right else "left"))
    return [(*mark, level) for mark, level in zip(out, _stack(spans), strict=True)]


def _draw_deadline_strip(strip: Axes, spec: Scenario, width_in: float) -> None:
    """The deadlines' labels in a strip above the plot, beside their dashed lines."""
    xlim = strip.get_xlim()
    marks = _deadline_labels(spec, xlim, width_in)
    levels = max((m[3] for m in marks), default=0) + 1
    gap = 0.06 * (xlim[1] - xlim[0]) / width_in
    for step, label, ha, level in marks:
        strip.axvline(step, **DEADLINE_STYLE)
        strip.text(
            step + (-gap if ha == "right" else gap),
            1 - (level + 0.5) / levels,
            label,
            transform=strip.get_xaxis_transform(),
            ha=ha,
            va="center",
            fontsize=8,
            zorder=4,  # over another deadline's line in the strip (the strip holds no data)
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0},
        )
    _bare_strip(strip)


def _bare_strip(strip: Axes) -> None:
    """A strip axes with no ticks or frame (its x axis is shared with the panel below)."""
    strip.set_ylim(0, 1)
    strip.tick_params(axis="both", which="both", bottom=False, left=False)
    strip.tick_params(axis="both", labelbottom=False, labelleft=False)
    for side in ("left", "right", "bottom"):
        strip.spines[side].set_visible(False)


def outcome_label(outcome: str) -> str:
    """An outcome's label (``strike``: ``Strike (any: Israeli or US, alone or joined)``)."""
    if outcome == STRIKE:
        return "Strike (any: Israeli or US, alone or joined)"
    return LABELS.get(outcome, outcome)


def _percent(value: float, _: object = None) -> str:
    """A probability as a percentage with two significant digits (0.00042 -> 0.042%)."""
    return "0%" if value == 0 else f"{100 * value:.2g}%"


def outcome_colour(outcome: str) -> str:
    """An outcome's colour (``strike``, which is no single outcome, has its own)."""
    return OUTCOME_COLOURS.get(outcome, "#333333")


def outcome_noun(outcome: str) -> str:
    """An outcome's label inside a sentence: ``deal``, ``Israeli strike alone``."""
    if outcome == STRIKE:
        return "strike"
    label = LABELS.get(outcome, outcome)
    return label if label.split()[0] in ("Israeli", "US") else label.lower()


def scenario_title(name: str) -> str:
    """A scenario's name for a title: ``israel_preempts`` -> ``Israel preempts``.

    A name that is already words (it has spaces and no underscores) is kept as it is; a run's
    label (``baseline [actors.us.join_probability=1]``) keeps its overrides as they are.
    """
    text = printable(name)  # a control character in a name is shown, not drawn as a missing glyph
    head, bracket, settings = text.partition(" [")
    if bracket:  # a run's label: the overrides' paths are kept as they were given
        return f"{scenario_title(head)} [{settings}"
    if " " in text and "_" not in text:
        return text
    return plain_words(text)


def param_unit(path: str, scenario: Scenario | None = None) -> str:
    """The unit of a parameter path (:func:`sim.scenario.vocabulary.describe`), ``""`` if unknown.

    ``actors.israel.strike_resolve`` is in utility units of the strike margin,
    ``actors.us_hawks.clout`` a relative weight inside the side.
    """
    return describe(path, scenario).unit


def param_label(path: str, scenario: Scenario | None = None) -> str:
    """A readable axis label of a parameter path: its name, its unit and the path.

    ``actors.israel.strike_resolve`` gives ``Israel's strike resolve (utility units of the
    strike margin)`` over ``(actors.israel.strike_resolve)``.
    """
    unit = param_unit(path, scenario)
    return f"{parameter_name(path, scenario)}{f' ({unit})' if unit else ''}\n({path})"


def parameter_name(path: str, scenario: Scenario | None = None) -> str:
    """A parameter's name alone, for titles and tick labels: ``Israel's strike resolve``.

    The name is the scenario vocabulary's (:func:`sim.scenario.vocabulary.describe`), as a label.
    """
    return describe(path, scenario).title


def actor_colours(spec: Scenario) -> dict[str, tuple[str, Any]]:
    """A colour and line style per actor with ideal points: US blues, Iranian reds, others."""
    counters = {"us": 0, "iran": 0, "other": 0}
    shades = {"us": _US_SHADES, "iran": _IRAN_SHADES, "other": _OTHER_SHADES}
    roles = dict(zip(spec.side_ids(), ("us", "iran"), strict=True))  # enforcer blue, target red
    out: dict[str, tuple[str, Any]] = {}
    for aid, actor in spec.actors.items():
        if not actor.ideal:
            continue
        side = roles.get(actor.principal, "other") if isinstance(actor, Faction) else "other"
        k = counters[side]
        counters[side] += 1
        out[aid] = (shades[side][k % 5], _LINESTYLES[k % len(_LINESTYLES)])
    return out


def actor_label(spec: Scenario, actor_id: str) -> str:
    """An actor's display name with its side: ``Trump (US)``."""
    actor = spec.actors[actor_id]
    name = actor.name or actor_id
    if isinstance(actor, Faction):
        return f"{name} ({_side_name(spec, actor.principal)})"
    return name


def _issue_label(spec: Scenario, issue: str) -> str:
    unit = spec.issues[issue].unit
    return f"{plain_words(issue)} ({unit})" if unit else plain_words(issue)


def _wilson_band(counts: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    bounds = np.array([wilson_interval(int(c), n) for c in counts])
    return bounds[:, 0], bounds[:, 1]
