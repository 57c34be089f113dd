"""Numeric parameters: a number, or a distribution each world draws from (docs/model.md §3.4.24).

Every numeric field of a scenario is a :data:`Param`. In YAML it is written either as a bare
number (``0.4``), as a fixed value with its evidence (``{value: 0.4, evidence: [...]}``) or as a
distribution (``{dist: triangular, low: 0.2, mode: 0.4, high: 0.7, evidence: [...]}``).
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator
from pydantic_core import PydanticCustomError


class Strict(BaseModel):
    """Base of every scenario model: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Evidence(Strict):
    """One piece of evidence: a verbatim quote from a seed article and how it gives the value."""

    seed: str = Field(min_length=1)
    """File name of the article in ``seeds/`` (for example ``000_9494b9ec543078ca.txt``), or a
    source the scenario declares in ``sources:``, by its path as declared (``notes/memo.txt``)."""
    quote: str = Field(min_length=1)
    """The words of the article, verbatim (whitespace is normalised before matching)."""
    reading: str = Field(min_length=1)
    """One line: how the quote maps to the value."""


def raise_problems(kind: str, problems: list[str]) -> None:
    """Refuse a model with every problem a cross-field check found, if it found any.

    The error's type is ``kind``; its context keeps the list (``problems``), which the loader
    reports one by one, each with its path and line.
    """
    if problems:
        raise PydanticCustomError(
            kind, "{summary}", {"summary": "; ".join(problems), "problems": problems}
        )


class Sourced(Strict):
    """Evidence fields shared by fixed values and distributions."""

    evidence: tuple[Evidence, ...] = ()
    """Quotes from the seed articles that support the value."""
    assumption: str | None = None
    """Where the articles are silent: the modelling assumption and why it is needed."""


FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]

MAX_MAGNITUDE = 1e6
"""Largest absolute value any number of a parameter may take (value, range, bounds, shape).

Far beyond any meaningful setting of the model's parameters (utilities lie in [0, 1]), and small
enough that products of a few of them stay finite: larger values validated but overflowed in the
model (1e308 gave NaN). See docs/reliability.md."""


class Fixed(Sourced):
    """A value that is the same in every world."""

    value: FiniteFloat
    """The value."""
    range: tuple[FiniteFloat, FiniteFloat] | None = None
    """Plausible range ``[low, high]`` for sensitivity analysis; every world uses ``value``."""

    @model_validator(mode="after")
    def _in_range(self) -> Fixed:
        if self.range is not None and not self.range[0] <= self.value <= self.range[1]:
            raise ValueError(f"range {list(self.range)} must contain the value {self.value}")
        return self

    def central(self) -> float:
        """Central value: the value itself."""
        return self.value

    def bounds(self) -> tuple[float, float]:
        """Support of the parameter (every world draws the value itself)."""
        return (self.value, self.value)

    def uncertainty(self) -> tuple[float, float]:
        """The plausible range (the value itself when none is given)."""
        return self.range if self.range is not None else (self.value, self.value)


class Supported(Sourced):
    """A distribution on ``[low, high]``, its support; its numbers must lie in order."""

    ORDER: ClassVar[tuple[str, ...]] = ("low", "high")
    """The fields whose values must not decrease, in order."""
    STRICT: ClassVar[bool] = True
    """Whether ``low`` must lie below ``high`` (a support of zero width is refused)."""

    if TYPE_CHECKING:  # every distribution declares its own, with its own docstring
        dist: str
        low: float
        high: float

    @model_validator(mode="after")
    def _in_order(self) -> Self:
        if self.STRICT and not self.low < self.high:
            raise ValueError(f"{self.dist} needs low < high, got low={self.low}, high={self.high}")
        values = [getattr(self, name) for name in self.ORDER]
        if any(a > b for a, b in itertools.pairwise(values)):
            got = ", ".join(f"{n}={v}" for n, v in zip(self.ORDER, values, strict=True))
            raise ValueError(f"{self.dist} needs {' <= '.join(self.ORDER)}, got {got}")
        return self

    def bounds(self) -> tuple[float, float]:
        """Support of the parameter."""
        return (self.low, self.high)


class Uniform(Supported):
    """Uniform on ``[low, high]``."""

    dist: Literal["uniform"]
    """Distribution name."""
    low: FiniteFloat
    """Lower bound."""
    high: FiniteFloat
    """Upper bound."""

    STRICT = False

    def central(self) -> float:
        """Central value: the mean."""
        return (self.low + self.high) / 2


class Triangular(Supported):
    """Triangular on ``[low, high]`` with its peak at ``mode``."""

    dist: Literal["triangular"]
    """Distribution name."""
    low: FiniteFloat
    """Lower bound."""
    mode: FiniteFloat
    """Most likely value."""
    high: FiniteFloat
    """Upper bound."""

    ORDER = ("low", "mode", "high")
    STRICT = False

    def central(self) -> float:
        """Central value: the mode (the value the evidence points to)."""
        return self.mode


class TruncNormal(Supported):
    """Normal with ``mean`` and ``sd``, truncated to ``[low, high]``."""

    dist: Literal["truncnormal"]
    """Distribution name."""
    mean: FiniteFloat
    """Mean of the untruncated normal."""
    sd: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    """Standard deviation of the untruncated normal."""
    low: FiniteFloat
    """Lower truncation bound."""
    high: FiniteFloat
    """Upper truncation bound."""

    ORDER = ("low", "mean", "high")

    def central(self) -> float:
        """Central value: the mean of the untruncated normal."""
        return self.mean


class Beta(Supported):
    """Beta(a, b) rescaled to ``[low, high]``."""

    dist: Literal["beta"]
    """Distribution name."""
    a: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    """First shape parameter."""
    b: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    """Second shape parameter."""
    low: FiniteFloat = 0.0
    """Lower end of the support."""
    high: FiniteFloat = 1.0
    """Upper end of the support."""

    def central(self) -> float:
        """Central value: the mean."""
        return self.low + (self.high - self.low) * self.a / (self.a + self.b)


Distribution = Uniform | Triangular | TruncNormal | Beta
ParamSpec = Fixed | Distribution
DIST_NAMES = ("uniform", "triangular", "truncnormal", "beta")


def _param_tag(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, BaseModel):
        return getattr(value, "dist", "fixed")
    if isinstance(value, dict):
        if "dist" in value:
            return value["dist"] if value["dist"] in DIST_NAMES else None
        return "fixed"
    return None


PARAM_FORMS = (
    "expected a number, {value: N} or a distribution "
    "{dist: uniform|triangular|truncnormal|beta, ...}"
)
"""What a parameter may be written as: the error for anything else."""

Param = Annotated[
    Annotated[Annotated[float, Field(allow_inf_nan=False)], Tag("number")]
    | Annotated[Fixed, Tag("fixed")]
    | Annotated[Uniform, Tag("uniform")]
    | Annotated[Triangular, Tag("triangular")]
    | Annotated[TruncNormal, Tag("truncnormal")]
    | Annotated[Beta, Tag("beta")],
    Discriminator(_param_tag, custom_error_type="param", custom_error_message=PARAM_FORMS),
]
"""A numeric scenario parameter: a plain number, a fixed value with evidence, or a distribution."""
PARAM_TAGS = frozenset({"number", "fixed", *DIST_NAMES})


ON_ISSUE_SCALE = "the issue's unit"
"""The unit of a value that lies on an issue's scale (an ideal point, a status quo, a red line):
the issue's own ``unit`` (:func:`sim.scenario.vocabulary.describe` puts it in)."""


def term(default: Any = None, *, name: str, unit: str, **field: Any) -> Any:
    """A parameter field that declares its human name and unit: the one vocabulary.

    The name is the field's ``title`` and the unit its ``json_schema_extra["unit"]``; the field's
    docstring is its description. :mod:`sim.scenario.vocabulary` reads the three for
    explanations, figures, the dashboard and ``docs/scenario.md``.

    Args:
        default: the field's default (give ``default_factory=`` in ``field`` instead if needed).
        name: what the parameter is, in words that follow an owner's name in a sentence
            (``strike resolve``: "Israel's strike resolve"); ``{actor}``, ``{issue}`` and
            ``{shock}`` stand for the actor, the issue and the shock the path names.
        unit: the unit of its values (:data:`ON_ISSUE_SCALE` for a point on an issue's scale).
        field: further arguments of :func:`pydantic.Field`.
    """
    if "default_factory" not in field:
        field["default"] = default
    return Field(title=name, json_schema_extra={"unit": unit}, **field)


def as_spec(param: float | ParamSpec) -> ParamSpec:
    """Normalise a parameter to a spec object (a bare number becomes :class:`Fixed`)."""
    if isinstance(param, int | float):
        return Fixed(value=float(param))
    return param


def central(param: float | ParamSpec) -> float:
    """The central value of a parameter (its value, mode or mean)."""
    return as_spec(param).central()


def bounds(param: float | ParamSpec) -> tuple[float, float]:
    """The support ``(low, high)`` of a parameter."""
    return as_spec(param).bounds()


def uncertainty(param: float | ParamSpec) -> tuple[float, float]:
    """The range a parameter may take: its support, or a fixed value's plausible range."""
    spec = as_spec(param)
    return spec.uncertainty() if isinstance(spec, Fixed) else spec.bounds()


def magnitude(param: float | ParamSpec) -> float:
    """The largest absolute value among a parameter's numbers (value, range, bounds, shapes)."""
    spec = as_spec(param)
    numbers: list[float] = []
    for name in type(spec).model_fields:
        item = getattr(spec, name)
        if isinstance(item, int | float) and not isinstance(item, bool):
            numbers.append(float(item))
        elif isinstance(item, tuple) and all(isinstance(x, int | float) for x in item):
            numbers.extend(float(x) for x in item)
    return max((abs(x) for x in numbers), default=0.0)


def is_random(param: float | ParamSpec) -> bool:
    """Whether worlds draw this parameter (it is a distribution with positive width)."""
    lo, hi = bounds(param)
    return not math.isclose(lo, hi)
