"""Deadlines that move: what the sides do when a deadline passes without a deal (§3.4.28).

A side may have several known deadlines. When one passes without a deal while the talks are on,
the sides extend it, walk away or let it pass (issue 14). Deadlines concentrate agreement at the
last moment (the deadline effect: Roth, Murnighan and Schoumaker 1988), and a deadline binds only
as far as the sides are committed to it (Fershtman and Seidmann 1993): when agreement looks near,
missing the date costs more than moving it, so extension is likelier the closer the sides are.
The choice is a multinomial logit (McFadden 1974) whose weights at closeness 0 are the given
probabilities; closeness and a ratifiable offer on the table raise the odds of extending.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.mechanisms.strike import closeness

AT_KINDS = ("final", "decide", "extend", "walkout", "pass")
"""What may happen at a deadline, by code: ``final`` (the side's last word: its aspiration stays
at its reservation value after it, nothing is decided; a side's lone ``deadline:``), ``decide``
(the sides choose by :func:`deadline_choice`), or a fixed choice (``extend``, ``walkout``,
``pass``)."""
FINAL, DECIDE, EXTEND, WALKOUT, PASS = range(len(AT_KINDS))
NONE = -1
"""The code of "no deadline now" (after the last one was let pass, or none given)."""
CHOICES = ("extend", "walkout", "pass")
"""The choices at a deadline, in the order of :class:`DeadlineChoice`'s fields."""


class DeadlineChoice(NamedTuple):
    """The probabilities of the three choices at a passing deadline, (N,) each; they sum to 1."""

    extend: np.ndarray
    """The sides move the deadline later."""
    walkout: np.ndarray
    """The side whose deadline it is walks out: the talks collapse."""
    let_pass: np.ndarray
    """The date passes; the talks go on without it (the side's next deadline, or none)."""

    def draw(self, u: np.ndarray) -> np.ndarray:
        """The choice's code (:data:`EXTEND`, :data:`WALKOUT`, :data:`PASS`) for uniforms ``u``."""
        return np.where(
            u < self.extend, EXTEND, np.where(u < self.extend + self.walkout, WALKOUT, PASS)
        )


def deadline_choice(
    gap: np.ndarray,
    ratifiable: np.ndarray,
    extend_probability: np.ndarray,
    walkout_probability: np.ndarray,
    closeness_weight: np.ndarray,
    ratifiable_weight: np.ndarray,
) -> DeadlineChoice:
    """The sides' choice at a passing deadline: a multinomial logit (McFadden 1974).

    The weights are ``w_extend = p_e·exp(κ·c + ρ·R)``, ``w_walkout = p_w`` and
    ``w_pass = 1 − p_e − p_w`` (clipped at 0), each choice's probability its weight over their
    sum: with ``p_e`` and ``p_w`` the probabilities of extending and of walking out when the
    sides are far apart (closeness ``c`` = 0, no ratifiable offer), ``c`` the :func:`closeness`
    of the last offer, ``R`` 1 where it passed both ratification votes (``last_ratifiable``),
    ``κ`` and ``ρ`` the log-odds of extending (against either other choice) they add. With
    ``κ, ρ ≥ 0`` extension is likelier the closer the sides are (Roth, Murnighan and Schoumaker
    1988; Moore 2004), and a walk-out or letting the date pass less likely.
    """
    p_e = np.clip(extend_probability, 0.0, 1.0)
    p_w = np.clip(walkout_probability, 0.0, 1.0)
    w_pass = np.clip(1 - p_e - p_w, 0.0, 1.0)
    w_ext = p_e * np.exp(closeness_weight * closeness(gap) + ratifiable_weight * ratifiable)
    total = w_ext + p_w + w_pass
    total = np.where(total > 0, total, 1.0)
    return DeadlineChoice(w_ext / total, p_w / total, w_pass / total)


def fixed_choice(kind: np.ndarray, decided: DeadlineChoice) -> DeadlineChoice:
    """The choice where a deadline's ``at`` fixes it (codes of :data:`AT_KINDS`), else ``decided``.

    A fixed ``extend``, ``walkout`` or ``pass`` has probability 1; a ``decide`` deadline keeps
    the logit's.
    """
    return DeadlineChoice(
        *(
            np.where(kind == DECIDE, p, (kind == code).astype(float))
            for p, code in zip(decided, (EXTEND, WALKOUT, PASS), strict=True)
        )
    )


def extension_steps(weeks: np.ndarray, step_days: int) -> np.ndarray:
    """An extension of ``weeks`` weeks in steps of ``step_days`` days: at least one step."""
    return np.maximum(1, np.rint(np.asarray(weeks) * 7 / step_days)).astype(np.int64)


def extended(
    t: int, length: np.ndarray, listed: np.ndarray, kinds: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """An extension at step ``t``: the new deadline's step and ``at`` code, per world.

    The deadline moves ``length`` steps later, but never past the side's next listed deadline
    (``listed`` steps, ascending, with their ``kinds``): an extension does not skip a known
    date, so one that reaches it becomes that deadline (a ``final`` one stays final); any other
    extended deadline is decided when it passes (:data:`DECIDE`).
    """
    moved = (t + np.asarray(length)).astype(float)
    pos = int(next_deadline(listed, np.array([t]))[0])
    if pos == len(listed):
        return moved, np.full(moved.shape, DECIDE, dtype=np.int8)
    capped = moved >= listed[pos]
    step = np.where(capped, listed[pos], moved)
    return step, np.where(capped, kinds[pos], DECIDE).astype(np.int8)


def next_deadline(steps: np.ndarray, after: np.ndarray) -> np.ndarray:
    """The index of each world's first listed deadline later than ``after`` (``len``: none).

    ``steps`` are a side's listed deadline steps, ascending (K,); ``after`` the step each world
    has reached (N,): a listed date an extension has overtaken is skipped.
    """
    return np.searchsorted(steps, after, side="right")
