"""``negsim forecast`` (sim.cli.forecast): the command, its output and its bad input.

Hostile tables under a memory cap and the fuzz suite are in tests/cli/test_forecast_fuzz.py.

Reading the table and the rounds are tested in tests/runs/test_forecast.py."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

from sim.cli import forecast as fc
from sim.cli.errors import BAD_INPUT
from sim.cli.main import dispatch, parser
from sim.mechanisms.bdm import DEFAULT
from sim.runs.forecast import READINGS
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
    assert {"table", "rules", "reading", "q", "t", "rounds", "salience_scale"} | {
        "summary",
        "scores",
        "issues",
    } == set(data)
    assert data["rules"] == ["bdm_eum"] and data["reading"] == "scholz_code"  # the defaults
    assert (data["q"], data["t"], data["rounds"], data["scores"]) == (1, 1, 4, None)
    (issue,) = data["issues"]
    assert issue["issue"] is None and issue["actors"] == 10
    bdm = issue["forecasts"]["bdm_eum"]
    assert (bdm["forecast"], bdm["rounds"], bdm["converged"]) == (
        pytest.approx(9.962, abs=1e-3),
        4,
        False,
    )
    history = bdm["history"]  # a table of one issue: the rounds too
    first = history[0]
    assert set(first) == {"round", "weighted_mean", "median", "positions"}
    assert first["round"] == 0 and first["positions"]["UK"] == 10
    assert [r["round"] for r in history] == list(range(5)) and history[-1]["median"] == bdm[
        "forecast"
    ]


def test_json_output_of_the_compromise_rule() -> None:
    code, out = run_main(args(EXAMPLE, json=True, rounds=2, rule="compromise"))
    data = json.loads(out)
    assert code == 0 and data["rules"] == ["compromise"]
    compromise = data["issues"][0]["forecasts"]["compromise"]
    assert compromise["forecast"] == pytest.approx(EC_MEAN)
    assert (compromise["rounds"], compromise["converged"], len(compromise["history"])) == (
        0,
        True,
        1,
    )


def test_table_output_has_a_row_per_round_and_a_column_per_actor() -> None:
    code, out = run_main(args(EXAMPLE, rounds=2))
    assert code == 0
    for heading in ("round", "weighted mean", "median", "Netherlands", "Greece", "converged"):
        assert heading in out
    assert "7.3900" in out and "9.6109" in out


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
    data = json.loads(out)
    assert out == json.dumps(data) + "\n"
    history = data["issues"][0]["forecasts"]["bdm_eum"]["history"]
    assert list(history[0]["positions"]) == list(ODD_NAMES)


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
        result[reading] = data["issues"][0]["forecasts"]["bdm_eum"]["history"][1]
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


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("rounds", -1, "--rounds must be 0 to 1,000 (sim.runs.forecast.MAX_ROUNDS)"),
        ("rounds", 1_000_000_000, "--rounds must be 0 to 1,000"),
        ("q", 1.5, "--q must be in [0, 1]"),
        ("t", "nan", "--t must be in [0, 1]"),
        ("salience-scale", 0, "--salience-scale must be above 0"),
        ("salience-scale", "inf", "--salience-scale must be above 0"),
        ("seed", -1, "--seed must be"),
        ("rule", "status_quo", "--rule status_quo needs a status_quo on every issue"),
        ("out", "", "must name a directory"),
    ],
)
def test_bad_arguments_exit_2_naming_the_limit(
    option: str, value: object, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run_main(args(EXAMPLE, **{option: value}))
    assert code == BAD_INPUT and out == ""
    assert message in " ".join(capsys.readouterr().err.split())


def test_the_parser_defaults() -> None:
    parsed = parser().parse_args(["forecast", "a.csv"])
    assert parsed.command == "forecast" and parsed.table == Path("a.csv")
    assert (parsed.rule, parsed.rounds, parsed.json, parsed.q, parsed.t) == (
        None,
        10,
        False,
        None,
        None,
    )
    assert (parsed.salience_scale, parsed.out, parsed.format, parsed.seed) == (1, None, "csv", 0)
    assert parsed.reading == "scholz_code" == DEFAULT.name  # the model's default reading
    argv = ["forecast", "a.csv", "--rule", "compromise", "--rule", "all", "--rounds", "3"]
    parsed = parser().parse_args(argv)
    assert (parsed.rule, parsed.rounds) == (["compromise", "all"], 3)
    assert parser().parse_args(["forecast", "a.csv", "--reading", "scholz_code"]).reading == (
        "scholz_code"
    )
    for bad in (["--rule", "mean"], ["--reading", "masad"], ["--format", "xlsx"]):
        with pytest.raises(SystemExit):
            parser().parse_args(["forecast", "a.csv", *bad])


def test_help_documents_the_reading_and_the_options() -> None:
    forecast_parser = argparse.ArgumentParser(prog="negsim forecast")
    fc.add_forecast_arguments(forecast_parser)
    text = " ".join(forecast_parser.format_help().split())
    assert "--reading {printed,scholz_code}" in text and "default scholz_code" in text
    for option in ("--rule RULE", "--q Q", "--t T", "--salience-scale", "--out", "--seed"):
        assert option in text


# --- many issues -----------------------------------------------------------------------------
SYNTHETIC = ROOT / "docs" / "examples" / "synthetic_issues.csv"


def test_the_synthetic_example_with_every_rule(tmp_path: Path) -> None:
    out = tmp_path / "out"
    argv = {"salience-scale": 100, "rule": "all", "out": out, "json": True}
    code, text = run_main(args(SYNTHETIC, **argv))
    assert code == 0
    data = json.loads(text)
    assert data["rules"] == ["bdm_eum", "compromise", "median", "status_quo"]
    assert len(data["issues"]) == 6 and data["salience_scale"] == 100
    assert all("history" not in f for i in data["issues"] for f in i["forecasts"].values())
    scores = data["scores"]
    assert scores["issues"] == 6 and set(scores["mae"]) == set(data["rules"])
    assert len(scores["differences"]) == 6  # every pair of the four rules
    assert json.loads((out / "summary.json").read_text(encoding="utf-8")) == data
    frame = pd.read_csv(out / "forecasts.csv")
    assert frame["issue"].tolist() == [f"issue_{k:03d}" for k in range(1, 7)]
    for issue, row in zip(data["issues"], frame.itertuples(), strict=True):
        assert row.compromise_forecast == pytest.approx(
            issue["forecasts"]["compromise"]["forecast"]
        )
        assert row.status_quo == issue["status_quo"] == row.status_quo_forecast
        assert row.outcome == issue["outcome"] and row.actors == issue["actors"]
    assert (out / "forecast_vs_outcome.png").stat().st_size > 0
    assert (out / "forecast_vs_outcome.svg").stat().st_size > 0


def test_parquet_output_and_repeated_rules(tmp_path: Path) -> None:
    out = tmp_path / "out"
    argv = ["forecast", str(SYNTHETIC), "--salience-scale", "100", "--rule", "median"]
    argv += ["--rule", "compromise", "--rule", "median", "--out", str(out), "--format", "parquet"]
    code, text = run_main(parser().parse_args(argv))
    assert code == 0 and "wrote" in text and "paired differences" in text
    frame = pd.read_parquet(out / "forecasts.parquet")
    assert list(frame.columns[4:]) == [
        f"{rule}_{part}"
        for rule in ("median", "compromise")
        for part in ("forecast", "rounds", "converged", "error")
    ]
    assert frame["median_rounds"].eq(0).all() and frame["median_converged"].all()


def test_zero_to_100_saliences_suggest_the_scale(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run_main(args(SYNTHETIC))
    err = capsys.readouterr().err
    assert code == BAD_INPUT and "--salience-scale 100" in err.splitlines()[1]


@pytest.mark.slow
def test_cli_end_to_end(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sim", "forecast", str(EXAMPLE), "--rounds", "3", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    history = json.loads(done.stdout)["issues"][0]["forecasts"]["bdm_eum"]["history"]
    assert history[0]["median"] == 7
    odd = odd_table(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "sim", "forecast", str(odd), "--rounds", "1", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    history = json.loads(done.stdout)["issues"][0]["forecasts"]["bdm_eum"]["history"]
    assert list(history[1]["positions"]) == list(ODD_NAMES)
    bad = write(tmp_path, "actor,capability\na,1\n")
    done = subprocess.run(
        [sys.executable, "-m", "sim", "forecast", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and str(bad) in done.stderr


def test_the_figure_has_a_panel_per_rule_with_its_mae() -> None:
    from sim.analysis.plots.forecast import plot_forecast
    from sim.runs import forecast as runs

    tables = runs.read_table(SYNTHETIC, salience_scale=100)
    rules = ["bdm_eum", "compromise"]
    results = runs.forecast_issues(tables, rules, 2)
    scores = runs.score(tables, results, rules)
    assert scores is not None
    fig = plot_forecast(tables, results, rules, scores)
    axes = fig.get_axes()
    assert [ax.get_title().splitlines()[0] for ax in axes] == rules
    assert f"MAE {scores.mae['compromise'].estimate:.3g}" in axes[1].get_title()
    # bdm_eum hit the cap of 2 rounds on every issue: hollow markers, named in a legend.
    legend = axes[0].get_legend()
    assert legend is not None and [t.get_text() for t in legend.get_texts()] == [
        "round cap reached"
    ]
    assert axes[1].get_legend() is None  # the compromise rule always converges
    assert len(axes[0].collections[0].get_offsets()) == len(tables)
