"""Ratification and red lines (sim.mechanisms.ratification): Putnam's win-set, Tsebelis's vetoes."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.mechanisms.ratification import ratify, red_line_crossed, red_line_veto


def test_ratify_quota_red_lines_and_override() -> None:
    u = np.array([[0.8], [0.3], [0.6]])
    nd = np.array([[0.5], [0.5], [0.5]])
    clout = np.array([[0.5], [0.3], [0.2]])
    crossed = np.array([[False], [True], [False]])
    quota = np.array([0.6])
    # 0.7 of clout (factions 0 and 2) backs the package; faction 1's red line is crossed.
    ok, veto = ratify(u, nd, clout, 0, quota, crossed, np.array([0.75]))
    assert not ok[0] and veto[0]  # the backing is too narrow to override the veto
    ok, veto = ratify(u, nd, clout, 0, quota, crossed, np.array([0.65]))
    assert ok[0] and not veto[0]  # a broad enough coalition overrides it
    assert not ratify(u, nd, clout, 0, np.array([0.8]), crossed, np.array([0.5]))[0][0]  # quota
    # The ratifier's own red line holds whatever the backing.
    own = np.array([[True], [False], [False]])
    assert ratify(u, nd, clout, 0, quota, own, np.array([0.0]))[1][0]
    # A ratifier who prefers no deal ratifies nothing.
    assert not ratify(np.array([[0.4], [0.9], [0.9]]), nd, clout, 0, quota, ~crossed, quota)[0][0]


def test_red_line_crossing() -> None:
    lower = np.array([[1.0, -np.inf]])
    upper = np.array([[np.inf, 0.1]])
    x = np.array([[0.5, 0.0], [2.0, 0.0], [2.0, 0.2]])
    assert red_line_crossed(x, lower, upper).tolist() == [[True, False, True]]


def test_red_line_veto_known_answers() -> None:
    crossed = np.array([[False, True, False], [True, False, False]])
    backing = np.array([0.9, 0.9, 0.5])
    veto = red_line_veto(crossed, 0, backing, np.array([0.6, 0.6, 0.6]))
    assert veto.tolist() == [False, True, False]  # overridden, the ratifier's own, nothing
    assert red_line_veto(crossed, 0, backing, np.array([0.95, 0.95, 0.95])).tolist() == [
        True,
        True,
        False,
    ]


# --- properties ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Vote:
    """The arguments of one call of ``ratify`` (F factions, N worlds)."""

    u: np.ndarray
    no_deal: np.ndarray
    clout: np.ndarray
    ratifier: int
    quota: np.ndarray
    crossed: np.ndarray
    threshold: np.ndarray

    def run(self) -> tuple[np.ndarray, np.ndarray]:
        return ratify(
            self.u,
            self.no_deal,
            self.clout,
            self.ratifier,
            self.quota,
            self.crossed,
            self.threshold,
        )

    def support(self) -> np.ndarray:
        """Share of clout weakly preferring the package, computed here from the definition."""
        total = self.clout.sum(axis=0)
        backing = (self.clout * (self.u >= self.no_deal)).sum(axis=0)
        return np.where(total > 0, backing / np.where(total > 0, total, 1), 0.0)


# Utilities on a coarse grid make ties (u = no deal: weak preference) common; whole clouts make
# every clout sum exact, so the order of the factions cannot move a share across a threshold.
grid = st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0])
shares = st.sampled_from([0.0, 0.2, 0.25, 0.5, 0.6, 0.75, 1.0])


@st.composite
def votes(draw: st.DrawFn) -> Vote:
    f, n = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    return Vote(
        u=draw(arrays(float, (f, n), elements=grid)),
        no_deal=draw(arrays(float, (f, n), elements=grid)),
        clout=draw(arrays(float, (f, n), elements=st.integers(0, 4).map(float))),
        ratifier=draw(st.integers(0, f - 1)),
        quota=draw(arrays(float, n, elements=shares)),
        crossed=draw(arrays(bool, (f, n))),
        threshold=draw(arrays(float, n, elements=shares)),
    )


@settings(max_examples=200)
@given(votes())
def test_property_a_ratified_package_meets_every_condition(vote: Vote) -> None:
    ok, veto = vote.run()
    assert ok.shape == veto.shape == vote.quota.shape
    assert ok.dtype == bool and veto.dtype == bool
    r = vote.ratifier
    prefers_r = vote.u[r] >= vote.no_deal[r]
    assert not np.any(ok & ~prefers_r)  # the ratifier weakly prefers it
    assert not np.any(ok & (vote.support() < vote.quota - 1e-12))  # the quota is met
    assert not np.any(ok & veto)  # no red line vetoes it
    assert np.all(veto[vote.crossed[r]])  # the ratifier's own red line always holds
    others = np.delete(vote.crossed, r, axis=0).any(axis=0)
    assert np.all(veto[others & ~prefers_r])  # a ratifier against it overrides nobody's lines
    narrow = vote.support() <= vote.threshold
    assert np.all(veto[others & narrow])  # nor does a coalition no broader than the threshold
    # Nothing crossed: no veto, and the package passes exactly on preference and quota.
    clear = ~vote.crossed.any(axis=0)
    assert not np.any(veto[clear])
    expected = prefers_r & (vote.support() >= vote.quota - 1e-12)
    assert np.array_equal(ok[clear], expected[clear])


@settings(max_examples=200)
@given(votes(), st.data())
def test_property_a_harder_vote_never_passes_what_an_easier_one_refused(
    vote: Vote, data: st.DataObject
) -> None:
    ok, veto = vote.run()
    f, n = vote.u.shape
    raised = vote.u + data.draw(arrays(float, (f, n), elements=st.sampled_from([0.0, 0.25])))
    more_lines = vote.crossed | data.draw(arrays(bool, (f, n)))
    harder = [
        replace(vote, quota=np.minimum(vote.quota + 0.25, 1.0)),
        replace(vote, threshold=np.minimum(vote.threshold + 0.25, 1.0)),
        replace(vote, crossed=more_lines),
    ]
    for other in harder:
        ok_h, _ = other.run()
        assert not np.any(ok_h & ~ok)  # a higher quota or threshold, more red lines
    ok_u, veto_u = replace(vote, u=raised).run()
    assert not np.any(ok & ~ok_u)  # a package everyone likes more stays ratified
    assert not np.any(veto_u & ~veto)  # and broader backing never adds a veto


@settings(max_examples=100)
@given(votes(), st.integers(-3, 3), st.randoms(use_true_random=False))
def test_property_the_vote_depends_on_clout_shares_not_units_or_order(
    vote: Vote, power: int, rnd: random.Random
) -> None:
    ok, veto = vote.run()
    scaled = replace(vote, clout=vote.clout * 2.0**power).run()
    assert np.array_equal(scaled[0], ok) and np.array_equal(scaled[1], veto)
    f = vote.u.shape[0]
    order = np.array(rnd.sample(range(f), f))
    shuffled = replace(
        vote,
        u=vote.u[order],
        no_deal=vote.no_deal[order],
        clout=vote.clout[order],
        crossed=vote.crossed[order],
        ratifier=int(np.flatnonzero(order == vote.ratifier)[0]),
    ).run()
    assert np.array_equal(shuffled[0], ok) and np.array_equal(shuffled[1], veto)


@settings(max_examples=100)
@given(votes())
def test_property_each_world_votes_alone(vote: Vote) -> None:
    ok, veto = vote.run()
    for m in range(ok.size):
        w = slice(m, m + 1)
        alone = replace(
            vote,
            u=vote.u[:, w],
            no_deal=vote.no_deal[:, w],
            clout=vote.clout[:, w],
            quota=vote.quota[w],
            crossed=vote.crossed[:, w],
            threshold=vote.threshold[w],
        ).run()
        assert (alone[0][0], alone[1][0]) == (ok[m], veto[m])


@given(
    arrays(float, (3, 2), elements=st.floats(-10, 10)),
    arrays(float, (2, 3, 2), elements=st.floats(-10, 10)),
)
def test_property_a_red_line_is_crossed_outside_its_bounds_only(
    x: np.ndarray, bounds: np.ndarray
) -> None:
    lower, upper = np.minimum(bounds[0], bounds[1]), np.maximum(bounds[0], bounds[1])
    lower_f, upper_f = lower[:, None, :], upper[:, None, :]  # (F, N=1..., D) per world
    crossed = red_line_crossed(x, lower, upper)  # bounds shared by every world: (F, D)
    assert crossed.shape == (3, 3)
    inside = (x[None] >= lower_f) & (x[None] <= upper_f)
    assert np.array_equal(crossed, ~inside.all(axis=-1))
    per_world = red_line_crossed(x, np.repeat(lower_f, 3, axis=1), np.repeat(upper_f, 3, axis=1))
    assert np.array_equal(per_world, crossed)
    none = red_line_crossed(x, np.full((3, 2), -np.inf), np.full((3, 2), np.inf))
    assert not none.any()
