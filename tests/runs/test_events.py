"""An ensemble's events: events.parquet, P(event by date) and conditional questions of it."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from functools import cache

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.mechanisms.outcomes import OUTCOMES, STATES, STRIKES, TOTALS
from sim.runs.ensemble import RunResult, run
from sim.runs.events import ask, askable, by_dates, month_ends
from sim.scenario.loader import load_scenario
from tests.builders import BASELINE

SPEC = load_scenario(BASELINE).scenario
END = SPEC.step_to_date(SPEC.horizon)


@cache
def ensemble() -> RunResult:
    """500 baseline worlds in blocks of 200 (run once for the module)."""
    return run(BASELINE, worlds=500, seed=13, block_size=200)


def parquet_bytes(table: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False, engine="pyarrow")
    return buffer.getvalue()


def test_month_ends_cover_the_study_period_and_end_at_its_end() -> None:
    ends = month_ends(SPEC)
    assert ends[0] == dt.date(2025, 4, 30) and ends[-1] == END
    assert all((b - a).days in (28, 29, 30, 31) for a, b in itertools.pairwise(ends[:-1]))
    daily = SPEC.calendar.model_copy(update={"step_days": 1})
    days = (dt.date(2025, 6, 30) - SPEC.calendar.start).days
    ends_on_one = SPEC.model_copy(update={"calendar": daily, "horizon": days})
    assert month_ends(ends_on_one) == [
        dt.date(2025, 4, 30),
        dt.date(2025, 5, 31),
        dt.date(2025, 6, 30),
    ]


def test_world_ids_are_global_and_rows_ordered() -> None:
    events = ensemble().events
    assert list(events.columns) == ["world", "step", "date", "event", "actor", "details"]
    keys = events[["world", "step"]].to_numpy()
    assert (np.diff(keys[:, 0]) >= 0).all()
    same = np.diff(keys[:, 0]) == 0
    assert (np.diff(keys[:, 1])[same] >= 0).all()
    horizon = events[events["event"] == "horizon"]
    assert horizon["world"].tolist() == list(range(500))
    assert (
        horizon["details"].astype(str).tolist() == ensemble().worlds["state"].astype(str).tolist()
    )


def test_the_same_seed_gives_the_same_events_for_any_jobs() -> None:
    one = run(BASELINE, worlds=300, seed=13, block_size=100, jobs=1)
    two = run(BASELINE, worlds=300, seed=13, block_size=100, jobs=2)
    assert parquet_bytes(one.events) == parquet_bytes(two.events)
    assert parquet_bytes(one.worlds) == parquet_bytes(two.worlds)


def test_states_are_shares_of_the_worlds_table() -> None:
    result = ensemble()
    states = result.summary["states"]
    assert list(states) == list(STATES)
    assert sum(s["count"] for s in states.values()) == 500
    counts = result.worlds["state"].value_counts()
    for name, s in states.items():
        assert s["count"] == counts.get(name, 0)
        assert s["ci95"][0] <= s["p"] <= s["ci95"][1]


@settings(max_examples=25, deadline=None)
@given(
    st.dates(SPEC.calendar.start, END),
    st.dates(SPEC.calendar.start, END),
    st.sampled_from(askable(SPEC)),
)
def test_property_p_by_date_is_monotone_and_ends_at_the_outcome_share(
    a: dt.date, b: dt.date, event: str
) -> None:
    """P(E by date) never falls as the date moves on; by the end, a decisive event's is the
    share of worlds that had it at any time: at least the share whose first decisive event it
    was (the worlds table's outcome), more where a later deal or strike followed a strike."""
    result = ensemble()
    early, late = sorted((a, b))
    p_early = ask(result.events, SPEC, 500, event, early).p
    p_late = ask(result.events, SPEC, 500, event, late).p
    assert p_early <= p_late
    if event in (*OUTCOMES, *TOTALS):
        members = TOTALS[event][1] if event in TOTALS else (event,)
        share = result.worlds["outcome"].isin(members).mean()
        ever = result.events.loc[result.events["event"].isin(members), "world"].nunique() / 500
        assert ask(result.events, SPEC, 500, event, END).p == ever >= share
        if event in TOTALS:
            assert share == result.summary["totals"][event]["p"]
        else:
            assert share == result.summary["outcomes"][event]["p"]


def test_the_summary_by_date_is_ask_at_each_month_end() -> None:
    result = ensemble()
    table = result.summary["events_by_date"]
    assert table["dates"] == [d.isoformat() for d in month_ends(SPEC)]
    assert set(table["events"]) == set(askable(SPEC))
    for name, cells in table["events"].items():
        for k, date in enumerate(table["dates"]):
            answer = ask(result.events, SPEC, 500, name, dt.date.fromisoformat(date))
            assert cells["count"][k] == answer.count
            assert cells["ci95"][k] == list(answer.ci95)
    assert by_dates(result.events, SPEC, 500) == table


def events_of(rows: list[tuple[int, int, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["world", "step", "event"])


def test_a_conditional_answer_counts_only_events_at_or_after_the_condition() -> None:
    """Known answer: given a collapse by step 10, a strike at or after it (and by step 10)."""
    events = events_of(
        [
            (0, 1, "strike_israel"),  # before its collapse: not counted
            (0, 2, "collapse"),
            (1, 3, "collapse"),
            (1, 3, "strike_us"),  # the same step counts
            (2, 4, "collapse"),
            (2, 11, "strike_joint"),  # after the date: not counted
            (3, 1, "strike_israel"),  # no collapse: not among the worlds
            (4, 12, "collapse"),  # collapsed after the date: not among the worlds
        ]
    )
    by = SPEC.step_to_date(10)
    answer = ask(events, SPEC, 5, "strike", by, given="collapse")
    assert (answer.count, answer.n, answer.step) == (1, 3, 10)
    assert answer.p == 1 / 3
    assert ask(events, SPEC, 5, "strike", by).count == 3  # worlds 0, 1 and 3
    assert ask(events, SPEC, 5, "strike_israel", by).as_dict()["count"] == 2
    nothing = ask(events, SPEC, 5, "deal", by, given="snapback")
    assert (nothing.count, nothing.n, nothing.p) == (0, 0, 0.0)


def test_strike_counts_a_world_once_however_many_strikes() -> None:
    events = events_of([(0, 1, "strike_israel"), (0, 4, "strike_israel"), (0, 5, "strike_us")])
    assert ask(events, SPEC, 2, "strike", SPEC.step_to_date(9)).count == 1


def test_askable_names_are_the_log_and_the_strike_totals() -> None:
    names = askable(SPEC)
    assert names[-2:] == list(TOTALS) and set(STRIKES) <= set(names)
