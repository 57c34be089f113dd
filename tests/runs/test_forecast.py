"""Forecasting one issue from an actor table (sim.runs.forecast): reading it, the rounds."""

from __future__ import annotations

from pathlib import Path

import pytest

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
        ",1,,0.5\n"  # row 4: missing name, missing position
        "a,1,inf,-0.1\n"  # row 5: repeated name, infinite position, salience below 0
    )
    found = problems(write(tmp_path, text))
    expected = [
        "row 2, column 'capability'",
        "row 3, column 'capability'",
        "row 3, column 'salience'",
        "row 4, column 'actor'",
        "row 4, column 'position'",
        "row 5, column 'actor'",
        "row 5, column 'position'",
        "row 5, column 'salience'",
    ]
    assert sorted(p.split(":")[0] for p in found) == sorted(expected)
    assert any("'x' is not a finite number" in p for p in found)
    assert any("outside [0, 1]" in p for p in found) and any("negative" in p for p in found)


# --- the forecast ----------------------------------------------------------------------------
def test_compromise_keeps_positions_and_forecasts_the_weighted_mean() -> None:
    table = fc.read_actors(EXAMPLE)
    rounds = fc.forecast(table, "compromise", 3)
    assert [r.round for r in rounds] == [0, 1, 2, 3]
    assert all(r.positions == rounds[0].positions for r in rounds)
    assert all(r.weighted_mean == pytest.approx(EC_MEAN) and r.median == 7 for r in rounds)


def test_bdm_round_zero_is_the_input() -> None:
    table = fc.read_actors(EXAMPLE)
    rounds = fc.forecast(table, "bdm_eum", 10)
    first = rounds[0]
    assert first.positions == dict(zip(table.actors, table.position.tolist(), strict=True))
    assert first.weighted_mean == pytest.approx(EC_MEAN) and first.median == 7
    assert 1 <= len(rounds) - 1 <= 10
