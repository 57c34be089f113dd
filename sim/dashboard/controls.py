"""What the dashboard lets an analyst change, as dotted-path overrides of a scenario.

Plain functions and small frozen classes, no UI: the Solara app (:mod:`sim.dashboard.app`) only
shows them. A slider that was never moved leaves the scenario's own parameter (often a
distribution each world draws from) untouched; a moved slider fixes the parameter at its value
in every world, as ``negsim run --set PATH=VALUE`` does.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.scenario import vocabulary
from sim.scenario.loader import Loaded, load_scenario, read_yaml
from sim.scenario.params import ParamSpec
from sim.scenario.schema import Scenario, parameter_paths


@dataclass(frozen=True)
class Control:
    """A slider over one scenario parameter; its value is the parameter's value."""

    key: str
    help: str
    paths: tuple[str, ...]
    lo: float
    hi: float
    step: float

    def label(self, scenario: Scenario) -> str:
        """The slider's name: its parameter's name and unit in the scenario vocabulary."""
        name = vocabulary.describe(self.paths[0], scenario)
        return f"{name.title} ({name.unit})" if name.unit else name.title

    def available(self, params: Mapping[str, ParamSpec]) -> bool:
        """Whether the scenario has every parameter the control sets."""
        return all(path in params for path in self.paths)

    def default(self, params: Mapping[str, ParamSpec]) -> float:
        """The slider's position before it is moved: the parameter's central value."""
        return params[self.paths[0]].central()

    def overrides(self, value: float, params: Mapping[str, ParamSpec]) -> dict[str, float]:
        """The dotted-path overrides that put the slider at ``value``."""
        return {self.paths[0]: _tidy(value)}

    def bounds(self, params: Mapping[str, ParamSpec]) -> tuple[float, float]:
        """The slider's range, widened to hold the scenario's own value."""
        default = self.default(params)
        return min(self.lo, default), max(self.hi, default)

    def scenario_text(self, params: Mapping[str, ParamSpec]) -> str:
        """What the scenario itself sets, in the slider's own quantity.

        ``0.35`` for a fixed value; ``0.35 (drawn per world, 0.2 to 0.45)`` for a distribution
        (its central value, then its support).
        """
        return _spec_text(params[self.paths[0]])

    def is_default(self, value: float, params: Mapping[str, ParamSpec]) -> bool:
        """Whether ``value`` is the scenario's own, within half a step.

        A browser slider snaps its starting value to its step grid and reports the snapped
        value as a move; that is not the analyst's choice.
        """
        return abs(value - self.default(params)) < self.step / 2


@dataclass(frozen=True)
class BalanceControl(Control):
    """A slider over the split of two factions' combined clout; its value is the first's share.

    The combined clout (of the central values) is kept, so other factions' shares do not move.
    """

    name: str
    """The slider's name (it moves two parameters, so neither one's name is its own)."""
    clout_names: tuple[str, str] = ("hawks", "doves")
    """Short names of the two factions, for the line under the slider."""

    def label(self, scenario: Scenario) -> str:
        """The slider's name."""
        return self.name

    def default(self, params: Mapping[str, ParamSpec]) -> float:
        """The first faction's share of the pair's central clout."""
        first, second = (params[path].central() for path in self.paths)
        return first / (first + second) if first + second > 0 else 0.5

    def overrides(self, value: float, params: Mapping[str, ParamSpec]) -> dict[str, float]:
        """Both factions' clout, splitting their combined central clout at ``value``."""
        total = sum(params[path].central() for path in self.paths)
        return {self.paths[0]: _tidy(value * total), self.paths[1]: _tidy((1 - value) * total)}

    def scenario_text(self, params: Mapping[str, ParamSpec]) -> str:
        """The scenario's share, then each faction's clout apart.

        A share and a clout are two quantities: one number must not be shown with the other's
        range (``a share of 0.6 at the central clouts; clout: hawks 0.3 (drawn per world, 0.2
        to 0.45), doves 0.2 (...)``).
        """
        share = f"a share of {self.default(params):.4g} at the central clouts"
        names = self.clout_names
        parts = [f"{names[k]} {_spec_text(params[p])}" for k, p in enumerate(self.paths)]
        return f"{share}; clout: {', '.join(parts)}"


def _spec_text(spec: ParamSpec) -> str:
    """A parameter's central value and, if it is drawn, its support."""
    lo, hi = spec.bounds()
    if lo == hi:
        return f"{spec.central():.4g}"
    return f"{spec.central():.4g} (drawn per world, {lo:.4g} to {hi:.4g})"


def _tidy(value: float) -> float:
    """Round away slider noise (0.30000000000000004) so overrides read cleanly."""
    return float(f"{value:.6g}")


CONTROLS: tuple[Control, ...] = (
    BalanceControl(
        "us_balance",
        "0: Witkoff's deal camp holds it all; 1: Rubio and the hardliners do. "
        "The president's own clout does not change.",
        ("actors.us_hawks.clout", "actors.us_doves.clout"),
        0.0,
        1.0,
        0.05,
        name="Washington: hawks' share of hawk and dove clout",
    ),
    Control(
        "israel_resolve",
        "Added to Israel's strike margin (utility units): higher means readier to strike.",
        ("actors.israel.strike_resolve",),
        -0.15,
        0.15,
        0.005,
    ),
    Control(
        "iran_pressure",
        "0: none; 1: the economy at breaking point.",
        ("actors.iran.pressure_initial",),
        0.0,
        1.0,
        0.05,
    ),
    Control(
        "iran_pressure_rate",
        "How fast pressure mounts while there is no deal.",
        ("actors.iran.pressure_rate",),
        0.0,
        0.05,
        0.001,
    ),
    Control(
        "e3_hazard",
        "The base weekly chance the E3 trigger the UN snapback; it rises before the expiry.",
        ("actors.e3.hazard",),
        0.0,
        0.05,
        0.001,
    ),
    Control(
        "us_join",
        "US joining: the chance a US that has backed Israel joins the strike Israel starts "
        "(0: Israel always alone).",
        ("actors.us.join_probability",),
        0.0,
        1.0,
        0.05,
    ),
    Control(
        "oman_give_up",
        "The mediator: once Oman's patience is spent (failed sessions in a row), its chance "
        "each session of giving up hosting the talks. A collapse it causes raises Israel's "
        "risk.",
        ("actors.oman.give_up_hazard",),
        0.0,
        0.1,
        0.005,
    ),
)
"""The parameters an analyst touches first, in the order the sidebar shows them."""


@dataclass(frozen=True)
class ShockChoice:
    """A shock the analyst may switch on or off, and whether the scenario has it already."""

    name: str
    description: str
    in_scenario: bool


@dataclass(frozen=True)
class ScenarioInfo:
    """A scenario file as the dashboard offers it: its controls and shocks."""

    path: Path
    loaded: Loaded
    params: dict[str, ParamSpec]
    controls: tuple[Control, ...]
    shocks: tuple[ShockChoice, ...]


def scenario_files(directory: Path) -> list[Path]:
    """The scenario files of a directory (``*.yaml``, not the shock library), by name."""
    return sorted(directory.glob("*.yaml"))


def shock_library(directory: Path) -> dict[str, Path]:
    """The library shocks beside the scenarios (``shocks/NAME.yaml``), by name."""
    return {path.stem: path for path in sorted((directory / "shocks").glob("*.yaml"))}


def describe(path: Path) -> ScenarioInfo:
    """Load a scenario file and list the controls and shocks it offers.

    Raises:
        ScenarioError: if the scenario is invalid.
    """
    loaded = load_scenario(path)
    params = parameter_paths(loaded.scenario)
    own = loaded.scenario.shocks
    shocks = [ShockChoice(n, s.description, True) for n, s in own.items()]
    for name, file in shock_library(path.parent).items():
        if name not in own:
            shocks.append(ShockChoice(name, _shock_description(file), False))
    controls = tuple(c for c in CONTROLS if c.available(params))
    return ScenarioInfo(path, loaded, params, controls, tuple(shocks))


def _shock_description(path: Path) -> str:
    try:
        raw, _ = read_yaml(path)
    except Exception:  # a broken library file is reported when it is switched on
        return ""
    description = raw.get("description", "")
    return description if isinstance(description, str) else ""


def overrides_for(info: ScenarioInfo, moved: Mapping[str, float]) -> dict[str, float]:
    """The dotted-path overrides of the sliders that were moved (by control key)."""
    out: dict[str, float] = {}
    for control in info.controls:
        if control.key in moved:
            out.update(control.overrides(moved[control.key], info.params))
    return out


def shocks_on(info: ScenarioInfo, chosen: Mapping[str, bool]) -> dict[str, bool]:
    """Each shock on or off: the analyst's choice, else on exactly when the scenario has it."""
    return {s.name: chosen.get(s.name, s.in_scenario) for s in info.shocks}


def with_shocks(info: ScenarioInfo, chosen: Mapping[str, bool]) -> dict[str, Any]:
    """The scenario's merged mapping with shocks switched off removed and library shocks added.

    Raises:
        ScenarioError: if a library shock file cannot be read.
    """
    raw = copy.deepcopy(info.loaded.raw)
    own = raw.get("shocks") or {}
    library = shock_library(info.path.parent)
    shocks: dict[str, Any] = {}
    for name, on in shocks_on(info, chosen).items():
        if on:
            shocks[name] = own[name] if name in own else read_yaml(library[name])[0]
    raw["shocks"] = shocks
    return raw


def shock_changes(info: ScenarioInfo, chosen: Mapping[str, bool]) -> tuple[list[str], list[str]]:
    """The library shocks added and the scenario's shocks removed by the analyst's choices."""
    on = shocks_on(info, chosen)
    added = [s.name for s in info.shocks if on[s.name] and not s.in_scenario]
    removed = [s.name for s in info.shocks if s.in_scenario and not on[s.name]]
    return added, removed


def default_directory() -> Path:
    """``scenarios/`` in the working directory, else the one beside the package."""
    here = Path("scenarios")
    if here.is_dir():
        return here.resolve()
    return Path(__file__).resolve().parents[2] / "scenarios"


def initial_scenario(given: str | None, directory: Path) -> Path | None:
    """The scenario to open: the one given, else ``baseline.yaml``, else the first file."""
    if given:
        return Path(given).resolve()
    files = scenario_files(directory)
    baseline = directory / "baseline.yaml"
    if baseline in files:
        return baseline
    return files[0] if files else None
