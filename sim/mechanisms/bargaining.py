"""Bargaining mathematics over a path of packages between two stances (docs/model.md §3.4.5).

Offers are made on the *compromise path* between the proposer's stance ``a`` and the responder's
stance ``b``: ``x_d(λ) = (λ·wa_d·a_d + (1−λ)·wb_d·b_d) / (λ·wa_d + (1−λ)·wb_d)``, λ ∈ [0, 1].
It is the set of maximisers of ``λ·u_a + (1−λ)·u_b`` (the contract curve) when both utilities are
quadratic (ρ = 2), and for any ρ ≥ 1 each issue moves monotonically from ``b_d`` to ``a_d``, so the
proposer's utility rises and the responder's falls along it. With one issue it is the segment
between the two stances, where the textbook games live. A path may start from an *anchor* in
place of the responder's stance (the responder's last offer, held between the two stances), so
that a proposer's offer answers the other side's (:class:`sim.mechanisms.rules.Aspiration`).

A side's utility along the path counts its red lines (docs/model.md §3.4.11): a package that
crosses one is worth less than no deal (:func:`red_line_utility`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from functools import cache, cached_property
from typing import NamedTuple, Self

import numpy as np

from sim.mechanisms.arrays import repeat_last, repeat_rows, tile_last
from sim.mechanisms.utility import IssueScale, utility

_EPS_W = 1e-9
SOLVER_STEPS = 100
SOLVER_TOLERANCE = 1e-10
VALUE_TOLERANCE = 1e-13
GOLDEN_STEPS = 30
GRID = 7
RED_LINE_PENALTY = 2.0
"""Utility lost by a package that crosses a red line, beyond the crossing itself: as every
utility lies in [0, 1], a crossing package is worth at most −1, less than any no-deal value."""


@dataclass(frozen=True)
class Side:
    """One principal's bargaining position in every world (arrays over worlds)."""

    stance: np.ndarray  # (N, D) ideal point of the side's negotiators
    weights: np.ndarray  # (N, D) issue weights, rows sum to 1
    rho: np.ndarray  # (N,) utility curvature
    reservation: np.ndarray  # (N,) true value of no deal
    public_reservation: np.ndarray  # (N,) what the other side can infer of it
    belief_halfwidth: np.ndarray  # (N,) half-width of the other side's uniform belief
    discount: np.ndarray  # (N,) per-step discount factor
    breakdown: np.ndarray  # (N,) value of a breakdown of talks
    clout: np.ndarray  # (N,) bargaining weight (Nash)
    red_lower: np.ndarray | None = None  # (N, D) red lines that count in its utility (None: none)
    red_upper: np.ndarray | None = None

    def take(self, index: np.ndarray) -> Self:
        """The same side restricted to the worlds ``index``."""
        return take(self, index)

    def preferences(self, index: np.ndarray) -> Preferences:
        """What the side's utility of packages reads, in the worlds ``index`` only."""
        lower, upper = self.red_lower, self.red_upper
        return Preferences(
            self.stance[index],
            self.weights[index],
            self.rho[index],
            None if lower is None else lower[index],
            None if upper is None else upper[index],
        )


class Preferences(NamedTuple):
    """The part of a :class:`Side` its utility of packages reads (as :meth:`Path.u_side`)."""

    stance: np.ndarray
    weights: np.ndarray
    rho: np.ndarray
    red_lower: np.ndarray | None
    red_upper: np.ndarray | None


@dataclass(frozen=True)
class Path:
    """The compromise path from the responder's stance (λ = 0) to the proposer's (λ = 1)."""

    proposer: Side
    responder: Side
    span: IssueScale | np.ndarray  # the issues' scale, or their spans (D,) if all are linear
    anchor: np.ndarray | None = None  # (N, D) start of the path in place of the responder's stance
    bounds: tuple[np.ndarray, np.ndarray] | None = None  # (N, D) each: the path stays within

    def take(self, index: np.ndarray) -> Path:
        """The same path restricted to the worlds ``index``."""
        anchor = None if self.anchor is None else self.anchor[index]
        bounds = None if self.bounds is None else (self.bounds[0][index], self.bounds[1][index])
        return Path(
            self.proposer.take(index), self.responder.take(index), self.span, anchor, bounds
        )

    def within(self, lower: np.ndarray, upper: np.ndarray) -> Path:
        """The path held within bounds (N, D): each package clipped issue by issue.

        Clipping keeps each issue monotone along the path, so both utilities stay monotone;
        a proposer's path within its own red lines never crosses them.
        """
        return replace(self, bounds=(lower, upper))

    def anchored(self, start: np.ndarray) -> Path:
        """The path from ``start`` (N, D; NaN rows: the responder's stance) to the proposer's.

        ``start`` is held issue by issue between the two stances, so that each issue still moves
        monotonically along the path, away from the responder's stance.
        """
        a, b = self.proposer.stance, self.responder.stance
        held = np.clip(start, np.minimum(a, b), np.maximum(a, b))
        return replace(self, anchor=np.where(np.isnan(start), b, held))

    @cached_property
    def _terms(self) -> tuple[np.ndarray, ...]:
        """The path's constant parts (N, D), computed once per path.

        ``ŵb·b``, ``ŵa·a − ŵb·b``, ``ŵb``, ``ŵa − ŵb``, and the box each issue stays in: between
        the two ends, within the path's bounds.
        """
        a, wa = self.proposer.stance, self.proposer.weights + _EPS_W
        b = self.responder.stance if self.anchor is None else self.anchor
        wb = self.responder.weights + _EPS_W
        lower, upper = np.minimum(a, b), np.maximum(a, b)
        if self.bounds is not None:
            lower = np.minimum(np.maximum(lower, self.bounds[0]), self.bounds[1])
            upper = np.minimum(np.maximum(upper, self.bounds[0]), self.bounds[1])
        return wb * b, wa * a - wb * b, wb, wa - wb, lower, upper

    def package(self, lam: np.ndarray) -> np.ndarray:
        """Packages at λ: ``lam`` (N,) -> (N, D), or (N, K) -> (N, K, D).

        ``x = (λ·ŵa·a + (1 − λ)·ŵb·b) / (λ·ŵa + (1 − λ)·ŵb)``, computed from the constant parts
        and held between the ends (against rounding) and within the path's bounds (clipping
        issue by issue, which is the same as clipping the package).
        """
        return package_at(self._terms, lam)

    def u_proposer(self, x: np.ndarray) -> np.ndarray:
        """The proposer's utility of packages, counting its red lines."""
        return self.u_side(self.proposer, x)

    def u_responder(self, x: np.ndarray) -> np.ndarray:
        """The responder's utility of packages, counting its red lines (as the path knows them)."""
        return self.u_side(self.responder, x)

    def u_side(self, side: Side | Preferences, x: np.ndarray) -> np.ndarray:
        """A side's utility of packages (N, D) or (N, K, D) (:func:`red_line_utility`)."""
        u = utility(x, side.stance, side.weights, self.span, side.rho)
        if side.red_lower is None or side.red_upper is None:
            return u
        span = self.span.span if isinstance(self.span, IssueScale) else self.span
        return red_line_utility(u, x, side.red_lower, side.red_upper, span)

    def lam_for_responder(self, target: np.ndarray, worlds: np.ndarray | None = None) -> np.ndarray:
        """Largest λ giving the responder at least ``target`` (0 or 1 when out of reach).

        With ``worlds``, solved in those worlds only (``target`` and the result are theirs).
        """
        return bisect(
            self._reaching(self.responder, target, worlds), decreasing=True, n=len(target)
        )

    def lam_for_proposer(self, target: np.ndarray, worlds: np.ndarray | None = None) -> np.ndarray:
        """Smallest λ giving the proposer at least ``target`` (0 or 1 when out of reach).

        With ``worlds``, solved in those worlds only (``target`` and the result are theirs).
        """
        return bisect(
            self._reaching(self.proposer, target, worlds), decreasing=False, n=len(target)
        )

    def _reaching(self, side: Side, target: np.ndarray, worlds: np.ndarray | None) -> Evaluator:
        """``u_side(package(λ)) − target`` on the path in the worlds a solver asks for.

        A restriction to some worlds gathers only what the side's utility along the path reads
        (the path's constant parts and the side's :class:`Preferences`), so a solver may narrow
        to its unsolved worlds cheaply.
        """

        def on(index: np.ndarray | None) -> Callable[[np.ndarray], np.ndarray]:
            goal = target if index is None else target[index]
            if worlds is not None:
                index = worlds if index is None else worlds[index]
            held: Side | Preferences = side
            terms = self._terms
            if index is not None:
                terms = tuple(t[index] for t in self._terms)
                held = side.preferences(index)
            return lambda lam: self.u_side(held, package_at(terms, lam)) - goal

        return on


def package_at(terms: tuple[np.ndarray, ...], lam: np.ndarray) -> np.ndarray:
    """Packages at λ on a path with constant parts ``terms`` (:meth:`Path.package`).

    ``lam`` (n,) -> (n, D), or (n, K) -> (n, K, D): ``x = (base + λ·rise) / (w0 + λ·w_rise)``,
    held within the box ``[lower, upper]``; ``terms`` are ``(base, rise, w0, w_rise, lower,
    upper)``, each (n, D).
    """
    if lam.ndim == 2:
        terms = tuple(repeat_rows(t, lam.shape[1]) for t in terms)
    base, rise, w0, w_rise, lower, upper = terms
    lam = repeat_last(lam, base.shape[-1])
    x = lam * rise
    x += base
    denominator = lam * w_rise
    denominator += w0
    x /= denominator
    np.maximum(x, lower, out=x)  # np.clip, without its Python wrapper
    np.minimum(x, upper, out=x)
    x.flags.writeable = False  # so that its values on the value scales may be remembered
    return x


def red_line_utility(
    u: np.ndarray, x: np.ndarray, lower: np.ndarray, upper: np.ndarray, span: np.ndarray
) -> np.ndarray:
    """Utility ``u`` of packages ``x`` with red lines: worth less than no deal where crossed.

    ``u − (RED_LINE_PENALTY + c)`` where ``c = Σ_d dist(x_d, [lower_d, upper_d]) / span_d > 0``
    is how far ``x`` lies beyond the bounds (N, D), else ``u``. A package that crosses a red line
    is worth at most −1, below any no-deal value, as a veto player's red line demands (Tsebelis
    2002: outside its win-set, the status quo is preferred); the crossing term keeps the
    utility falling as a package moves further beyond. Along a path moving each issue
    monotonically toward a point inside the bounds, the utility stays monotone.
    """
    if x.ndim == 3:
        lower, upper = repeat_rows(lower, x.shape[1]), repeat_rows(upper, x.shape[1])
    beyond = np.abs(x - np.minimum(np.maximum(x, lower), upper)) / tile_last(span, x.shape)
    c = beyond @ np.ones(beyond.shape[-1])
    return np.where(c > 0, u - (RED_LINE_PENALTY + c), u)


def take[T](obj: T, index: np.ndarray) -> T:
    """A dataclass of per-world arrays restricted to the worlds ``index`` (other fields kept)."""
    changes = {}
    for name in _field_names(type(obj)):  # type: ignore[arg-type]
        value = getattr(obj, name)
        if isinstance(value, np.ndarray) and value.ndim >= 1:
            changes[name] = value[index]
    return replace(obj, **changes)  # type: ignore[type-var]


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


Evaluator = Callable[[np.ndarray | None], Callable[[np.ndarray], np.ndarray]]
"""Given world indices (None: all worlds), a function from λ at those worlds to values there."""


def bisect(on: Evaluator, *, decreasing: bool, n: int) -> np.ndarray:
    """Per-world root of a monotone function on [0, 1] (vectorised Illinois regula falsi).

    ``on(index)`` returns the function for the worlds ``index`` (``None``: all of them).
    For an increasing function:
    the smallest λ with ``f(λ) >= 0`` (1 if none, 0 if ``f(0) >= 0``). For a decreasing one:
    the largest λ with ``f(λ) >= 0`` (0 if none, 1 if ``f(1) >= 0``). Interior roots are found
    to ``SOLVER_TOLERANCE`` in λ or ``VALUE_TOLERANCE`` in value, usually in under ten
    evaluations (Dowell and Jarratt 1971), with a bisection step wherever three steps have not
    halved the bracket; the worlds still unconverged are re-gathered once they are fewer than
    half.
    """
    sign = -1.0 if decreasing else 1.0
    f = on(None)
    ga, gb = sign * f(np.zeros(n)), sign * f(np.ones(n))  # g = sign·f is increasing
    root = np.where(ga >= 0, 0.0, 1.0)  # out-of-reach cases, and the default
    todo = np.flatnonzero((ga < 0) & (gb > 0))
    a, b, ga, gb = np.zeros(todo.size), np.ones(todo.size), ga[todo], gb[todo]
    # ``pos``: where the unsolved worlds sit among those ``f`` evaluates (None: all of them)
    gathered, pos, f = todo, None, on(todo)
    satisfied = (lambda g: g <= 0) if decreasing else (lambda g: g >= 0)
    # Safeguard for flat functions: bisect where three steps have not halved the bracket.
    reference, stalled = np.ones(todo.size), np.zeros(todo.size, dtype=np.int8)
    for _ in range(SOLVER_STEPS):
        if todo.size == 0:
            break
        if 2 * todo.size < gathered.size:
            gathered, pos, f = todo, None, on(todo)
        c = _illinois_point(a, b, ga, gb, stalled)
        gc = _evaluate(f, c, pos, gathered.size)
        if decreasing:
            gc = -gc
        flip = gc * gb < 0
        a, ga = np.where(flip, b, a), np.where(flip, gb, ga / 2)
        b, gb = c, gc
        width = np.abs(b - a)
        halved = width <= 0.5 * reference
        reference = np.where(halved, width, reference)
        stalled = np.where(halved, 0, stalled + 1).astype(np.int8, copy=False)
        exact = np.abs(gc) <= VALUE_TOLERANCE
        done = (width < SOLVER_TOLERANCE) | exact
        if not done.any():
            continue
        root[todo[done]] = np.where(exact | satisfied(gb), b, a)[done]
        keep = ~done
        todo, pos = todo[keep], np.flatnonzero(keep) if pos is None else pos[keep]
        a, b, ga, gb = a[keep], b[keep], ga[keep], gb[keep]
        reference, stalled = reference[keep], stalled[keep]
    root[todo] = np.where(satisfied(gb), b, a)
    return root


def _illinois_point(
    a: np.ndarray, b: np.ndarray, ga: np.ndarray, gb: np.ndarray, stalled: np.ndarray
) -> np.ndarray:
    """The next point of the Illinois regula falsi: the secant's root held in the bracket.

    The bracket's midpoint where three steps have not halved it (``stalled``) or the secant is
    flat (Dowell and Jarratt 1971).
    """
    denom = np.where(gb != ga, gb - ga, 1.0)
    c = np.minimum(np.maximum(b - gb * (b - a) / denom, np.minimum(a, b)), np.maximum(a, b))
    return np.where((stalled >= 3) | (gb == ga), 0.5 * (a + b), c)


def _evaluate(
    f: Callable[[np.ndarray], np.ndarray], c: np.ndarray, pos: np.ndarray | None, size: int
) -> np.ndarray:
    """``f`` at ``c``, placed at ``pos`` among the ``size`` worlds ``f`` evaluates (None: all)."""
    if pos is None:
        return f(c)
    lam = np.zeros(size)
    lam[pos] = c
    return f(lam)[pos]


def maximise(f: Callable[[np.ndarray], np.ndarray], size: int) -> np.ndarray:
    """Per-world maximiser of ``f`` on [0, 1]: a grid of ``GRID`` points, then golden section.

    Exact to about 1e-12 for unimodal objectives; the grid keeps the global maximum's bracket.
    """
    grid = np.linspace(0.0, 1.0, GRID)
    values = np.stack([f(np.full(size, g)) for g in grid], axis=1)
    best = np.argmax(values, axis=1)
    lo = grid[np.maximum(best - 1, 0)]
    hi = grid[np.minimum(best + 1, GRID - 1)]
    r = (np.sqrt(5.0) - 1) / 2
    c, d = hi - r * (hi - lo), lo + r * (hi - lo)
    fc, fd = f(c), f(d)
    for _ in range(GOLDEN_STEPS):
        left = fc >= fd  # the maximum lies in [lo, d]
        hi = np.where(left, d, hi)
        lo = np.where(left, lo, c)
        new_c = np.where(left, hi - r * (hi - lo), d)
        new_d = np.where(left, c, lo + r * (hi - lo))
        f_new = f(np.where(left, new_c, new_d))
        fc, fd = np.where(left, f_new, fd), np.where(left, fc, f_new)
        c, d = new_c, new_d
    golden = np.where(fc >= fd, c, d)
    golden_value = np.maximum(fc, fd)
    return np.where(golden_value >= values[np.arange(size), best], golden, grid[best])


def aspiration(
    t: float,
    deadline: np.ndarray,
    reservation: np.ndarray,
    beta: np.ndarray,
    half_life: np.ndarray | float = np.inf,
) -> np.ndarray:
    """Time-dependent aspiration, by deadline or by patience (Faratin, Sierra & Jennings 1998).

    With a finite deadline ``T``: the polynomial tactic ``a(t) = r + (1 − r)(1 − (t/T)^(1/β))``;
    β < 1 holds firm (Boulware), β > 1 concedes early (Conceder): the GENIUS convention. Past the
    deadline the aspiration stays at the reservation value.

    Where the deadline is infinite (a side with no date by which it must settle) the aspiration
    decays exponentially with the side's patience, ``a(t) = r + (1 − r)·2^(−t/h)``: halfway to
    the reservation value every ``h`` steps. Faratin et al.'s exponential tactic ends at a deadline
    ``T``; this is its deadline-free form, the constant-hazard decay of a discount factor
    ``δ = 2^(−1/h)`` per step (Rubinstein 1982), and it never reads a study period.
    """
    r = np.clip(reservation, 0.0, 1.0)
    finite = np.isfinite(deadline)
    frac = np.clip(t / np.maximum(np.where(finite, deadline, 1.0), 1e-9), 0.0, 1.0)
    by_deadline = 1 - frac ** (1 / beta)
    by_patience = np.exp2(-max(t, 0.0) / np.maximum(half_life, 1e-9))
    return r + (1 - r) * np.where(finite, by_deadline, by_patience)


def nash_objective(
    u: tuple[np.ndarray, np.ndarray],
    d: tuple[np.ndarray, np.ndarray],
    alpha: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """Asymmetric Nash product in logs: ``α1 log(u1 − d1) + α2 log(u2 − d2)`` (−inf if infeasible).

    Its maximiser is the asymmetric Nash bargaining solution (Kalai 1977).
    """
    g1, g2 = u[0] - d[0], u[1] - d[1]
    ok = (g1 > 0) & (g2 > 0)
    val = alpha[0] * np.log(np.where(ok, g1, 1.0)) + alpha[1] * np.log(np.where(ok, g2, 1.0))
    return np.where(ok, val, -np.inf)


def screening_objective(
    u_p: np.ndarray,
    u_r: np.ndarray,
    belief_lo: np.ndarray,
    belief_hi: np.ndarray,
    reject_value: np.ndarray,
) -> np.ndarray:
    """Expected utility of a take-it-or-leave-it offer (Fearon 1995, the risk–return trade-off).

    The responder accepts iff its utility is at least its reservation value, which the proposer
    believes uniform on ``[belief_lo, belief_hi]``: ``F(u_r)·u_p + (1 − F(u_r))·reject_value``.
    """
    width = np.maximum(belief_hi - belief_lo, 1e-12)
    accept = np.clip((u_r - belief_lo) / width, 0.0, 1.0)
    return accept * u_p + (1 - accept) * reject_value
