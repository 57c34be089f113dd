"""Claims: the articles' own judgements of likelihood, as checks on a scenario (docs/claims.md).

A claims file (named by a scenario's ``claims:`` key, relative to the scenario file) maps claim
ids to :class:`Claim` entries. Each claim carries its verbatim quotes (checked against the seeds
exactly like a parameter's evidence, :mod:`sim.scenario.evidence`), the model quantity it speaks
of in a small language (:func:`parse_quantity`), and either the band its words mean on one fixed
scale (:data:`BANDS`, CALIBRATION.md "Likelihood words: one fixed scale") or, for a sentence on
the direction of an effect, a variant scenario with the sign and minimum size of the change
(:data:`SIZES`). A sentence the model cannot express is kept with ``expressible: false`` and the
missing mechanism.

The quantity language::

    P(EVENT [by YYYY-MM-DD] [| CONDITION [and CONDITION ...]])
    median(terms.ISSUE | deal [by YYYY-MM-DD] [and CONDITION ...])

The second form is the median deal term on an issue among the worlds with a deal in the span
(and meeting the conditions): a claim on the terms a variant brings, directional only.

EVENT is a first decisive event (``deal``, the outcomes ``strike_israel``, ``strike_joint``,
``strike_us``, ``breakdown``, ``no_resolution``, and their totals ``israeli_initiated`` and
``strike``) or an event a world records (``collapse``, ``walkout``, ``backing``,
``snapback``, ``shock:NAME``, a patron's first compromise proposal ``mediation:PATRON`` or its
distancing from Iran ``distance:PATRON``); CONDITION is ``collapsed``, ``no_deal``,
``bogged_down``, ``running_at YYYY-MM-DD`` or ``initiator israel|us`` (see :data:`EVENTS` and
:data:`CONDITIONS`).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from sim.scenario.params import Evidence, Strict
from sim.scenario.schema import Id

BANDS: dict[str, tuple[float, float]] = {
    "certain": (1.0, 1.0),
    "almost certain": (0.87, 0.99),
    "probable": (0.63, 0.87),
    "chances about even": (0.40, 0.60),
    "probably not": (0.20, 0.60),
    "almost certainly not": (0.02, 0.25),
    "impossible": (0.0, 0.0),
}
"""The one likelihood scale: each word's band of probability, from CALIBRATION.md's table
(Sherman Kent's words of estimative probability, CIA 1964, widened where the table says so).
A claim names the word; the article's own phrase and why it maps to the word go in the reading
of its evidence ("significant risk" is ``probably not``: a real risk, not the expected case)."""

SIZES: dict[str, float] = {"significantly": 0.10, "clearly": 0.02, "in sign": 0.0}
"""Minimum size of a directional claim's change, absolute. ``significantly``: CALIBRATION.md's
rule (at least one band or 0.10, whichever is smaller: every band of the scale is wider than
0.10); ``clearly``: issue 13's floor for a lever that bites (0.02); ``in sign``: a sentence on
the sign only (CALIBRATION.md: a directional sentence is a claim on the sign of a variant's
effect), which holds when the change's whole 95% interval lies on the sentence's side of 0."""

OUTCOME_EVENTS = (
    "deal",
    "strike",
    "israeli_initiated",
    "strike_israel",
    "strike_joint",
    "strike_us",
    "breakdown",
    "no_resolution",
)
"""First decisive events, named as the outcomes are (docs/model.md §3.4.22): ``strike_israel``
an Israeli strike alone, ``strike_joint`` an Israeli strike the US joined, ``strike_us`` a US
strike alone; ``israeli_initiated`` either of the first two, ``strike`` any of the three."""
RECORDED_EVENTS = ("collapse", "walkout", "snapback", "backing")
"""Events a world records beside its first decisive event (``shock:NAME``, ``mediation:PATRON``
and ``distance:PATRON`` too: :data:`NAMED_EVENTS`)."""
NAMED_EVENTS = ("shock", "mediation", "distance")
"""Recorded events that name a shock or a patron: ``KIND:NAME``."""
EVENTS = OUTCOME_EVENTS + RECORDED_EVENTS
CONDITIONS = (
    "collapsed",
    "no_deal",
    "bogged_down",
    "running_at DATE",
    "initiator israel",
    "initiator us",
)
"""The conditions a quantity may take, as written."""

_QUANTITY = re.compile(r"P\((?P<event>[^|()]+?)(?:\|(?P<given>[^()]*))?\)")
_DATE = r"(\d{4}-\d{2}-\d{2})"


class Condition(Strict):
    """One condition of a quantity: the worlds it keeps."""

    kind: Literal["collapsed", "no_deal", "bogged_down", "running_at", "initiator"]
    """``collapsed``: talks collapsed (``collapse_step`` ≥ 0); ``no_deal``: the first decisive
    event is not a deal; ``bogged_down``: the talks bogged down (``bog_step`` ≥ 0: a session
    met ``protocol.bog_down_sessions`` failed sessions in a row); ``running_at``: talks still
    under way at ``date`` (no decisive event and no collapse before it); ``initiator``: the
    first decisive event is a strike ``actor`` began."""
    date: dt.date | None = None
    actor: Literal["israel", "us"] | None = None

    def __str__(self) -> str:
        if self.kind == "running_at":
            return f"running_at {self.date}"
        if self.kind == "initiator":
            return f"initiator {self.actor}"
        return self.kind


class Quantity(Strict):
    """A probability over a run's worlds, or a median deal term.

    A probability: an event, by a date, given conditions. A median: the deal term on an issue
    (``terms``) over the worlds with a deal in the span that meet the conditions.
    """

    event: str
    """One of :data:`EVENTS`, or ``KIND:NAME`` (:data:`NAMED_EVENTS`); ``deal`` for a median."""
    terms: str | None = None
    """The issue of a median of deal terms (``median(terms.ISSUE | deal ...)``), else None."""
    by: dt.date | None = None
    """The event happened on or before this date (default: by the horizon)."""
    given: tuple[Condition, ...] = ()
    """The conditions, all of which a world must meet to count."""

    def __str__(self) -> str:
        by = f" by {self.by}" if self.by else ""
        if self.terms is not None:
            rest = "".join(f" and {c}" for c in self.given)
            return f"median(terms.{self.terms} | {self.event}{by}{rest})"
        given = f" | {' and '.join(str(c) for c in self.given)}" if self.given else ""
        return f"P({self.event}{by}{given})"


_MEDIAN = re.compile(
    r"median\(terms\.(?P<issue>[a-z][a-z0-9_]*)\s*\|\s*deal(?: by (?P<by>\S+))?"
    r"(?P<rest>(?: and [^()]+)?)\)"
)


def _parse_median(text: str) -> Quantity:
    """``median(terms.ISSUE | deal [by DATE] [and CONDITION ...])``."""
    match = _MEDIAN.fullmatch(text.strip())
    if match is None:
        raise ValueError(
            f"cannot read the quantity {text!r}: write "
            "median(terms.ISSUE | deal [by YYYY-MM-DD] [and CONDITION])"
        )
    parts = [p.strip() for p in match["rest"].split(" and ")[1:]]
    by = match["by"]
    return Quantity(
        event="deal",
        terms=match["issue"],
        by=_date(by) if by else None,
        given=tuple(_condition(p) for p in parts),
    )


def parse_quantity(text: str) -> Quantity:
    """Read a quantity written in the claims language (module docstring); ValueError if not."""
    if text.strip().startswith("median("):
        return _parse_median(text)
    match = _QUANTITY.fullmatch(text.strip())
    if match is None:
        raise ValueError(
            f"cannot read the quantity {text!r}: write P(EVENT [by YYYY-MM-DD] [| CONDITION])"
        )
    head = match["event"].strip()
    event, _, by = head.partition(" by ")
    event = event.strip()
    named = rf"({'|'.join(NAMED_EVENTS)}):[a-z][a-z0-9_]*"
    if event not in EVENTS and not re.fullmatch(named, event):
        known = ", ".join((*EVENTS, *(f"{k}:NAME" for k in NAMED_EVENTS)))
        raise ValueError(f"unknown event {event!r} (known: {known})")
    given = match["given"]
    parts = () if given is None else tuple(_condition(p.strip()) for p in given.split(" and "))
    return Quantity(event=event, by=_date(by.strip()) if by else None, given=parts)


def _condition(text: str) -> Condition:
    if text in ("collapsed", "no_deal", "bogged_down"):
        return Condition(kind=text)
    if m := re.fullmatch(rf"running_at {_DATE}", text):
        return Condition(kind="running_at", date=_date(m[1]))
    if m := re.fullmatch(r"initiator (israel|us)", text):
        return Condition(kind="initiator", actor=m[1])
    raise ValueError(f"unknown condition {text!r} (known: {', '.join(CONDITIONS)})")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None


class Claim(Strict):
    """One sentence of an article that judges a likelihood or the direction of an effect."""

    evidence: tuple[Evidence, ...] = Field(min_length=1)
    """The sentence, verbatim, with its seed, and the reading: how its words map to the band or
    direction, and to the quantity's condition and time span."""
    expressible: bool = True
    """False when the model cannot yet express the sentence (then give ``missing``)."""
    missing: str | None = None
    """The mechanism the model lacks to express the sentence (only when not expressible)."""
    quantity: Quantity | None = None
    """The model quantity the sentence speaks of, in the claims language (module docstring)."""
    band: str | None = None
    """A word of the scale (:data:`BANDS`): the quantity must lie in its band."""
    variant: str | None = None
    """A directional claim's variant scenario file, relative to the claims file: the change is
    the quantity in the variant minus the quantity in the scenario, same worlds and seed."""
    direction: Literal["up", "down"] | None = None
    """The sign of the change the sentence gives."""
    size: str | None = None
    """Minimum size of the change, a word of :data:`SIZES`."""

    @field_validator("quantity", mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        return parse_quantity(value) if isinstance(value, str) else value

    @field_validator("band")
    @classmethod
    def _band(cls, value: str | None) -> str | None:
        if value is not None and value not in BANDS:
            raise ValueError(f"unknown band word {value!r} (the scale: {', '.join(BANDS)})")
        return value

    @field_validator("size")
    @classmethod
    def _size(cls, value: str | None) -> str | None:
        if value is not None and value not in SIZES:
            raise ValueError(f"unknown size word {value!r} (known: {', '.join(SIZES)})")
        return value

    @model_validator(mode="after")
    def _kind(self) -> Claim:
        if not self.expressible:
            if not self.missing:
                raise ValueError("an inexpressible claim names the missing mechanism (missing:)")
            return self
        if self.missing:
            raise ValueError("missing: is only for a claim with expressible: false")
        if self.quantity is None:
            raise ValueError("an expressible claim needs a quantity")
        directional = (self.variant, self.direction, self.size)
        if self.band is None and None in directional:
            raise ValueError("give a band, or a variant with a direction and a size")
        if self.band is not None and any(v is not None for v in directional):
            raise ValueError("give either a band or a variant, direction and size, not both")
        if self.band is not None and self.quantity.terms is not None:
            raise ValueError("a median of deal terms is no probability: give a variant, not a band")
        return self

    @property
    def directional(self) -> bool:
        """Whether the claim is on the change a variant makes (else on a band)."""
        return self.variant is not None


class ClaimsFile(Strict):
    """A claims file: the claims of one scenario, by id."""

    claims: dict[Id, Claim] = Field(min_length=1)
    """Every claim, by id."""


def reference_problems(
    claims: ClaimsFile,
    folder: Path,
    scenario_events: tuple[str, ...],
    issues: tuple[str, ...] = (),
) -> list[tuple[str, str]]:
    """``(field path, message)`` for a variant file that does not exist or an unknown name.

    ``folder`` holds the claims file; ``scenario_events`` are the ``KIND:NAME`` events the
    scenario can record (its shocks and patrons); ``issues`` its issues (for medians of terms).
    """
    out: list[tuple[str, str]] = []
    for cid, claim in claims.claims.items():
        if claim.variant is not None and not (folder / claim.variant).is_file():
            out.append((f"claims.{cid}.variant", f"no scenario file {folder / claim.variant}"))
        terms = claim.quantity.terms if claim.quantity else None
        if terms is not None and terms not in issues:
            known = ", ".join(issues)
            out.append((f"claims.{cid}.quantity", f"the scenario has no issue {terms!r} ({known})"))
        event = claim.quantity.event if claim.quantity else ""
        kind, _, name = event.partition(":")
        if name and event not in scenario_events:
            what = "shock" if kind == "shock" else "patron"
            out.append((f"claims.{cid}.quantity", f"the scenario has no {what} {name!r}"))
    return out
