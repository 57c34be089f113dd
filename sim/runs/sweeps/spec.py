"""Sweep files: strict, frozen pydantic models validated once at the edge (docs/sweeps.md).

A sweep file names a base scenario, the parameters to vary (by dotted path, as in a scenario's
``overrides:``), a design, the worlds per design point and a root seed. Like a scenario file,
every problem is gathered into one :class:`SweepSpecError` that names the file, the field and,
where the YAML gives it, the line. The field docstrings are the file reference.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
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
)
from sim.scenario.params import FiniteFloat, Param, Strict, uncertainty
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


class SweepSpecError(ScenarioError):
    """A sweep file is invalid; ``problems`` lists every problem found."""

    label = "invalid sweep file"


class Parameter(Strict):
    """One parameter the sweep varies, named by its dotted path in the base scenario."""

    values: tuple[Param, ...] | None = Field(default=None, min_length=1)
    """Grid only: the values to take, each a number or a distribution as in a scenario file."""
    low: FiniteFloat | None = None
    """Lower end of the range (default: the low end of the base scenario's range)."""
    high: FiniteFloat | None = None
    """Upper end of the range (default: the high end of the base scenario's range)."""
    num: StrictInt | None = Field(default=None, ge=1, le=100_000)
    """Grid only: this many evenly spaced values from ``low`` to ``high``, both included."""

    @model_validator(mode="after")
    def _one_form(self) -> Parameter:
        if self.values is not None and (self.low, self.high, self.num) != (None, None, None):
            raise ValueError("give either 'values' or a range ('low', 'high', 'num'), not both")
        if (self.low is None) != (self.high is None):
            raise ValueError("give both 'low' and 'high', or neither (the base scenario's range)")
        if self.low is not None and self.high is not None and not self.low <= self.high:
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
    """Explicit design points, each a mapping of dotted paths to values."""

    kind: Literal["rows"]
    """Design name."""
    rows: tuple[dict[str, Param], ...] = Field(min_length=1)
    """The design points; every row gives the same paths."""


Design = Annotated[
    GridDesign | LatinHypercubeDesign | SobolDesign | MorrisDesign | RowsDesign,
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
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    """The parameters to vary, by dotted path; omit with ``rows`` (the rows name them)."""
    design: Design
    """The design: ``grid``, ``lhs``, ``sobol``, ``morris`` or ``rows`` (``kind:``)."""
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
        """The dotted paths the design varies, in order."""
        if isinstance(self.design, RowsDesign):
            return list(self.design.rows[0])
        return list(self.parameters)


def design_problems(spec: SweepSpec) -> list[str]:
    """Cross-field checks: the parameters suit the design, which is not too large.

    Returns ``path: message`` strings (the size is checked once the parameters are right).
    """
    rows = isinstance(spec.design, RowsDesign)
    out = _rows_problems(spec) if rows else _parameter_problems(spec)
    return out or _size_problems(spec)


def _rows_problems(spec: SweepSpec) -> list[str]:
    """A rows design: no ``parameters``, and every row gives the same (non-empty) paths."""
    assert isinstance(spec.design, RowsDesign)
    out = []
    if spec.parameters:
        out.append("parameters: with a 'rows' design leave 'parameters' out (rows name them)")
    first = sorted(spec.design.rows[0])
    for k, row in enumerate(spec.design.rows):
        if sorted(row) != first:
            out.append(f"design.rows.{k}: gives {sorted(row)}, but row 0 gives {first}")
    if not first:
        out.append("design.rows.0: a row must give at least one path")
    return out


def _parameter_problems(spec: SweepSpec) -> list[str]:
    """Every parameter takes the form its design needs (values/num, or a range)."""
    kind = spec.design.kind
    if not spec.parameters:
        return [f"parameters: a '{kind}' design needs at least one parameter"]
    out = []
    for path, p in spec.parameters.items():
        if kind == "grid" and p.values is None and p.num is None:
            out.append(f"parameters.{path}: a grid needs 'values' or 'num'")
        if kind in SAMPLED and (p.values is not None or p.num is not None):
            out.append(f"parameters.{path}: a '{kind}' design takes a range, not 'values'/'num'")
    return out


def design_size(spec: SweepSpec) -> int:
    """The number of design points, counted without drawing or enumerating any of them.

    A grid is the product of its parameters' value counts; ``lhs`` has ``samples`` points,
    ``sobol`` ``samples * (D + 2)`` (``samples * (2D + 2)`` with ``second_order``), ``morris``
    ``trajectories * (D + 1)``, and ``rows`` one point a row. Assumes :func:`design_problems`
    found no problem with the parameters.
    """
    design, dims = spec.design, len(spec.parameters)
    if isinstance(design, RowsDesign):
        return len(design.rows)
    if isinstance(design, LatinHypercubeDesign):
        return design.samples
    if isinstance(design, SobolDesign):
        return design.samples * ((2 * dims if design.second_order else dims) + 2)
    if isinstance(design, MorrisDesign):
        return design.trajectories * (dims + 1)
    return math.prod(
        len(p.values) if p.values is not None else (p.num or 0) for p in spec.parameters.values()
    )


SIZE_FIELDS = {
    "grid": ("parameters", "use fewer values (a grid is the product of every parameter's)"),
    "lhs": ("design.samples", "lower 'samples'"),
    "sobol": ("design.samples", "lower 'samples' (N base samples give N * (D + 2) points)"),
    "morris": ("design.trajectories", "lower 'trajectories' (r give r * (D + 1) points)"),
    "rows": ("design.rows", "split the rows over several sweeps"),
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
    """A validated sweep with its loaded base scenario and each sampled parameter's range."""

    spec: SweepSpec
    base: Loaded
    source: str
    bounds: dict[str, tuple[float, float]]

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
    return LoadedSweep(spec, base, file, _resolve_bounds(spec, base, file, lines))


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


def _resolve_bounds(
    spec: SweepSpec, base: Loaded, file: str, lines: Mapping[str, tuple[str, int]]
) -> dict[str, tuple[float, float]]:
    """Check every path names a numeric parameter of the base; fill in default ranges."""
    known = parameter_paths(base.scenario)
    problems: list[Problem] = []
    bounds: dict[str, tuple[float, float]] = {}
    where = "parameters" if spec.parameters else "design.rows.0"
    names = list(known)
    for path in spec.paths():
        if path not in known:
            hinted = len(problems) < HINTS
            near = difflib.get_close_matches(path, names, n=1) if hinted else []
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            message = f"no numeric parameter '{path}' in the base scenario {base.source}{hint}"
            problems.append(problem_at(file, f"{where}.{path}", message, lines))
            continue
        p = spec.parameters.get(path)
        if p is None or p.values is not None:
            continue
        if p.low is not None and p.high is not None:
            lo, hi = p.low, p.high
        else:
            lo, hi = uncertainty(known[path])
        if math.isclose(lo, hi) and (spec.design.kind in SAMPLED or (p.num or 0) > 1):
            message = (
                f"give 'low' and 'high': the base scenario fixes it at {lo:g} with no range"
                if p.low is None
                else f"needs low < high for a '{spec.design.kind}' design, got {lo:g}"
            )
            problems.append(problem_at(file, f"parameters.{path}", message, lines))
        bounds[path] = (float(lo), float(hi))
    if problems:
        raise SweepSpecError(problems)
    return bounds
