"""Bueno de Mesquita's expected-utility model, as reconstructed by Scholz, Calbert and Smith (2011).

Scholz, J. B., Calbert, G. J. and Smith, G. A. (2011), "Unravelling Bueno De Mesquita's group
decision model", *Journal of Theoretical Politics* 23(4): 510-531 (conference version: ICAART
2011, SciTePress); Bueno de Mesquita, B. (1994), "Political forecasting: an expected utility
method", in Bueno de Mesquita and Stokman (eds), *European Community Decision Making*, Yale UP,
pp. 71-104. Section numbers of Scholz et al. are those cited by D. Masad's replication
(github.com/dmasad/BDM_DecisionModel_Replication). ``docs/bdm.md`` gives the formulas, the
readings and what was verified.

Every function works on one issue at a time over arrays shaped ``(F, M)`` (F actors, M worlds or
world-issue pairs); pairwise arrays are ``(F, F, M)`` indexed ``[i, j]``. Positions are measured
in units of ``span`` (the range of the initial positions), so distances ``d`` lie in [0, 1].
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
from numpy.typing import ArrayLike

from sim.mechanisms.stance import StanceRule

TINY = 1e-12


@dataclass(frozen=True)
class Reading:
    """Which of the disagreeing specifications of the model to follow (see ``docs/bdm.md``).

    ``risk_in_votes``: votes (so the probability of success) use each voter's risk exponent,
    ``c_k s_k (d_kj^r_k - d_ki^r_k)``, instead of linear distances. ``pooled_denominator``: the
    probability divides by the votes pooled over every pair of actors instead of over the pair
    contested. ``offer_choice``: ``least_move`` takes the credible offer that moves the actor
    least; ``code`` takes a lost confrontation first, else the compromise whose compromise
    position ``(|a| x_i + |b| x_j) / (|a| + |b|)`` is lowest. ``capitulation``: whether the
    capitulation region can be reached. ``q``, ``t``: the probabilities Q (the status quo holds
    without a challenge) and T (it would then improve), as in the expected utility of challenge.
    """

    name: str
    risk_in_votes: bool
    pooled_denominator: bool
    offer_choice: Literal["least_move", "code"]
    capitulation: bool
    q: float = 1.0
    t: float = 1.0


PRINTED = Reading("printed", False, False, "least_move", True)
"""Scholz et al.'s printed formulas and BDM (1994): linear votes, per-pair probability."""
SCHOLZ_CODE = Reading("scholz_code", True, True, "code", False)
"""The authors' code as ported to Python by J. McKibben (github.com/jmckib/
bdm-scholz-expected-utility-model, ``bdm_scholz_model.py``), whose comments mark these choices
as faithful to that code; it reproduces that port's published log round by round."""
DEFAULT = SCHOLZ_CODE
"""The reading used unless one is named: the one the published results support.

On the paper's worked example (EC emission standards) Scholz et al. report a median of 8.4 after
the first round, about 9.9 for four rounds, then 7.4, 8.8 and 9.6 (their Table 2, as transcribed
in ``docs/examples/scholz_2011_table2.csv``). ``SCHOLZ_CODE`` follows that cycle (8.416, 9.611,
three times 9.962, 7.472, 8.825, 9.671); ``PRINTED`` keeps the median at 7 in every round.
``docs/bdm.md`` section 4 gives the comparison."""


def weighted_mean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The weighted mean ``sum_i w_i x_i / sum_i w_i`` over axis 0 (the compromise model).

    Achen (2006); with ``w = c s`` this is BDM's "mean voter" position. Zero total weight: the
    plain mean.
    """
    total = w.sum(axis=0)
    safe = np.where(total > 0, total, 1.0)
    return np.where(total > 0, (w * x).sum(axis=0) / safe, x.mean(axis=0))


def weighted_median(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The weighted median over axis 0: the Condorcet winner of BDM's pairwise votes.

    With votes ``v^{jk} = sum_i c_i s_i (|x_i - x_k| - |x_i - x_j|)`` (BDM 1994; Scholz et al.
    section 3.2) the position beating every other on a line is the median weighted by
    ``w = c s``: the first position, in order, whose cumulative weight reaches half the total.
    Where it reaches exactly half, the votes tie and the midpoint with the next position is taken.
    Zero total weight: the plain median.
    """
    order = np.argsort(x, axis=0, kind="stable")
    xs = np.take_along_axis(x, order, axis=0)
    ws = np.take_along_axis(w, order, axis=0)
    if np.any(ws.sum(axis=0) <= 0):
        ws = np.where(ws.sum(axis=0) > 0, ws, 1.0)
    cum = np.cumsum(ws, axis=0)
    half = cum[-1] / 2
    k = np.argmax(cum >= half * (1 - TINY), axis=0)
    at = np.take_along_axis(xs, k[None], axis=0)[0]
    nxt = np.take_along_axis(xs, np.minimum(k + 1, len(xs) - 1)[None], axis=0)[0]
    tie = np.abs(np.take_along_axis(cum, k[None], axis=0)[0] - half) <= TINY * cum[-1]
    return np.where(tie, (at + nxt) / 2, at)


def distances(x: np.ndarray, span: np.ndarray) -> np.ndarray:
    """Normalised distances ``d_ij = |x_i - x_j| / span``, (F, F, M), at most 1."""
    return np.minimum(np.abs(x[:, None] - x[None, :]) / span, 1.0)


def votes(
    d: np.ndarray, capability: np.ndarray, salience: np.ndarray, risk: np.ndarray | None
) -> np.ndarray:
    """Votes ``v_k^{ij} = c_k s_k (d_kj^r_k - d_ki^r_k)`` of every actor k for i over j.

    ``d`` is (F, F, M); returns (K, F, F, M). BDM (1994), Scholz et al. section 3.2; with
    ``risk`` None the exponents are 1 (the printed formula), else each voter's own exponent.
    """
    dk = d if risk is None else d ** risk[:, None]
    weight = (capability * salience)[:, None, None]
    return weight * (dk[:, None, :] - dk[:, :, None])


def win_probability(v: np.ndarray, *, pooled: bool) -> np.ndarray:
    """Probability that i beats j: ``P_ij = sum_k max(v_k^{ij}, 0) / sum_k |v_k^{ij}|``.

    BDM (1994), Scholz et al. section 4: the share of the votes on i's side. With
    ``pooled`` the denominator sums ``|v|`` over every pair of actors (the authors' code, see
    :data:`SCHOLZ_CODE`). No votes at stake: 1/2. Returns (F, F, M).
    """
    top = np.maximum(v, 0.0).sum(axis=0)
    bottom = np.abs(v).sum(axis=(0, 1, 2)) if pooled else np.abs(v).sum(axis=0)
    safe = np.where(bottom > 0, bottom, 1.0)
    return np.where(bottom > 0, top / safe, 0.5)


def power_utility(base: np.ndarray, r: np.ndarray) -> np.ndarray:
    """BDM's utility scale ``2 - 4 base^r`` (Scholz et al. section 3; base 1/2 at no distance).

    ``r`` is the risk exponent: r < 1 risk acceptant, r > 1 risk averse.
    """
    return 2 - 4 * np.clip(base, 0.0, 1.0) ** r


def challenge_utility(
    p: np.ndarray,
    d: np.ndarray,
    d_median: np.ndarray,
    s_target: np.ndarray,
    r: np.ndarray,
    reading: Reading,
) -> np.ndarray:
    """Expected utility to a challenger of challenging a target, as a perceiver with exponent r.

    ``E(U) = s_j [P U_s + (1 - P) U_f] + (1 - s_j) U_s - Q U_sq - (1 - Q)[T U_b + (1 - T) U_w]``,
    with ``U_s = 2 - 4(0.5 - 0.5 d)^r``, ``U_f = 2 - 4(0.5 + 0.5 d)^r``, ``U_sq = 2 - 4(0.5)^r``,
    ``U_b = 2 - 4(0.5 - 0.25(d_mu + d))^r``, ``U_w = 2 - 4(0.5 + 0.25(d_mu + d))^r``; ``d`` the
    distance challenger-target, ``d_mu`` challenger-median, ``s_j`` the target's salience (the
    chance it resists). BDM (1994), Scholz et al. sections 2.2 and 3. Elementwise.
    """
    u_s = power_utility(0.5 - 0.5 * d, r)
    u_f = power_utility(0.5 + 0.5 * d, r)
    u_sq = power_utility(np.full_like(d, 0.5), r)
    u_b = power_utility(0.5 - 0.25 * (d_median + d), r)
    u_w = power_utility(0.5 + 0.25 * (d_median + d), r)
    contest = s_target * (p * u_s + (1 - p) * u_f) + (1 - s_target) * u_s
    q, t = reading.q, reading.t
    return contest - q * u_sq - (1 - q) * (t * u_b + (1 - t) * u_w)


def expected_utilities(
    x: np.ndarray,
    capability: np.ndarray,
    salience: np.ndarray,
    r: np.ndarray,
    span: np.ndarray,
    reading: Reading,
) -> tuple[np.ndarray, np.ndarray]:
    """Each actor's perception of every dyad: ``(E^i U_ij, E^i U_ji)``, both (F, F, M).

    Actor i evaluates its own challenge of j and j's challenge of i with its own risk exponent
    ``r_i`` (BDM's perceptions; Scholz et al. section 6). The median ``mu`` is the weighted
    median of the current positions.
    """
    d = distances(x, span)
    v = votes(d, capability, salience, r if reading.risk_in_votes else None)
    p = win_probability(v, pooled=reading.pooled_denominator)
    mu = weighted_median(x, capability * salience)
    d_mu = np.minimum(np.abs(x - mu) / span, 1.0)
    ri = r[:, None]
    own = challenge_utility(p, d, d_mu[:, None], salience[None], ri, reading)
    theirs = challenge_utility(p.swapaxes(0, 1), d, d_mu[None], salience[:, None], ri, reading)
    return own, theirs


def risk_exponents(
    x: np.ndarray, capability: np.ndarray, salience: np.ndarray, span: np.ndarray, reading: Reading
) -> np.ndarray:
    """Risk exponents from the actors' security: ``r_i = (1 - R_i/3) / (1 + R_i/3)`` in [1/2, 2].

    With every exponent 1, ``S_i = sum_{j != i} E(U_ji)`` is what the others expect from
    challenging i, and ``R_i = (2 S_i - max_k S_k - min_k S_k) / (max_k S_k - min_k S_k)``
    (BDM 1994; Scholz et al. section 5): the most threatened actor is the most risk
    acceptant (r = 1/2). All equally threatened: r = 1.
    """
    ones = np.ones_like(x)
    own, _ = expected_utilities(x, capability, salience, ones, span, reading)
    f = len(x)
    off = ~np.eye(f, dtype=bool)[:, :, None]
    threat = np.where(off, own, 0.0).sum(axis=0)  # S_j: column sums of E(U_ij)
    hi, lo = threat.max(axis=0), threat.min(axis=0)
    spread = hi - lo
    safe = np.where(spread > TINY, spread, 1.0)
    big_r = np.where(spread > TINY, (2 * threat - hi - lo) / safe, 0.0)
    return (1 - big_r / 3) / (1 + big_r / 3)


def offers(
    x: np.ndarray, own: np.ndarray, theirs: np.ndarray, reading: Reading
) -> tuple[np.ndarray, np.ndarray]:
    """The position actor i would move to in response to each j, and the kind of response.

    From i's perspective, with ``a = E^i U_ij`` and ``b = E^i U_ji`` (Scholz et al. section 6,
    after BDM's quadrant chart): ``b > a > 0`` i loses a confrontation and moves to ``x_j`` (kind
    0); ``b > 0 > a`` and ``b > |a|`` i compromises, moving ``|a|/b`` of the way to ``x_j``
    (kind 1); ``b > 0 > a`` and ``b <= |a|`` i capitulates to ``x_j`` (kind 2). No offer: -1.
    Returns (positions, kinds), both (F, F, M).
    """
    f = len(x)
    xi, xj = x[:, None], x[None, :]
    valid = (~np.eye(f, dtype=bool)[:, :, None]) & (xi != xj)
    a, b = own, theirs
    confront = valid & (b > a) & (a > 0)
    losing = valid & (b > 0) & (a < 0)
    compromise = losing & (b > -a)
    capitulate = losing & ~compromise & reading.capitulation
    share = -a / np.where(b > 0, b, 1.0)
    step = np.clip(xi + (xj - xi) * share, np.minimum(xi, xj), np.maximum(xi, xj))
    target = np.where(compromise, step, np.broadcast_to(xj, step.shape))
    kind = np.select([confront, compromise, capitulate], [0, 1, 2], default=-1)
    return np.where(kind >= 0, target, np.nan), kind


def choose_offer(
    x: np.ndarray,
    target: np.ndarray,
    kind: np.ndarray,
    own: np.ndarray,
    theirs: np.ndarray,
    reading: Reading,
) -> np.ndarray:
    """Each actor's new position: the offer it takes, or its position if it gets none.

    ``least_move``: the offer that moves it least (Scholz et al. section 6 and BDM, as McKibben
    reads them: "each actor chooses the offer that requires him to change position the least");
    ties go to the lower actor index. ``code``: see :class:`Reading`.
    """
    move = np.abs(target - x[:, None])
    if reading.offer_choice == "least_move":
        score = np.where(kind >= 0, move, np.inf)
    else:
        a, b = np.abs(own), np.abs(theirs)
        xi, xj = x[:, None], x[None, :]
        weighted = (a * xi + b * xj) / np.where(a + b > 0, a + b, 1.0)
        any_confront = np.any(kind == 0, axis=1, keepdims=True)
        score = np.where(any_confront, np.where(kind == 0, move, np.inf), np.inf)
        score = np.where(~any_confront & (kind == 1), weighted, score)
        none_yet = ~np.any(np.isfinite(score), axis=1, keepdims=True)
        score = np.where(none_yet & (kind == 2), move, score)
    best = np.argmin(score, axis=1)
    chosen = np.take_along_axis(target, best[:, None], axis=1)[:, 0]
    has = np.isfinite(np.take_along_axis(score, best[:, None], axis=1)[:, 0])
    return np.where(has, chosen, x)


def bdm_round(
    x: np.ndarray,
    capability: np.ndarray,
    salience: np.ndarray,
    span: np.ndarray,
    reading: Reading = DEFAULT,
) -> np.ndarray:
    """One round: risk exponents, perceived expected utilities, then simultaneous moves.

    Every actor responds to the positions at the start of the round (Scholz et al. appendix,
    steps 2-11); returns the new positions (F, M).
    """
    span = np.where(span > 0, span, 1.0)
    r = risk_exponents(x, capability, salience, span, reading)
    own, theirs = expected_utilities(x, capability, salience, r, span, reading)
    target, kind = offers(x, own, theirs, reading)
    return choose_offer(x, target, kind, own, theirs, reading)


@dataclass(frozen=True)
class Round:
    """The state after a round (round 0: the input)."""

    round: int
    positions: np.ndarray
    weighted_mean: np.ndarray
    median: np.ndarray


def settled(before: Round, after: Round, span: np.ndarray, tolerance: float) -> bool:
    """The stopping rule: a round that moved neither the forecast nor any actor ends bargaining.

    BDM stops when the shift of the predicted median from one round to the next is too small to
    be worth the cost of another round, "given the time discount rate" (Bueno de Mesquita 2002,
    *Predicting Politics*, Ohio State UP). The weighted median is a step function of the
    positions: it can stay put while positions still move and shift later, so the rule also asks
    that no position moved by more than ``tolerance`` x span, i.e. that nothing is left to gain
    from another round.
    """
    limit = tolerance * np.maximum(span, TINY)
    still = np.abs(after.median - before.median) <= limit
    return bool(np.all(still) and np.all(np.abs(after.positions - before.positions) <= limit))


def bdm_rounds(
    capability: ArrayLike,
    position: ArrayLike,
    salience: ArrayLike,
    rounds: int,
    *,
    reading: Reading = DEFAULT,
    tolerance: float | None = 1e-9,
) -> Iterator[Round]:
    """Yield round 0 (the input) and each later round, up to ``rounds`` or the stopping rule.

    Arrays are (F,) or (F, M). The forecast is the weighted median; the compromise model's
    forecast, the ``c s`` weighted mean, is given alongside. The run stops early at the first
    round that ends bargaining (:func:`settled`); with ``tolerance`` None it runs all rounds.
    """
    shape = np.shape(position)
    x = np.asarray(position, dtype=float).reshape(shape[0], -1)
    c = np.broadcast_to(np.asarray(capability, dtype=float).reshape(shape[0], -1), x.shape)
    s = np.broadcast_to(np.asarray(salience, dtype=float).reshape(shape[0], -1), x.shape)
    span = x.max(axis=0) - x.min(axis=0)
    w = c * s

    def state(k: int, x: np.ndarray, median: np.ndarray) -> Round:
        mean = weighted_mean(x, w)
        return Round(k, x.reshape(shape), mean.reshape(shape[1:]), median.reshape(shape[1:]))

    now = state(0, x, weighted_median(x, w))
    yield now
    for k in range(1, rounds + 1):
        x = bdm_round(x, c, s, span, reading)
        before, now = now, state(k, x, weighted_median(x, w))
        yield now
        if tolerance is not None and settled(before, now, span.reshape(shape[1:]), tolerance):
            return


class ExpectedUtility(StanceRule):
    """Bueno de Mesquita's expected-utility model (BDM 1994; Scholz, Calbert and Smith 2011).

    One BDM round per model step on each issue: factions (capability = clout, salience per issue)
    challenge, compromise and capitulate as in :func:`bdm_round`, all at once. The target stance
    is BDM's forecast, the ``clout x salience`` weighted median of the new positions (not their
    mean, which is the compromise model's forecast). Distances are normalised by each world's and
    issue's range of the positions at the first call (the factions' ideal points). The stopping
    rule needs no state here: a round that ends bargaining (:func:`settled`) moves nobody, and the
    next one, with the same clout, moves nobody either; a change of clout can reopen it.
    """

    name: ClassVar[str] = "bdm_eum"
    reading: ClassVar[Reading] = DEFAULT

    def __init__(self) -> None:
        self._span: np.ndarray | None = None

    def round(
        self, positions: np.ndarray, salience: np.ndarray, clout: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """New positions (F, N, D) and their weighted median as the stance (N, D)."""
        f, n, d = positions.shape
        x = positions.reshape(f, n * d)
        s = salience.reshape(f, n * d)
        c = np.repeat(clout, d, axis=1)
        if self._span is None or self._span.shape != (n * d,):
            self._span = x.max(axis=0) - x.min(axis=0)
        new = bdm_round(x, c, s, self._span, self.reading)
        median = weighted_median(new, c * s)
        return new.reshape(f, n, d), median.reshape(n, d)
