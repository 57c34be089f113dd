"""``negsim forecast`` (sim.cli.forecast): the command, its output and its bad input.

Reading the table and the rounds are tested in tests/runs/test_forecast.py."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from sim.cli import forecast as fc
from sim.cli.errors import BAD_INPUT
from sim.cli.main import dispatch, parser
from sim.mechanisms.bdm import DEFAULT
from sim.runs.forecast import READINGS, as_json, forecast, read_actors
from tests.builders import ROOT
from tests.mechanisms.test_bdm import EC_LOG

EXAMPLE = ROOT / "docs" / "examples" / "ec_emission_standards.csv"
EC_MEAN = 7.389955686853767  # capability x salience weighted mean of the EC example


def write(tmp_path: Path, text: str, name: str = "actors.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def args(path: Path, **options: object) -> argparse.Namespace:
    """``negsim forecast PATH --OPTION VALUE ...`` parsed (``json=True`` gives ``--json``)."""
    argv = ["forecast", str(path)]
    for name, value in options.items():
        argv += [f"--{name}"] if value is True else [f"--{name}", str(value)]
    return parser().parse_args(argv)


def run_main(namespace: argparse.Namespace) -> tuple[int, str]:
    out = io.StringIO()
    code = dispatch(namespace, Console(file=out, width=100))
    return code, out.getvalue()


# --- the command -----------------------------------------------------------------------------
def test_json_output_is_one_object_as_specified() -> None:
    code, out = run_main(args(EXAMPLE, json=True, rounds=4))
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"rule", "reading", "rounds"} and data["rule"] == "bdm_eum"
    assert data["reading"] == "scholz_code"  # the default reading
    first = data["rounds"][0]
    assert set(first) == {"round", "weighted_mean", "median", "positions"}
    assert first["round"] == 0 and first["positions"]["UK"] == 10
    assert [r["round"] for r in data["rounds"]] == list(range(len(data["rounds"])))


def test_json_output_of_the_compromise_rule() -> None:
    code, out = run_main(args(EXAMPLE, json=True, rounds=2, rule="compromise"))
    data = json.loads(out)
    assert code == 0 and data["rule"] == "compromise" and len(data["rounds"]) == 3
    assert data["reading"] is None  # the compromise rule has no reading
    assert data["rounds"][2]["weighted_mean"] == pytest.approx(EC_MEAN)


def test_table_output_has_a_row_per_round_and_a_column_per_actor() -> None:
    code, out = run_main(args(EXAMPLE, rounds=2, rule="compromise"))
    assert code == 0
    for heading in ("round", "weighted mean", "median", "Netherlands", "Greece"):
        assert heading in out
    assert "7.3900" in out


# Rich would turn ":smile:" into an emoji and read "[b]x[/b]" as bold markup.
ODD_NAMES = (":smile:", "[b]x[/b]")


def odd_table(tmp_path: Path) -> Path:
    rows = "".join(f'"{name}",1,{k},1\n' for k, name in enumerate(ODD_NAMES))
    return write(tmp_path, "actor,capability,position,salience\n" + rows)


def test_json_is_exactly_json_dumps_with_odd_actor_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = odd_table(tmp_path)
    namespace = args(path, json=True, rounds=2)
    assert dispatch(namespace, Console()) == 0  # the command's console: plain standard output
    out = capsys.readouterr().out
    table = read_actors(path)
    expected = as_json("bdm_eum", forecast(table, "bdm_eum", 2), "scholz_code")
    assert out == json.dumps(expected) + "\n"
    assert list(json.loads(out)["rounds"][0]["positions"]) == list(ODD_NAMES)


def test_table_shows_odd_actor_names_literally(tmp_path: Path) -> None:
    code, out = run_main(args(odd_table(tmp_path), rounds=1))
    assert code == 0
    for name in ODD_NAMES:
        assert name in out


def test_the_two_readings_differ_in_round_one_of_the_ec_example() -> None:
    result = {}
    for reading in READINGS:
        code, out = run_main(args(EXAMPLE, json=True, rounds=1, reading=reading))
        assert code == 0
        data = json.loads(out)
        assert data["reading"] == reading
        result[reading] = data["rounds"][1]
    printed, code_ = result["printed"]["positions"], result["scholz_code"]["positions"]
    assert printed != code_
    # printed: the Netherlands and Germany compromise with the UK; France and Italy move to 7.
    assert printed["Netherlands"] == pytest.approx(6.811040, abs=1e-6) == printed["Germany"]
    assert printed["France"] == printed["Italy"] == 7
    # scholz_code: round 1 of the reference log (tests/mechanisms/test_bdm.py, EC_LOG).
    be, lu, ie, mean = EC_LOG[0]
    assert [code_["Belgium"], code_["Luxembourg"], code_["Ireland"]] == pytest.approx(
        [be, lu, ie], abs=1e-12
    )
    assert result["scholz_code"]["weighted_mean"] == pytest.approx(mean, abs=1e-12)
    assert code_["Netherlands"] == 4 and code_["France"] == 10


def test_bad_table_exits_2_naming_file_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "actor,capability,position,salience\na,1,0,1\nb,1,1,2\n")
    code, out = run_main(args(path))
    err = capsys.readouterr().err
    assert code == BAD_INPUT and out == ""
    assert str(path) in err and "row 2, column 'salience'" in err


def test_errors_show_odd_names_literally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = "".join(f'"{name}",1,0,1\n' for name in (*ODD_NAMES, ODD_NAMES[0]))
    path = write(tmp_path, "actor,capability,position,salience\n" + rows, "[b]:smile:.csv")
    code, _ = run_main(args(path))
    err = capsys.readouterr().err
    assert code == BAD_INPUT
    head, *lines = err.splitlines()
    assert head.startswith("invalid actor table") and str(path) in head
    assert any(str(path) in line and "':smile:' appears more than once" in line for line in lines)


def test_negative_rounds_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_main(args(EXAMPLE, rounds=-1))[0] == BAD_INPUT
    assert "--rounds" in capsys.readouterr().err


def test_the_parser_defaults() -> None:
    parsed = parser().parse_args(["forecast", "a.csv"])
    assert parsed.command == "forecast" and parsed.actors_csv == Path("a.csv")
    assert (parsed.rule, parsed.rounds, parsed.json) == ("bdm_eum", 10, False)
    assert parsed.reading == "scholz_code" == DEFAULT.name  # the model's default reading
    parsed = parser().parse_args(["forecast", "a.csv", "--rule", "compromise", "--rounds", "3"])
    assert (parsed.rule, parsed.rounds) == ("compromise", 3)
    assert parser().parse_args(["forecast", "a.csv", "--reading", "scholz_code"]).reading == (
        "scholz_code"
    )
    for bad in (["--rule", "median"], ["--reading", "masad"]):
        with pytest.raises(SystemExit):
            parser().parse_args(["forecast", "a.csv", *bad])


def test_help_documents_the_reading() -> None:
    forecast_parser = argparse.ArgumentParser(prog="negsim forecast")
    fc.add_forecast_arguments(forecast_parser)
    text = " ".join(forecast_parser.format_help().split())
    assert "--reading {printed,scholz_code}" in text and "default scholz_code" in text


@pytest.mark.slow
def test_cli_end_to_end(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sim", "forecast", str(EXAMPLE), "--rounds", "3", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rounds"][0]["median"] == 7
    odd = odd_table(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "sim", "forecast", str(odd), "--rounds", "1", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert list(json.loads(done.stdout)["rounds"][1]["positions"]) == list(ODD_NAMES)
    bad = write(tmp_path, "actor,capability\na,1\n")
    done = subprocess.run(
        [sys.executable, "-m", "sim", "forecast", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and str(bad) in done.stderr
