"""Sweep files: strict, frozen pydantic models validated once at the edge (docs/sweeps.md).

A sweep file names a base scenario, the parameters to vary (by dotted path, as in a scenario's
``overrides:``), a design, the worlds per design point and a root seed. Like a scenario file,
every problem is gathered into one :class:`SweepSpecError` that names the file, the field and,
where the YAML gives it, the line. The field docstrings are the file reference.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, StrictInt, ValidationError, model_validator
from pydantic_core import ErrorDetails, PydanticCustomError

from sim.mechanisms.rng import BLOCK_SIZE
from sim.scenario.loader import (
    Loaded,
    Problem,
    ScenarioError,
    load_scenario,
    problem_at,
    read_yaml,
    validation_problems,
    with_removal,
)
from sim.scenario.params import FiniteFloat, Param, Strict, central, uncertainty
from sim.scenario.paths import override_paths, suggest_path, value_at
from sim.scenario.schema import parameter_paths

DOCS = "docs/sweeps.md"
NAME_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$"
"""A sweep's name: it cannot start with '.', so ``sweeps/NAME`` never climbs out of ``sweeps/``."""
NAME_RULE = (
    "must hold only letters, digits, '_', '.' and '-', and not start with '.' "
    "(it names the default output directory sweeps/NAME)"
)
MAX_POINTS = 100_000
"""Most design points a sweep may have (the design and the merged tables live in memory)."""
MAX_UNITS = 10_000_000
"""Most units of work (design points x seed blocks) a sweep may have (a unit file each)."""
HINTS = 20
"""Unknown parameter paths given a spelling hint (each costs a search of every path)."""
EPOCH = dt.date(1970, 1, 1)
"""A date path's value in the design and the tables: whole days since this day."""


class SweepSpecError(ScenarioError):
    """A sweep file is invalid; ``problems`` lists every problem found."""

    label = "invalid sweep file"


class Parameter(Strict):
    """One parameter the sweep varies, named by its dotted path in the base scenario."""

    values: tuple[Param, ...] | None = Field(default=None, min_length=1)
    """Grid and oat: the values to take, each a number or a distribution as in a scenario file
    (a number only for a path that is not a parameter, such as ``actors.oman.patience``)."""
    low: FiniteFloat | dt.date | None = None
    """Lower end of the range (default: the low end of the base scenario's range); a date
    (``2025-08-30``) for a path that holds a date (``actors.iran.deadline``)."""
    high: FiniteFloat | dt.date | None = None
    """Upper end of the range (default: the high end of the base scenario's range); a date
    for a path that holds a date."""
    num: StrictInt | None = Field(default=None, ge=1, le=100_000)
    """Grid and oat: this many evenly spaced values from ``low`` to ``high``, both included."""

    @model_validator(mode="after")
    def _one_form(self) -> Parameter:
        if self.values is not None and (self.low, self.high, self.num) != (None, None, None):
            raise ValueError("give either 'values' or a range ('low', 'high', 'num'), not both")
        if (self.low is None) != (self.high is None):
            raise ValueError("give both 'low' and 'high', or neither (the base scenario's range)")
        if self.low is None or self.high is None:
            return self
        if isinstance(self.low, dt.date) != isinstance(self.high, dt.date):
            raise ValueError("give 'low' and 'high' both as dates or both as numbers")
        if not self.low <= self.high:  # type: ignore[operator]  # both dates or both numbers
            raise ValueError(f"needs low <= high, got low={self.low}, high={self.high}")
        return self


class GridDesign(Strict):
    """Every combination of the parameters' values (the first parameter varies slowest)."""

    kind: Literal["grid"]
    """Design name."""


class LatinHypercubeDesign(Strict):
    """A Latin hypercube sample of the parameters' ranges (McKay, Beckman and Conover 1979)."""

    kind: Literal["lhs"]
    """Design name."""
    samples: StrictInt = Field(ge=1, le=1_000_000)
    """Number of design points."""


class SobolDesign(Strict):
    """Saltelli's sampling scheme for Sobol' indices (Saltelli 2002; Saltelli et al. 2010).

    ``samples`` base points give ``samples * (D + 2)`` design points for ``D`` parameters
    (``samples * (2D + 2)`` with ``second_order``), drawn by SALib (Herman and Usher 2017).
    """

    kind: Literal["sobol"]
    """Design name."""
    samples: StrictInt = Field(ge=2, le=1_048_576)
    """Base sample size N, a power of 2 (Sobol' sequences balance only at powers of 2)."""
    second_order: StrictBool = False
    """Also estimate second-order indices (doubles the design)."""

    @model_validator(mode="after")
    def _power_of_two(self) -> SobolDesign:
        if self.samples & (self.samples - 1):
            lower = 1 << (self.samples.bit_length() - 1)
            raise ValueError(f"samples must be a power of 2, like {lower} or {2 * lower}")
        return self


class MorrisDesign(Strict):
    """Morris trajectories for elementary effects (Morris 1991; Campolongo et al. 2007).

    ``trajectories`` trajectories give ``trajectories * (D + 1)`` design points.
    """

    kind: Literal["morris"]
    """Design name."""
    trajectories: StrictInt = Field(ge=2, le=100_000)
    """Number of trajectories r."""
    levels: StrictInt = Field(default=4, ge=2, le=100)
    """Grid levels p of each parameter's range (an even number)."""

    @model_validator(mode="after")
    def _even_levels(self) -> MorrisDesign:
        if self.levels % 2:
            raise ValueError(f"levels must be even (Morris 1991), got {self.levels}")
        return self


class RowsDesign(Strict):
    """Explicit design points, each a mapping of dotted paths to values.

    Rows may set different paths: a path a row leaves out keeps the base scenario's value (and
    its column in the tables shows the base's central value). An empty row ``{}`` is the base.
    """

    kind: Literal["rows"]
    """Design name."""
    rows: tuple[dict[str, Param], ...] = Field(min_length=1)
    """The design points, in order."""


class OneAtATimeDesign(Strict):
    """One at a time: each parameter moved alone over its values, the others left at the base.

    A parameter's values are given as in a grid (``values``, or ``low``/``high``/``num``). The
    points are the base scenario itself (with ``baseline``), then every value of the first
    parameter, then of the second, and so on: ``sum of the value counts (+ 1)`` points. Every
    other parameter keeps the base scenario's spec (drawn per world where it is a distribution);
    its column in the tables shows the base's central value.
    """

    kind: Literal["oat"]
    """Design name."""
    baseline: StrictBool = True
    """Also run the base scenario unchanged, as point 0 (the reference of every effect)."""


Design = Annotated[
    GridDesign | LatinHypercubeDesign | SobolDesign | MorrisDesign | RowsDesign | OneAtATimeDesign,
    Field(discriminator="kind"),
]
SAMPLED = ("lhs", "sobol", "morris")


class SweepSpec(Strict):
    """A sweep: a base scenario, the parameters to vary, a design, worlds and a root seed."""

    name: str = Field(min_length=1, max_length=100, pattern=NAME_PATTERN)
    """Short name, used in tables and as the default output directory ``sweeps/NAME``."""
    description: str = ""
    """What question the sweep asks."""
    base: str = Field(min_length=1)
    """The base scenario file, relative to the sweep file."""
    uncertain: Literal["all"] | None = None
    """``all``: also vary every uncertain parameter of the base scenario (one with a
    distribution, or a ``range:`` wider than its value), each over its own range, in the base's
    file order; read from the base each time the sweep is loaded, so a parameter the scenario
    gains is swept without editing the sweep. An entry of ``parameters`` overrides the one of the
    same path, and the others follow. Sampled designs only (``lhs``, ``sobol``, ``morris``)."""
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    """The parameters to vary, by dotted path; omit with ``rows`` (the rows name them)."""
    design: Design
    """The design: ``grid``, ``oat``, ``lhs``, ``sobol``, ``morris`` or ``rows`` (``kind:``)."""
    worlds: StrictInt = Field(ge=1, le=1_000_000_000)
    """Worlds per design point."""
    seed: StrictInt = Field(ge=0, le=2**63 - 1)
    """Root seed. Every design point uses the same world-block seeds (common random numbers)."""
    block_size: StrictInt = Field(default=BLOCK_SIZE, ge=1, le=1_000_000)
    """Worlds per seed block (the unit of work; part of the results, so recorded)."""
    per_world: StrictBool = False
    """Also write every world's row, under ``worlds/point=N/block=B.parquet``."""

    @model_validator(mode="before")
    @classmethod
    def _design_shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("design"), str):
            return {**data, "design": {"kind": data["design"]}}
        return data

    @model_validator(mode="after")
    def _fits_design(self) -> SweepSpec:
        problems = design_problems(self)
        if problems:
            raise PydanticCustomError(
                "sweep_design", "{summary}", {"summary": "; ".join(problems), "problems": problems}
            )
        return self

    def paths(self) -> list[str]:
        """The dotted paths the design varies, in order (for rows: in order of first use)."""
        if isinstance(self.design, RowsDesign):
            return list(dict.fromkeys(path for row in self.design.rows for path in row))
        return list(self.parameters)


def design_problems(spec: SweepSpec) -> list[str]:
    """Cross-field checks: the parameters suit the design, which is not too large.

    Returns ``path: message`` strings (the size is checked once the parameters are right). With
    ``uncertain``, the parameters' count and the size are checked once the base is read
    (:func:`expand_uncertain`).
    """
    kind = spec.design.kind
    if spec.uncertain is not None and kind not in SAMPLED:
        return [
            f"uncertain: takes a sampled design (lhs, sobol or morris), not '{kind}': "
            "the other designs need each parameter's values"
        ]
    rows = isinstance(spec.design, RowsDesign)
    out = _rows_problems(spec) if rows else _parameter_problems(spec)
    return out if out or spec.uncertain is not None else _size_problems(spec)


def _rows_problems(spec: SweepSpec) -> list[str]:
    """A rows design: no ``parameters``, and some row gives a path."""
    assert isinstance(spec.design, RowsDesign)
    out = []
    if spec.parameters:
        out.append("parameters: with a 'rows' design leave 'parameters' out (rows name them)")
    if not spec.paths():
        out.append("design.rows.0: the rows must give at least one path between them")
    return out


def _parameter_problems(spec: SweepSpec) -> list[str]:
    """Every parameter takes the form its design needs (values/num, or a range)."""
    kind = spec.design.kind
    if not spec.parameters and spec.uncertain is None:
        return [f"parameters: a '{kind}' design needs at least one parameter"]
    out = []
    for path, p in spec.parameters.items():
        if kind in ("grid", "oat") and p.values is None and p.num is None:
            out.append(
                f"parameters.{path}: {_article(kind)} '{kind}' design needs 'values' or 'num'"
            )
        if kind in SAMPLED and (p.values is not None or p.num is not None):
            out.append(
                f"parameters.{path}: {_article(kind)} '{kind}' design takes a range, "
                "not 'values'/'num'"
            )
    return out


def _article(word: str) -> str:
    """'a' or 'an' before ``word`` (by its first letter)."""
    return "an" if word[:1] in "aeiou" else "a"


def design_size(spec: SweepSpec) -> int:
    """The number of design points, counted without drawing or enumerating any of them.

    A grid is the product of its parameters' value counts; ``lhs`` has ``samples`` points,
    ``sobol`` ``samples * (D + 2)`` (``samples * (2D + 2)`` with ``second_order``), ``morris``
    ``trajectories * (D + 1)``, ``rows`` one point a row, and ``oat`` the sum of the parameters'
    value counts (plus the base). Assumes :func:`design_problems` found no problem with the
    parameters.
    """
    design, dims = spec.design, len(spec.parameters)
    given = spec.parameters.values()
    counts = [len(p.values) if p.values is not None else (p.num or 0) for p in given]
    if isinstance(design, RowsDesign):
        return len(design.rows)
    if isinstance(design, OneAtATimeDesign):
        return sum(counts) + design.baseline
    if isinstance(design, LatinHypercubeDesign):
        return design.samples
    if isinstance(design, SobolDesign):
        return design.samples * ((2 * dims if design.second_order else dims) + 2)
    if isinstance(design, MorrisDesign):
        return design.trajectories * (dims + 1)
    return math.prod(counts)


SIZE_FIELDS = {
    "grid": ("parameters", "use fewer values (a grid is the product of every parameter's)"),
    "lhs": ("design.samples", "lower 'samples'"),
    "sobol": ("design.samples", "lower 'samples' (N base samples give N * (D + 2) points)"),
    "morris": ("design.trajectories", "lower 'trajectories' (r give r * (D + 1) points)"),
    "rows": ("design.rows", "split the rows over several sweeps"),
    "oat": ("parameters", "use fewer values (one point per value of each parameter)"),
}
"""Per design: the field that sets its number of points, and how to lower it."""


def _size_problems(spec: SweepSpec) -> list[str]:
    """Refuse a design of more than ``MAX_POINTS`` points or ``MAX_UNITS`` units of work.

    Checked before anything is drawn or allocated: a file of a few lines can ask for 10^15
    points (three parameters with ``num: 100000``) or 10^9 blocks (``block_size: 1``).
    """
    points = design_size(spec)
    if points > MAX_POINTS:
        where, hint = SIZE_FIELDS[spec.design.kind]
        return [
            f"{where}: the design has {points:,} points, more than the {MAX_POINTS:,} a sweep "
            f"may have: {hint}"
        ]
    blocks = -(-spec.worlds // spec.block_size)
    if points * blocks > MAX_UNITS:
        return [
            f"block_size: {points:,} design point(s) x {blocks:,} blocks ({spec.worlds:,} worlds "
            f"in blocks of {spec.block_size:,}) make {points * blocks:,} units of work, more "
            f"than the {MAX_UNITS:,} a sweep may have: raise 'block_size' or lower 'worlds'"
        ]
    return []


@dataclass(frozen=True)
class LoadedSweep:
    """A validated sweep with its loaded base scenario and each sampled parameter's range.

    ``central`` holds every varied path's value in the base scenario (a parameter's central
    value), shown for a path a design point leaves alone; ``whole`` the paths that take whole
    numbers (``actors.oman.patience``); ``dates`` those that hold a date
    (``actors.iran.deadline``), whose values, bounds and table columns are whole days since
    :data:`EPOCH`. With ``uncertain: all``, ``spec`` is the expanded spec
    (:func:`expand_uncertain`).
    """

    spec: SweepSpec
    base: Loaded
    source: str
    bounds: dict[str, tuple[float, float]]
    central: dict[str, float] = field(default_factory=dict)
    whole: frozenset[str] = frozenset()
    dates: frozenset[str] = frozenset()

    @property
    def sha256(self) -> str:
        """Hash of the validated spec (defaults filled in) together with the base scenario's."""
        text = json.dumps(
            {"spec": self.spec.model_dump(mode="json"), "scenario": self.base.sha256},
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def blocks(self) -> int:
        """Seed blocks per design point."""
        return -(-self.spec.worlds // self.spec.block_size)


SweepLike = str | Path | Mapping[str, Any] | SweepSpec | LoadedSweep


def load_sweep(source: SweepLike) -> LoadedSweep:
    """Load and validate a sweep from a YAML file, a mapping or a :class:`SweepSpec`.

    A mapping's (or spec's) ``base`` is relative to the working directory; a file's to the file.

    Raises:
        SweepSpecError: every problem with the sweep file.
        ScenarioError: every problem with the base scenario.
    """
    if isinstance(source, LoadedSweep):
        return source
    lines: dict[str, tuple[str, int]] = {}
    if isinstance(source, SweepSpec):
        spec, file, here = source, "<spec>", Path.cwd()
    else:
        if isinstance(source, Mapping):
            raw, file, here = dict(source), "<mapping>", Path.cwd()
        else:
            raw, lines = _read_sweep_file(Path(source))
            file, here = str(source), Path(source).parent
        spec = _validate(raw, file, lines)
    base = _load_base(spec, here, file, lines)
    return _resolve_paths(expand_uncertain(spec, base, file, lines), base, file, lines)


def is_uncertain(param: Any) -> bool:
    """Whether a parameter is uncertain: a distribution, or a value with a wider ``range:``."""
    low, high = uncertainty(param)
    return bool(low < high)


def expand_uncertain(
    spec: SweepSpec,
    base: Loaded,
    file: str = "<spec>",
    lines: Mapping[str, tuple[str, int]] | None = None,
) -> SweepSpec:
    """The spec with ``uncertain: all`` spelt out as parameters (the spec itself without it).

    Every uncertain parameter of the base (:func:`is_uncertain`), in the base's file order,
    takes its own range (an empty entry); an entry the file gives for the same path replaces it
    in place, and the file's other entries follow in their order. The design's size is then
    checked as for a file that lists them.

    Raises:
        SweepSpecError: the expanded design is too large, or has no parameter.
    """
    if spec.uncertain is None:
        return spec
    found = {
        path: Parameter() for path, p in parameter_paths(base.scenario).items() if is_uncertain(p)
    }
    expanded = spec.model_copy(update={"parameters": {**found, **spec.parameters}})
    if not expanded.parameters:
        message = f"the base scenario {base.source} has no uncertain parameter, nor 'parameters'"
        raise SweepSpecError([problem_at(file, "uncertain", message, lines or {})])
    problems = _size_problems(expanded)
    if problems:
        where, _, message = problems[0].partition(": ")
        message += f" (uncertain: all gives {len(expanded.parameters)} parameters)"
        raise SweepSpecError([problem_at(file, where, message, lines or {})])
    return expanded


def _load_base(
    spec: SweepSpec, here: Path, file: str, lines: Mapping[str, tuple[str, int]]
) -> Loaded:
    """Load the base scenario.

    A base that is missing, not a regular file, or a sweep file is a problem of the sweep
    file's ``base:``; a problem inside a real scenario file is that file's.

    Raises:
        SweepSpecError: the base is missing, not a regular file, or a sweep file.
        ScenarioError: the base scenario's own problems.
    """
    path = here / spec.base
    relative = "the working directory" if file in ("<mapping>", "<spec>") else "the sweep file"
    problem = _not_a_file(path, f"the base scenario {path} (relative to {relative})")
    if problem is not None:
        raise SweepSpecError([problem_at(file, "base", problem, lines)])
    try:
        return load_scenario(path)
    except ScenarioError:
        if _is_sweep_file(path):
            itself = file not in ("<mapping>", "<spec>") and _same_file(path, Path(file))
            what = "this sweep file itself" if itself else f"{path}, a sweep file"
            message = f"names {what}, not a scenario: a base must be a scenario file"
            raise SweepSpecError([problem_at(file, "base", message, lines)]) from None
        raise


def _not_a_file(path: Path, what: str) -> str | None:
    """Why ``path`` cannot be read as a YAML file (missing, a directory, a device), or None.

    A FIFO or ``/dev/zero`` would block or never end, so they are refused unread.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return f"{what} does not exist"
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        return f"{what} cannot be read ({getattr(exc, 'strerror', None) or exc})"
    if stat.S_ISDIR(mode):
        return f"{what} is a directory, not a file"
    if not stat.S_ISREG(mode):
        return f"{what} is not a regular file (a FIFO, a socket or a device)"
    return None


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name the same file."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _is_sweep_file(path: Path) -> bool:
    """Whether ``path`` reads as a sweep file (a mapping with a top-level ``design:``)."""
    try:
        raw, _ = read_yaml(path)
    except ScenarioError:
        return False
    return "design" in raw


def _read_sweep_file(path: Path) -> tuple[dict[str, Any], dict[str, tuple[str, int]]]:
    """Read the sweep file; a file that cannot be read is a problem of the sweep file."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        mode = None  # missing or unreadable: read_yaml says which
    if mode is not None and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        message = "is not a regular file (a FIFO, a socket or a device): not a sweep file"
        raise SweepSpecError([Problem(str(path), "", message)])
    try:
        return read_yaml(path)
    except ScenarioError as exc:
        problems = [
            Problem(p.file, p.path, p.message.replace("scenario file", "sweep file"), p.line)
            for p in exc.problems
        ]
        raise SweepSpecError(problems) from None


def _validate(raw: dict[str, Any], file: str, lines: Mapping[str, tuple[str, int]]) -> SweepSpec:
    if "design" not in raw:
        message = "a sweep file needs a top-level 'design:' key (is this a scenario file?)"
        raise SweepSpecError([Problem(file, "design", message)])
    try:
        return SweepSpec.model_validate(raw)
    except ValidationError as exc:
        problems = validation_problems(
            exc, raw, file, lines, nested="sweep_design", docs=DOCS, reword=_reword
        )
        raise SweepSpecError(problems) from None


def _reword(err: ErrorDetails, path: str, message: str) -> str:
    """A sweep's name that breaks the pattern says what a name may hold."""
    if err["type"] == "string_pattern_mismatch" and path == "name":
        return f"{str(err['input'])[:100]!r}: a name {NAME_RULE}"
    return message


def _resolve_paths(
    spec: SweepSpec, base: Loaded, file: str, lines: Mapping[str, tuple[str, int]]
) -> LoadedSweep:
    """Check every path is one ``--set`` accepts and takes the design's values; fill in ranges.

    A path of a parameter (a number or a distribution) is swept as before; any other path that
    ``--set`` accepts must hold a number in the base scenario (``actors.oman.patience``), which
    takes plain numbers (whole numbers if it holds one), or a date (``actors.iran.deadline``),
    which takes ``low``/``high`` dates; either needs ``low``/``high`` for a range.
    """
    known = parameter_paths(base.scenario)
    settable = override_paths(base)
    accepted = set(settable)
    where = "parameters" if spec.parameters else "design.rows"
    problems: list[Problem] = []
    bounds: dict[str, tuple[float, float]] = {}
    centers: dict[str, float] = {}
    whole: set[str] = set()
    dates: set[str] = set()
    for path in spec.paths():
        at = f"{where}.{path}"
        if path not in accepted:
            near = suggest_path(path, settable) if len(problems) < HINTS else None
            hint = f" (did you mean '{near}'?)" if near else ""
            message = (
                f"no path '{path}' that --set accepts in the base scenario {base.source}{hint}"
            )
            problems.append(with_removal(problem_at(file, at, message, lines), base.removed))
            continue
        value = known[path] if path in known else value_at(base.scenario, path)
        if path not in known and isinstance(value, int) and not isinstance(value, bool):
            whole.add(path)
        if isinstance(value, dt.date):
            dates.add(path)
        found = (
            _parameter_range(spec, path, value)
            if path in known
            else _date_range(spec, path, value)
            if isinstance(value, dt.date)
            else _number_range(spec, path, value)
        )
        if isinstance(found, str):
            problems.append(problem_at(file, at, found, lines))
            continue
        centers[path], span = found
        if span is not None:
            bounds[path] = span
    if problems:
        raise SweepSpecError(problems)
    return LoadedSweep(spec, base, file, bounds, centers, frozenset(whole), frozenset(dates))


def _parameter_range(
    spec: SweepSpec, path: str, param: Any
) -> str | tuple[float, tuple[float, float] | None]:
    """A parameter's central value and its range for the design (None with values), or why not."""
    p = spec.parameters.get(path)
    center = float(central(param))
    if p is None or p.values is not None:
        return center, None
    if isinstance(p.low, dt.date) or isinstance(p.high, dt.date):
        return "is a number (a parameter), not a date: give 'low' and 'high' as numbers"
    if p.low is not None and p.high is not None:
        lo, hi = p.low, p.high
    else:
        lo, hi = uncertainty(param)
    if math.isclose(lo, hi) and (spec.design.kind in SAMPLED or (p.num or 0) > 1):
        return (
            f"give 'low' and 'high': the base scenario fixes it at {lo:g} with no range"
            if p.low is None
            else f"needs low < high for a '{spec.design.kind}' design, got {lo:g}"
        )
    return center, (float(lo), float(hi))


def _number_range(
    spec: SweepSpec, path: str, value: Any
) -> str | tuple[float, tuple[float, float] | None]:
    """A plain number's value and range for the design (None with values), or why not.

    A whole-number path's values, and its ``low`` and ``high``, must be whole; a sampled
    design's draws are rounded to whole numbers (:mod:`sim.runs.sweeps.design`).
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        kind = type(value).__name__
        return f"holds {kind} in the base scenario, not a number: a sweep moves numbers"
    whole = isinstance(value, int)
    given = _given_values(spec, path)
    if any(not isinstance(v, int | float) for v in given):
        return "is not a parameter: give plain numbers, not distributions"
    if whole and any(not float(v).is_integer() for v in given):
        return f"takes whole numbers, got {[v for v in given if not float(v).is_integer()][:3]}"
    p = spec.parameters.get(path)
    if p is None or p.values is not None:
        return float(value), None
    if p.low is None or p.high is None:
        return f"give 'low' and 'high': the base scenario has the plain number {value:g}, no range"
    if isinstance(p.low, dt.date) or isinstance(p.high, dt.date):
        return f"holds the number {value:g}, not a date: give 'low' and 'high' as numbers"
    span = (float(p.low), float(p.high))
    problem = _step_problem(spec, p.num, span, "whole numbers" if whole else None)
    return problem if problem else (float(value), span)


def _date_range(
    spec: SweepSpec, path: str, value: dt.date
) -> str | tuple[float, tuple[float, float] | None]:
    """A date path's day number and range, in whole days since :data:`EPOCH`, or why not.

    Its range is given as dates (``low: 2025-08-30``); a grid's steps must be whole days, and a
    sampled design's draws are rounded to whole days (:mod:`sim.runs.sweeps.design`).
    """
    if _given_values(spec, path):
        return f"holds a date ({value}): give 'low' and 'high' as dates, not values"
    center = float((value - EPOCH).days)
    p = spec.parameters.get(path)
    if p is None:
        return center, None
    if p.low is None or p.high is None:
        return f"give 'low' and 'high' as dates: the base scenario has the date {value}, no range"
    if not (isinstance(p.low, dt.date) and isinstance(p.high, dt.date)):
        return f"holds a date ({value}): give 'low' and 'high' as dates (2025-08-30), not numbers"
    span = (float((p.low - EPOCH).days), float((p.high - EPOCH).days))
    problem = _step_problem(spec, p.num, span, "whole days")
    return problem if problem else (center, span)


def _step_problem(
    spec: SweepSpec, num: int | None, span: tuple[float, float], whole: str | None
) -> str | None:
    """Why a plain path's range does not suit the design, or None.

    A sampled design needs ``low < high``; a path of ``whole`` units (whole numbers, whole
    days) needs whole ends, and in a grid or one-at-a-time design whole steps.
    """
    low, high = span
    if spec.design.kind in SAMPLED and not low < high:
        return f"needs low < high for a '{spec.design.kind}' design, got {low:g}"
    if whole is None:
        return None
    if not (low.is_integer() and high.is_integer()):
        return f"takes {whole}: give whole 'low' and 'high', got {low:g} and {high:g}"
    if num is not None and num > 1 and not ((high - low) / (num - 1)).is_integer():
        return f"takes {whole}: low, high and num must give whole steps"
    return None


def rounding_warnings(sweep: LoadedSweep) -> list[str]:
    """The whole-number and date paths whose Morris levels fall between whole units.

    SALib draws a Morris design on ``levels`` evenly spaced values from ``low`` to ``high``
    (Morris 1991); the values run at such a path are those rounded to whole units. When
    ``(high - low) / (levels - 1)`` is whole, the levels are whole already and each step of a
    trajectory moves the path by the nominal step, so the elementary effects are exact. When it
    is not, a rounded step may not move the path at all (its elementary effect then counts as 0)
    or move it by more or less than the step the effect is divided by.
    """
    design = sweep.spec.design
    if not isinstance(design, MorrisDesign):
        return []
    out = []
    for path in sorted(sweep.whole | sweep.dates, key=sweep.spec.paths().index):
        if path not in sweep.bounds:
            continue
        low, high = sweep.bounds[path]
        step = (high - low) / (design.levels - 1)
        if not step.is_integer():
            days = " days" if path in sweep.dates else ""
            out.append(
                f"parameters.{path}: its {design.levels} Morris levels lie {step:.4g}{days} "
                "apart, not a whole number: rounded, some steps of a trajectory move it by "
                "another amount or not at all; choose 'low' and 'high' a multiple of "
                f"{design.levels - 1}{days} apart"
            )
    return out


def _given_values(spec: SweepSpec, path: str) -> list[Any]:
    """The explicit values a design gives a path (its ``values``, or every row's)."""
    if isinstance(spec.design, RowsDesign):
        return [row[path] for row in spec.design.rows if path in row]
    p = spec.parameters.get(path)
    return list(p.values) if p is not None and p.values is not None else []
