"""Forecasting issues from an actor table (sim.runs.forecast): reading it, the rounds, scores."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.mechanisms.bdm import PRINTED, SCHOLZ_CODE
from sim.runs import forecast as fc
from tests.builders import ROOT

EXAMPLE = ROOT / "docs" / "examples" / "ec_emission_standards.csv"
EC_MEAN = 7.389955686853767  # capability x salience weighted mean of the EC example


def write(tmp_path: Path, text: str, name: str = "actors.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(fc.ActorTableError) as info:
        fc.read_actors(path)
    assert info.value.path == path
    return info.value.problems


# --- reading the table -----------------------------------------------------------------------
def test_reads_the_example() -> None:
    table = fc.read_actors(EXAMPLE)
    assert table.actors[:2] == ("Netherlands", "Belgium") and len(table.actors) == 10
    assert table.capability.sum() == pytest.approx(1.01)
    assert table.position.tolist()[:3] == [4, 7, 4]


def test_column_names_are_case_insensitive_and_order_free(tmp_path: Path) -> None:
    path = write(tmp_path, "Salience, Position ,Actor,CAPABILITY\n1,0,a,1\n0.5, 1 ,b,2\n")
    table = fc.read_actors(path)
    assert table.actors == ("a", "b") and table.position.tolist() == [0, 1]
    assert table.capability.tolist() == [1, 2]


def test_missing_file(tmp_path: Path) -> None:
    assert problems(tmp_path / "nope.csv") == ["no such file"]


def test_empty_file(tmp_path: Path) -> None:
    assert "empty" in problems(write(tmp_path, ""))[0]


def test_missing_columns(tmp_path: Path) -> None:
    (message,) = problems(write(tmp_path, "actor,capability,position\na,1,0\nb,1,1\n"))
    assert "salience" in message and "missing column" in message


@pytest.mark.parametrize("rows", ["", "a,1,0,1\n"])
def test_fewer_than_two_actors(tmp_path: Path, rows: str) -> None:
    (message,) = problems(write(tmp_path, "actor,capability,position,salience\n" + rows))
    assert "at least two actors" in message


def test_every_bad_cell_is_named_by_row_and_column(tmp_path: Path) -> None:
    text = (
        "actor,capability,position,salience\n"
        "a,1,0,1\n"
        "b,x,1,0.5\n"  # row 2: non-numeric capability
        "c,-1,2,1.5\n"  # row 3: negative capability, salience above 1
        ",1,,0.5\n"  # row 4: missing name (an empty position: the actor takes no part)
        "a,1,inf,-0.1\n"  # row 5: repeated name, infinite position, salience below 0
    )
    found = problems(write(tmp_path, text))
    expected = [
        "column 'salience'",  # values up to 1.5: did you mean --salience-scale 100?
        "row 2, column 'capability'",
        "row 3, column 'capability'",
        "row 3, column 'salience'",
        "row 4, column 'actor'",
        "row 5, column 'actor'",
        "row 5, column 'position'",
        "row 5, column 'salience'",
    ]
    assert sorted(p.split(":")[0] for p in found) == sorted(expected)
    assert any("'x' is not a finite number" in p for p in found)
    assert any("outside [0, 1]" in p for p in found) and any("negative" in p for p in found)


# --- the forecast ----------------------------------------------------------------------------
def test_compromise_has_round_0_only_and_forecasts_the_weighted_mean() -> None:
    # Positions never move under the compromise model: no repeated rounds (issue 16).
    table = fc.read_actors(EXAMPLE)
    (only,) = fc.forecast(table, "compromise", 3)
    assert only.round == 0 and only.weighted_mean == pytest.approx(EC_MEAN) and only.median == 7
    (result,) = fc.forecast_issues([table], ["compromise"], 3)
    assert result["compromise"] == fc.RuleForecast(pytest.approx(EC_MEAN), 0, True)


def test_bdm_round_zero_is_the_input() -> None:
    table = fc.read_actors(EXAMPLE)
    rounds = fc.forecast(table, "bdm_eum", 10)
    first = rounds[0]
    assert first.positions == dict(zip(table.actors, table.position.tolist(), strict=True))
    assert first.weighted_mean == pytest.approx(EC_MEAN) and first.median == 7
    assert 1 <= len(rounds) - 1 <= 10


# --- the long table of many issues ------------------------------------------------------------
EC_ROWS = EXAMPLE.read_text(encoding="utf-8").splitlines()[1:]
HEAD = "issue,actor,capability,position,salience,status_quo,outcome\n"


def long_table(tmp_path: Path) -> Path:
    """Issue A: the EC example; B: the EC example plus an absent actor; C: two actors."""
    rows = [f"A,{row},,9" for row in EC_ROWS]
    rows += [f"B,{row},5,9" for row in EC_ROWS] + ["B,Absent,0.9,,0.9,5,9"]
    rows += ["C,x,1,0,1,,1", "C,y,3,4,1,,1"]
    return write(tmp_path, HEAD + "\n".join(rows) + "\n")


def test_a_long_table_is_read_issue_by_issue(tmp_path: Path) -> None:
    a, b, c = fc.read_table(long_table(tmp_path))
    ec = fc.read_actors(EXAMPLE)
    assert (a.issue, b.issue, c.issue) == ("A", "B", "C")
    assert a.actors == b.actors == ec.actors  # the empty position: Absent takes no part in B
    assert b.position.tolist() == ec.position.tolist()
    assert (a.status_quo, a.outcome, b.status_quo, c.status_quo, c.outcome) == (None, 9, 5, None, 1)


def test_known_answers_of_every_rule(tmp_path: Path) -> None:
    tables = fc.read_table(long_table(tmp_path))
    rules = ["bdm_eum", "compromise", "median"]
    a, b, c = fc.forecast_issues(tables, rules, 3)
    # The EC example after 3 rounds of scholz_code: 9.962, still moving (docs/bdm.md section 4).
    assert a == b
    assert a["bdm_eum"].forecast == pytest.approx(9.96197959040132, abs=1e-12)
    assert (a["bdm_eum"].rounds, a["bdm_eum"].converged) == (3, False)
    assert a["compromise"].forecast == pytest.approx(EC_MEAN) and a["median"].forecast == 7
    # x at 0 with capability 1, y at 4 with capability 3: mean 3, median 4; y wins at once.
    assert c["compromise"] == fc.RuleForecast(3.0, 0, True)
    assert c["median"] == fc.RuleForecast(4.0, 0, True)
    assert c["bdm_eum"].forecast == 4
    # The status quo rule forecasts the status quo; it needs one on every issue.
    assert fc.forecast_issues(tables[1:2], ["status_quo"], 3)[0]["status_quo"].forecast == 5
    with pytest.raises(ValueError, match="status_quo"):
        fc.forecast_issues(tables, ["status_quo"], 3)


def test_vectorised_bdm_equals_each_issue_alone() -> None:
    # Blocks of issues with their own stopping rules give what bdm_rounds gives issue by issue.
    rng = np.random.default_rng(3)
    tables = [
        fc.ActorTable(
            tuple("abcdefg"[:n]),
            rng.uniform(0, 1, n),
            rng.integers(0, 10, n).astype(float),
            rng.uniform(0, 1, n),
        )
        for n in rng.integers(2, 8, 40)
    ]
    for reading in fc.READINGS.values():
        results = fc.bdm_forecasts(tables, 20, reading)
        assert 0 < sum(r.converged for r in results) < len(results)  # both kinds are covered
        for table, result in zip(tables, results, strict=True):
            alone = fc.forecast(table, "bdm_eum", 20, reading)
            assert result.forecast == alone[-1].median and result.rounds == len(alone) - 1
            assert result.converged or result.rounds == 20  # stopped early: it settled


def test_progress_reaches_its_total() -> None:
    seen: list[tuple[int, int]] = []
    table = fc.read_actors(EXAMPLE)
    fc.bdm_forecasts([table, table], 4, on_progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (4, 4) and [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_q_and_t_default_to_the_reading_and_change_the_forecast() -> None:
    table = fc.read_actors(EXAMPLE)
    assert fc.with_q_t(SCHOLZ_CODE, None, None) == SCHOLZ_CODE
    assert (SCHOLZ_CODE.q, SCHOLZ_CODE.t, PRINTED.q, PRINTED.t) == (1, 1, 1, 1)
    half = fc.with_q_t(SCHOLZ_CODE, 0.5, None)
    assert (half.q, half.t, half.name) == (0.5, 1, "scholz_code")
    (default,) = fc.bdm_forecasts([table], 10)
    (changed,) = fc.bdm_forecasts([table], 10, half)
    assert default.forecast == 7 and changed.forecast == pytest.approx(9.605161035910998)


def test_saliences_are_divided_by_the_scale(tmp_path: Path) -> None:
    path = write(tmp_path, "actor,capability,position,salience\na,1,0,80\nb,1,1,40\n")
    (message, *rows) = problems(path)
    assert "--salience-scale 100" in message and len(rows) == 2
    (table,) = fc.read_table(path, salience_scale=100)
    assert table.salience.tolist() == [0.8, 0.4]
    with pytest.raises(fc.ActorTableError) as info:
        fc.read_table(path, salience_scale=50)
    assert info.value.problems == [
        "row 1, column 'salience': salience 80 divided by the salience scale 50 is outside [0, 1]"
    ]


def test_issue_level_columns_must_agree_within_an_issue(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + "A,a,1,0,1,2,3\nA,b,1,1,1,4,3\n")
    assert problems(path) == ["issue 'A', column 'status_quo': differs between rows (2 and 4)"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "actor,Actor,capability,position,salience\na,a,1,0,1\nb,b,1,1,1\n",
            "'actor' appears more",
        ),
        (HEAD + "A,a,1e308,0,1,,\nA,b,1,1,1,,\n", "beyond ±1e+09"),
        (HEAD + "A,a,1,-2e9,1,,\nA,b,1,1,1,,\n", "beyond ±1e+09"),
        (HEAD + "A,a,1,0,1,1e300,\nA,b,1,1,1,,\n", "beyond ±1e+09"),
        (HEAD + ",a,1,0,1,,\n,b,1,1,1,,\n", "missing issue name"),
        (HEAD + "A,a,1,0,1,,\nA,a,1,1,1,,\nA,b,1,1,1,,\n", "'a' appears more than once on issue"),
        (HEAD + "A,a,1,0,1,,\nA,b,1,,1,,\n", "issue 'A': needs at least two actors"),
        (HEAD + "A,a,1,0,1,,\nA,b,1,1,1,,x\n", "'x' is not a finite number"),
        ("actor,capability,position,salience\na,1,0,1,9\nb,1,1,1\n", "cannot be read as CSV"),
        ("actor,capability,position,salience\n\xff", "not UTF-8"),
    ],
)
def test_bad_long_tables(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode("utf-8") if "\xff" not in text else text.encode("latin-1"))
    assert any(expected in p for p in problems(path)), problems(path)


def test_limits_name_themselves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "actor,capability,position,salience\na,1,0,1\nb,1,1,1\nc,1,2,1\n")
    monkeypatch.setattr(fc, "MAX_ACTORS", 2)
    assert "the limit is 2 per issue (sim.runs.forecast.MAX_ACTORS)" in problems(path)[0]
    monkeypatch.setattr(fc, "MAX_ROWS", 2)
    assert "3 data rows; the limit is 2 (sim.runs.forecast.MAX_ROWS)" in problems(path)[0]
    monkeypatch.setattr(fc, "MAX_TABLE_BYTES", 20)
    assert "sim.runs.forecast.MAX_TABLE_BYTES" in problems(path)[0]


def test_extra_columns_are_ignored_up_to_a_limit(tmp_path: Path) -> None:
    head = "actor,note,capability,position,salience"
    path = write(tmp_path, f"{head}\na,x,1,0,1\nb,,1,1,1\n")
    assert fc.read_actors(path).actors == ("a", "b")
    wide = write(tmp_path, head + ",x" * 16 + "\n", "wide.csv")
    assert "21 columns; the limit is 20 (sim.runs.forecast.MAX_COLUMNS)" in problems(wide)[0]


def test_parquet_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frame = pd.DataFrame(
        {"actor": ["a" * 1001, "b"], "capability": [1, 1], "position": [0, 1], "salience": [1, 1]}
    )
    frame.to_parquet(tmp_path / "long.parquet")
    assert (
        "the limit is 1,000 (sim.runs.forecast.MAX_CELL_CHARS)"
        in problems(tmp_path / "long.parquet")[0]
    )
    zeros = pd.DataFrame(0.0, index=range(20_000), columns=list(fc.COLUMNS[1:]))
    packed = tmp_path / "zeros.parquet"
    zeros.assign(actor="a").to_parquet(packed, compression="zstd", use_dictionary=False)
    limit = packed.stat().st_size + 1  # the file is within the limit, its content is not
    monkeypatch.setattr(fc, "MAX_TABLE_BYTES", limit)
    assert f"uncompressed; the limit is {limit:,}" in problems(packed)[0]


def test_pipes_devices_and_directories_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)  # never opened: reading it would wait for a writer
    assert "not a regular file" in problems(fifo)[0]
    assert "not a regular file" in problems(Path("/dev/zero"))[0]
    assert "is a directory" in problems(tmp_path)[0]


def test_parquet_reads_as_the_csv_does(tmp_path: Path) -> None:
    csv = long_table(tmp_path)
    frame = pd.read_csv(csv)  # numbers as numbers, empty cells as nulls
    parquet = tmp_path / "t.parquet"
    frame.to_parquet(parquet)
    for one, other in zip(fc.read_table(csv), fc.read_table(parquet), strict=True):
        assert (one.issue, one.actors, one.status_quo, one.outcome) == (
            other.issue,
            other.actors,
            other.status_quo,
            other.outcome,
        )
        for name in ("capability", "position", "salience"):
            assert getattr(one, name).tolist() == getattr(other, name).tolist()
    broken = write(tmp_path, "not parquet", "b.parquet")
    assert "cannot be read as Parquet" in problems(broken)[0]


# --- scores ----------------------------------------------------------------------------------
def scored_tables(errors: dict[str, list[float]]) -> tuple[list, list]:
    """Issues whose outcome is 0 and whose forecasts have the given errors."""
    n = len(next(iter(errors.values())))
    tables = [
        fc.ActorTable(("a", "b"), np.ones(2), np.zeros(2), np.ones(2), str(k), None, 0.0)
        for k in range(n)
    ]
    results = [
        {rule: fc.RuleForecast(e[k], 0, True) for rule, e in errors.items()} for k in range(n)
    ]
    return tables, results


def test_scores_known_answers() -> None:
    tables, results = scored_tables({"a": [1, -2, 3, 4], "b": [1, 1, 1, 1]})
    scores = fc.score(tables, results, ["a", "b"], seed=5)
    assert scores is not None and scores.issues == 4 and scores.seed == 5
    mae = scores.mae["a"]
    assert mae.estimate == 2.5 and mae.low is not None and mae.high is not None
    assert 1 <= mae.low < 2.5 < mae.high <= 4  # resampled means of |errors| 1, 2, 3, 4
    assert scores.mae["b"] == fc.Interval(1.0, 1.0, 1.0)  # every resample gives 1
    diff = scores.differences[("a", "b")]
    assert diff.estimate == 1.5 and diff.low is not None and 0 <= diff.low < 1.5 < diff.high  # type: ignore[operator]
    assert fc.score(tables, results, ["a", "b"], seed=5) == scores  # seeded
    assert fc.score(tables, results, ["a", "b"], seed=6) != scores


def test_scores_without_outcomes_or_with_one_issue() -> None:
    tables, results = scored_tables({"a": [1.0]})
    scores = fc.score(tables, results, ["a"])
    assert scores is not None and scores.mae["a"] == fc.Interval(1.0, None, None)
    no_outcome = [dataclasses.replace(t, outcome=None) for t in tables]
    assert fc.score(no_outcome, results, ["a"]) is None


def test_issue_frame_and_json(tmp_path: Path) -> None:
    tables = fc.read_table(long_table(tmp_path))
    rules = ["bdm_eum", "compromise"]
    results = fc.forecast_issues(tables, rules, 3)
    frame = fc.issue_frame(tables, results, rules)
    assert frame["issue"].tolist() == ["A", "B", "C"] and frame["actors"].tolist() == [10, 10, 2]
    assert frame["compromise_error"].tolist() == pytest.approx([9 - EC_MEAN, 9 - EC_MEAN, 2])
    assert frame["bdm_eum_converged"].tolist() == [False, False, True]
    settings = {"rules": rules, "reading": "scholz_code"}
    data = fc.as_json(tables, results, settings, fc.score(tables, results, rules))
    json.dumps(data, allow_nan=False)  # no NaN anywhere
    first = data["issues"][0]["forecasts"]
    assert set(first) == set(rules) and set(first["bdm_eum"]) == {"forecast", "rounds", "converged"}
    assert data["summary"]["bdm_eum"] == {
        "issues": 3,
        "converged": 1,
        "mean_rounds": pytest.approx(7 / 3),
    }
    assert data["scores"]["mae"]["compromise"]["estimate"] == pytest.approx(
        (2 * (9 - EC_MEAN) + 2) / 3
    )
