"""Scenario files: the strict schema, distributions, references, ranges and the loader."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import logging
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from sim.scenario import Loaded, Problem, ScenarioError, load_scenario
from sim.scenario.loader import MAX_FILE_BYTES, _short, get_path, scenario_sha256, set_path
from sim.scenario.overrides import no_such_parameter
from sim.scenario.params import Beta, Fixed, Triangular, TruncNormal, Uniform
from sim.scenario.schema import parameter_paths
from tests.builders import baseline_raw

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"

# A minimal valid scenario, written out by hand so that line numbers are known.
MINIMAL = """\
name: mini
calendar:
  start: 2025-04-12
horizon: 10
issues:
  enrichment:
    lo: 0
    hi: 60
    status_quo: 60
actors:
  us:
    role: principal
    ratifier: us_president
  us_president:
    role: faction
    principal: us
    ideal: {enrichment: 0}
    salience: {enrichment: 1}
  iran:
    role: principal
    ratifier: leader
  leader:
    role: faction
    principal: iran
    ideal: {enrichment: 60}
    salience: {enrichment: 1}
"""
US_LINE = 11  # "  us:"
ENRICHMENT_LINE = 6  # "  enrichment:" under issues


def minimal() -> dict[str, Any]:
    """The minimal scenario as a raw mapping, to mutate."""
    return yaml.safe_load(MINIMAL)


def write(tmp_path: Path, content: str | dict[str, Any], name: str = "scenario.yaml") -> Path:
    """Write a scenario (YAML text or a mapping) into ``tmp_path``; return its path."""
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    library = BASELINE.parent / "shocks"
    if library.is_dir() and not (path.parent / "shocks").exists():
        shutil.copytree(library, path.parent / "shocks")  # the baseline's include_shocks
    text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, pattern: str) -> int:
    """The 1-based number of the only line of ``path`` matching the regular expression."""
    hits = [
        k
        for k, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(pattern, line)
    ]
    assert len(hits) == 1, (pattern, hits)
    return hits[0]


def problems_of(source: Path | dict[str, Any], **kwargs: Any) -> list[Problem]:
    """The problems that loading ``source`` reports (it must fail)."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(source, **kwargs)
    assert info.value.problems, "a ScenarioError must list at least one problem"
    assert str(info.value), "the error's text must list the problems"
    return info.value.problems


def by_path(problems: list[Problem]) -> dict[str, Problem]:
    return {p.path: p for p in problems}


def insert_after(text: str, line_no: int, extra: str) -> str:
    """Insert ``extra`` (whole lines) after line ``line_no`` (1-based) of ``text``."""
    lines = text.splitlines(keepends=True)
    return "".join([*lines[:line_no], extra, *lines[line_no:]])


# --------------------------------------------------------------------------- valid files


def test_baseline_loads() -> None:
    loaded = load_scenario(BASELINE)
    s = loaded.scenario
    assert isinstance(loaded, Loaded)
    assert s.name == "baseline"
    assert {"us", "iran", "israel"} <= set(s.actors)
    assert set(s.factions_of("us")) == {"us_president", "us_hawks", "us_doves"}
    assert {"bandar_abbas", "petrochemical_sanctions"} <= set(s.shocks)
    assert loaded.lines["actors.israel"] == (str(BASELINE), line_of(BASELINE, r"^  israel:"))
    assert re.fullmatch(r"[0-9a-f]{64}", loaded.sha256)
    assert loaded.overrides == []


def test_minimal_scenario_loads(tmp_path: Path) -> None:
    loaded = load_scenario(write(tmp_path, MINIMAL))
    assert loaded.scenario.horizon == 10
    assert loaded.scenario.factions_of("iran") == ["leader"]


def test_a_mapping_loads_like_a_file(tmp_path: Path) -> None:
    from_file = load_scenario(write(tmp_path, MINIMAL))
    from_mapping = load_scenario(minimal())
    assert from_mapping.scenario == from_file.scenario
    assert from_mapping.sha256 == from_file.sha256


def test_scenario_is_frozen() -> None:
    s = load_scenario(minimal()).scenario
    with pytest.raises(ValidationError):
        s.horizon = 3  # type: ignore[misc]
    with pytest.raises(ValidationError):
        s.actors["us"].quota = 0.9  # type: ignore[misc]


# --------------------------------------------------------------------------- parameters

VALID_PARAMS = [
    (0.4, Fixed, 0.4),
    (1, Fixed, 1.0),
    ({"value": 0.4, "assumption": "a guess"}, Fixed, 0.4),
    ({"dist": "uniform", "low": 0.2, "high": 0.6}, Uniform, 0.4),
    ({"dist": "uniform", "low": 0.3, "high": 0.3}, Uniform, 0.3),
    ({"dist": "triangular", "low": 0.2, "mode": 0.3, "high": 0.7}, Triangular, 0.3),
    ({"dist": "truncnormal", "mean": 0.5, "sd": 0.1, "low": 0.2, "high": 0.8}, TruncNormal, 0.5),
    ({"dist": "beta", "a": 2, "b": 2}, Beta, 0.5),
    ({"dist": "beta", "a": 1, "b": 3, "low": 0.2, "high": 0.6}, Beta, 0.3),
]


@pytest.mark.parametrize(("param", "kind", "centre"), VALID_PARAMS)
def test_every_parameter_form_validates(param: Any, kind: type, centre: float) -> None:
    raw = minimal()
    raw["actors"]["us"]["quota"] = param
    spec = parameter_paths(load_scenario(raw).scenario)["actors.us.quota"]
    assert isinstance(spec, kind)
    assert spec.central() == pytest.approx(centre)


EVIDENCE = [
    {
        "seed": "002_421a9f04ec3a186c.txt",
        "quote": "he has arranged for further sanctions",
        "reading": "how the quote gives the value",
    }
]

BAD_PARAMS = [
    ({"dist": "uniform", "low": 0.6, "high": 0.4}, "actors.us.quota", "low <= high"),
    ({"dist": "uniform", "low": 0.1}, "actors.us.quota.high", "Field required"),
    ({"dist": "triangular", "low": 0.2, "mode": 0.9, "high": 0.4}, "actors.us.quota", "mode"),
    ({"dist": "triangular", "low": 0.5, "mode": 0.4, "high": 0.9}, "actors.us.quota", "mode"),
    (
        {"dist": "truncnormal", "mean": 0.5, "sd": 0, "low": 0, "high": 1},
        "actors.us.quota.sd",
        "greater than 0",
    ),
    (
        {"dist": "truncnormal", "mean": 0.5, "sd": 0.1, "low": 0.5, "high": 0.5},
        "actors.us.quota",
        "low < high",
    ),
    (
        {"dist": "truncnormal", "mean": 2, "sd": 1, "low": 0, "high": 1},
        "actors.us.quota",
        "low <= mean <= high",
    ),
    ({"dist": "beta", "a": -1, "b": 1}, "actors.us.quota.a", "greater than 0"),
    ({"dist": "beta", "a": 1, "b": 0}, "actors.us.quota.b", "greater than 0"),
    ({"dist": "beta", "a": 1, "b": 1, "low": 0.5, "high": 0.5}, "actors.us.quota", "low < high"),
    ({"dist": "gamma", "a": 1, "b": 1}, "actors.us.quota", "expected a number"),
    ({"dist": "uniform", "low": 0.1, "high": 0.4, "mode": 0.2}, "actors.us.quota.mode", "unknown"),
    ({"value": 0.5, "low": 0.1}, "actors.us.quota.low", "unknown field"),
    ({"value": 0.5, "evidence": [{"seed": "x.txt"}]}, "actors.us.quota.evidence.0", "required"),
    ({"dist": "uniform", "low": 0.0, "high": float("inf")}, "actors.us.quota.high", "finite"),
    ("half", "actors.us.quota", "expected a number"),
    (True, "actors.us.quota", "expected a number"),
    ([0.5], "actors.us.quota", "expected a number"),
    (float("nan"), "actors.us.quota", "finite"),
    (float("inf"), "actors.us.quota", "finite"),
    ({"value": float("nan")}, "actors.us.quota.value", "finite"),
]


@pytest.mark.parametrize(("param", "path", "fragment"), BAD_PARAMS)
def test_bad_parameters_are_reported_at_their_line(
    tmp_path: Path, param: Any, path: str, fragment: str
) -> None:
    raw = minimal()
    raw["actors"]["us"]["quota"] = param
    file = write(tmp_path, raw)
    problems = problems_of(file)
    hits = [p for p in problems if p.path.startswith(path)]
    assert hits, problems
    assert any(fragment in p.message for p in hits), problems
    quota_line = line_of(file, r"^    quota:")
    assert all(p.file == str(file) and p.line is not None and p.line >= quota_line for p in hits)


def test_evidence_is_strict(tmp_path: Path) -> None:
    raw = minimal()
    raw["actors"]["us"]["quota"] = {"value": 0.5, "evidence": EVIDENCE}
    load_scenario(raw)
    raw["actors"]["us"]["quota"]["evidence"] = [{**EVIDENCE[0], "page": 3}]
    problems = problems_of(write(tmp_path, raw))
    assert [p.path for p in problems] == ["actors.us.quota.evidence.0.page"]


# --------------------------------------------------------------------------- strictness


def test_unknown_fields_are_reported_with_path_and_line(tmp_path: Path) -> None:
    text = insert_after(MINIMAL, 13, "    quorum: 0.5\n")  # after "ratifier: us_president"
    text = insert_after(text, 8, "    high: 60\n")  # after "hi: 60" (line 8)
    text = text + "shocks:\n  s:\n    trigger: {at: 3, wenn: 4}\n    effects: [{action: walkout}]\n"
    text = "nmae: typo\n" + text
    file = write(tmp_path, text)
    found = by_path(problems_of(file))
    assert set(found) == {
        "nmae",
        "issues.enrichment.high",
        "actors.us.quorum",
        "shocks.s.trigger.wenn",
    }
    assert found["nmae"].line == 1
    assert found["issues.enrichment.high"].line == line_of(file, r"^    high: 60")
    assert found["actors.us.quorum"].line == line_of(file, r"quorum")
    assert found["shocks.s.trigger.wenn"].line == line_of(file, r"wenn")
    assert all("unknown field" in p.message and p.file == str(file) for p in found.values())


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        MINIMAL.replace("horizon: 10", "horizon: ten")
        .replace("    hi: 60\n", "    hi: 60\n    colour: red\n")
        .replace("    ratifier: leader\n", "    ratifier: leader\n    quota: lots\n")
    )
    file = write(tmp_path, text)
    problems = problems_of(file)
    assert {p.path for p in problems} == {
        "horizon",
        "issues.enrichment.colour",
        "actors.iran.quota",
    }
    lines = {p.path: p.line for p in problems}
    assert lines == {
        "horizon": 4,
        "issues.enrichment.colour": line_of(file, "colour"),
        "actors.iran.quota": line_of(file, "quota: lots"),
    }
    text_of_error = str(ScenarioError(problems))
    for p in problems:
        assert f"{file}:{p.line}: {p.path}: " in text_of_error


@pytest.mark.parametrize(
    ("mutate", "path", "fragment"),
    [
        (lambda r: r.__setitem__("horizon", "ten"), "horizon", "integer"),
        (lambda r: r.__setitem__("horizon", [1]), "horizon", "integer"),
        (lambda r: r.__setitem__("horizon", 0), "horizon", "greater than or equal to 1"),
        (lambda r: r.__setitem__("name", ""), "name", "at least 1 character"),
        (lambda r: r["calendar"].__setitem__("start", "someday"), "calendar.start", "date"),
        (lambda r: r.__setitem__("issues", ["enrichment"]), "issues", "dictionary"),
        (lambda r: r.__setitem__("issues", {}), "issues", "at least 1 item"),
        (lambda r: r["issues"]["enrichment"].__setitem__("lo", "low"), "issues.enrichment.lo", ""),
        (lambda r: r["issues"]["enrichment"].__setitem__("lo", 60), "issues.enrichment", "lo < hi"),
        (lambda r: r["actors"]["us"].__setitem__("role", "king"), "actors.us", "actor kind"),
        (lambda r: r["actors"]["us"].pop("role"), "actors.us", "actor kind"),
        (
            lambda r: r["actors"].__setitem__("x", {"role": "third_party", "instrument": "drone"}),
            "actors.x",
            "instrument",
        ),
        (lambda r: r["actors"].__setitem__("Bad-Id", r["actors"]["leader"]), "actors.Bad-Id", ""),
        (lambda r: r.__setitem__("protocol", {"proposal_rule": "coinflip"}), "protocol", ""),
        (lambda r: r["actors"]["us"].__setitem__("discount", True), "actors.us.discount", ""),
    ],
)
def test_wrong_types_are_reported(tmp_path: Path, mutate: Any, path: str, fragment: str) -> None:
    raw = minimal()
    mutate(raw)
    problems = problems_of(write(tmp_path, raw))
    hits = [p for p in problems if p.path.startswith(path)]
    assert hits, problems
    assert any(fragment in p.message for p in hits), hits
    assert all(p.line is not None for p in hits), hits


def test_missing_required_fields_are_all_reported(tmp_path: Path) -> None:
    text = (
        MINIMAL.replace("horizon: 10\n", "")
        .replace("    lo: 0\n", "")
        .replace("    ratifier: us_president\n", "")
    )
    file = write(tmp_path, text)
    found = by_path(problems_of(file))
    assert set(found) == {"horizon", "issues.enrichment.lo", "actors.us.ratifier"}
    assert all(p.message == "Field required" for p in found.values())
    # A missing field has no line of its own: it is placed at its parent's line.
    assert found["issues.enrichment.lo"].line == line_of(file, r"^  enrichment:")
    assert found["actors.us.ratifier"].line == line_of(file, r"^  us:")


# --------------------------------------------------------------------------- references


def _faction_of_wrong_principal(raw: dict[str, Any]) -> None:
    raw["actors"]["leader"]["principal"] = "us"


REFERENCE_CASES = [
    (
        lambda r: r["actors"]["leader"].__setitem__("principal", "uss"),
        "actors.leader.principal",
        "'uss' is not a side; the sides are 'us' and 'iran'",
    ),
    (
        lambda r: r["actors"]["us"].__setitem__("ratifier", "leader"),
        "actors.us.ratifier",
        "'leader' is not a faction of 'us'",
    ),
    (
        lambda r: r["actors"]["us"].__setitem__("ratifier", "nobody"),
        "actors.us.ratifier",
        "'nobody' is not a faction of 'us'",
    ),
    (
        lambda r: r["actors"]["iran"].__setitem__("hawk_faction", "us_president"),
        "actors.iran.hawk_faction",
        "not a faction of 'iran'",
    ),
    (
        lambda r: r["actors"]["leader"].__setitem__(
            "red_lines", [{"issue": "missiles", "max": 0.5}]
        ),
        "actors.leader.red_lines.0.issue",
        "unknown issue 'missiles'",
    ),
    (
        lambda r: r["actors"]["leader"].__setitem__(
            "red_lines", [{"issue": "enrichment", "max": 5, "min": 1}]
        ),
        "actors.leader.red_lines.0",
        "exactly one",
    ),
    (
        lambda r: r["actors"]["leader"]["ideal"].__setitem__("missiles", 0.3),
        "actors.leader.ideal",
        "unknown ['missiles']",
    ),
    (
        lambda r: r["actors"]["leader"].__setitem__("salience", {}),
        "actors.leader.salience",
        "missing ['enrichment']",
    ),
    (
        lambda r: r["actors"]["us"].__setitem__("ideal", {"enrichment": 1}),
        "actors.us",
        "give 'ideal' and 'salience' to its factions",
    ),
    (lambda r: r["actors"].pop("iran"), "actors.iran", "needs a principal with this id"),
    (_faction_of_wrong_principal, "actors.iran", "at least one faction"),
    (
        lambda r: r.__setitem__(
            "shocks",
            {
                "s": {
                    "trigger": {"at": 3},
                    "effects": [{"op": "set", "path": "actors.us.name", "value": 1}],
                }
            },
        ),
        "shocks.s.effects.0.path",
        "'actors.us.name' is not a numeric parameter",
    ),
    (
        lambda r: r.__setitem__(
            "shocks",
            {
                "s": {
                    "trigger": {"at": 3},
                    "effects": [{"op": "add", "path": "actors.israel.lobbying", "value": 1}],
                }
            },
        ),
        "shocks.s.effects.0.path",
        "not a numeric parameter",
    ),
]


@pytest.mark.parametrize(("mutate", "path", "fragment"), REFERENCE_CASES)
def test_unknown_references_are_reported(
    tmp_path: Path, mutate: Any, path: str, fragment: str
) -> None:
    raw = minimal()
    mutate(raw)
    file = write(tmp_path, raw)
    found = by_path(problems_of(file))
    assert path in found, found
    assert fragment in found[path].message
    assert found[path].file == str(file)
    assert found[path].line is not None


def test_shock_effect_on_a_real_parameter_validates() -> None:
    raw = minimal()
    raw["shocks"] = {
        "s": {
            "trigger": {"at": 3},
            "effects": [
                {"op": "add", "path": "actors.us.quota", "value": 0.1},
                {"op": "scale", "path": "actors.leader.ideal.enrichment", "value": 0.5},
            ],
        }
    }
    assert set(load_scenario(raw).scenario.shocks) == {"s"}


def test_several_reference_problems_are_reported_at_once(tmp_path: Path) -> None:
    raw = minimal()
    raw["actors"]["us"]["ratifier"] = "nobody"
    raw["actors"]["us"]["discount"] = 1.5
    raw["actors"]["leader"]["red_lines"] = [{"issue": "missiles", "max": 0.5}]
    file = write(tmp_path, raw)
    found = by_path(problems_of(file))
    assert {"actors.us.ratifier", "actors.us.discount", "actors.leader.red_lines.0.issue"} <= set(
        found
    )
    assert found["actors.us.ratifier"].line == line_of(file, "ratifier: nobody")
    assert found["actors.us.discount"].line == line_of(file, "discount")


def test_baseline_with_a_wrong_faction_principal(tmp_path: Path) -> None:
    raw = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    raw["actors"]["us_president"]["principal"] = "iran"
    found = by_path(problems_of(write(tmp_path, raw)))
    assert "'us_president' is not a faction of 'us'" in found["actors.us.ratifier"].message


# --------------------------------------------------------------------------- ranges

RANGE_CASES = [
    (("actors", "us", "discount"), 1.5, "actors.us.discount", "(0, 1]"),
    (("actors", "us", "discount"), 0.0, "actors.us.discount", "(0, 1]"),
    (("actors", "leader", "salience", "enrichment"), 1.2, "actors.leader.salience.enrichment", ""),
    (("actors", "leader", "salience", "enrichment"), -0.1, "actors.leader.salience.enrichment", ""),
    (("actors", "leader", "ideal", "enrichment"), 70, "actors.leader.ideal.enrichment", "[0, 60]"),
    (
        ("actors", "leader", "ideal", "enrichment"),
        {"dist": "uniform", "low": 50, "high": 70},
        "actors.leader.ideal.enrichment",
        "values from 50 to 70",
    ),
    (("issues", "enrichment", "status_quo"), 61, "issues.enrichment.status_quo", "[0, 60]"),
    (
        ("actors", "us", "quota"),
        {"dist": "triangular", "low": 0.2, "mode": 0.5, "high": 1.1},
        "actors.us.quota",
        "[0, 1]",
    ),
    (("actors", "us", "risk_exponent"), 0.5, "actors.us.risk_exponent", "[1, 16]"),
    (("actors", "us", "strike_hazard"), -0.1, "actors.us.strike_hazard", "[0, 1]"),
    (("programme",), {"initial_progress": 1.5}, "programme.initial_progress", "[0, 1]"),
    # A fixed value's plausible range is checked too: sweeps and sensitivity analyses run it.
    (
        ("actors", "us", "discount"),
        {"value": 0.995, "range": [0.99, 1e308]},
        "actors.us.discount",
        "[-1e+06, 1e+06]",
    ),
    (
        ("actors", "us", "discount"),
        {"value": 0.995, "range": [0.99, 1.5]},
        "actors.us.discount.range",
        "(0, 1], got [0.99, 1.5]",
    ),
    (
        ("actors", "leader", "ideal", "enrichment"),
        {"value": 50, "range": [40, 70]},
        "actors.leader.ideal.enrichment.range",
        "[0, 60]",
    ),
    # Values that validated and then overflowed in the model (NaN in worlds.parquet).
    (("actors", "leader", "no_deal_shift"), 1e308, "actors.leader.no_deal_shift", "1e+308"),
    (("actors", "leader", "no_deal_shift"), 11, "actors.leader.no_deal_shift", "[-10, 10]"),
    (("actors", "leader", "clout"), 1e7, "actors.leader.clout", "[-1e+06, 1e+06]"),
    (
        ("actors", "us", "breakdown_value"),
        {"dist": "uniform", "low": 0, "high": 1e308},
        "actors.us.breakdown_value",
        "1e+308",
    ),
    (
        ("actors", "us", "belief_halfwidth"),
        {"dist": "truncnormal", "mean": 0, "sd": 1e300, "low": 0, "high": 1},
        "actors.us.belief_halfwidth",
        "[-1e+06, 1e+06]",
    ),
    (("actors", "us", "pressure_rate"), 2, "actors.us.pressure_rate", "[0, 1]"),
]


@pytest.mark.parametrize(("keys", "value", "path", "fragment"), RANGE_CASES)
def test_out_of_range_parameters_are_reported(
    tmp_path: Path, keys: tuple[str, ...], value: Any, path: str, fragment: str
) -> None:
    raw = minimal()
    node = raw
    for key in keys[:-1]:
        node = node[key]
    node[keys[-1]] = value
    file = write(tmp_path, raw)
    found = by_path(problems_of(file))
    assert path in found, found
    assert "must lie in" in found[path].message
    assert fragment in found[path].message
    assert found[path].line is not None


# Values on the edge of their allowed ranges, and the same values a step outside them.
BOUNDARY_CASES = [
    (
        ("actors", "us", "discount"),
        {"value": 1.0, "range": [0.9, 1.0]},
        Fixed(value=1.0, range=(0.9, 1.0)),
        {"value": 1.0, "range": [0.9, 1.0000001]},
        "actors.us.discount.range",
    ),
    (("actors", "leader", "ideal", "enrichment"), 0, 0.0, -0.001, "actors.leader.ideal.enrichment"),
    (
        ("actors", "us", "quota"),
        {"dist": "uniform", "low": 0.0, "high": 1.0},
        Uniform(dist="uniform", low=0.0, high=1.0),
        {"dist": "uniform", "low": 0.0, "high": 1.001},
        "actors.us.quota",
    ),
    (
        ("actors", "leader", "no_deal_shift"),
        {"value": -10.0, "range": [-10.0, 10.0]},
        Fixed(value=-10.0, range=(-10.0, 10.0)),
        {"value": -10.0, "range": [-10.001, 10.0]},
        "actors.leader.no_deal_shift.range",
    ),
    (("actors", "leader", "clout"), 1e6, 1e6, 1.001e6, "actors.leader.clout"),
]


@pytest.mark.parametrize(("keys", "edge", "loaded", "outside", "path"), BOUNDARY_CASES)
def test_boundary_values_are_in_range(
    keys: tuple[str, ...], edge: Any, loaded: Any, outside: Any, path: str
) -> None:
    raw = minimal()
    node = raw
    for key in keys[:-1]:
        node = node[key]
    node[keys[-1]] = edge
    value: Any = load_scenario(raw).scenario
    for key in keys:
        value = value[key] if isinstance(value, dict) else getattr(value, key)
    assert value == loaded  # the edge itself is allowed, and kept as written
    node[keys[-1]] = outside
    found = by_path(problems_of(raw))
    assert path in found and "must lie in" in found[path].message, found


def test_red_line_bounds_are_capped(tmp_path: Path) -> None:
    raw = minimal()
    raw["actors"]["leader"]["red_lines"] = [{"issue": "enrichment", "min": -1e308}]
    found = by_path(problems_of(write(tmp_path, raw)))
    assert "[-1e+06, 1e+06]" in found["actors.leader.red_lines.0.min"].message


def test_shock_values_are_capped() -> None:
    raw = minimal()
    raw["shocks"] = {
        "boom": {
            "trigger": {"at": 2},
            "effects": [{"op": "scale", "path": "actors.us.quota", "value": 1e300}],
        }
    }
    found = by_path(problems_of(raw))
    assert "[-1e+06, 1e+06]" in found["shocks.boom.effects.0.value"].message


def test_issue_bounds_are_capped(tmp_path: Path) -> None:
    raw = minimal()
    raw["issues"]["enrichment"].update(lo=-1e308, hi=1e308)
    found = by_path(problems_of(write(tmp_path, raw)))
    assert "lo and hi must lie in" in found["issues.enrichment"].message


def test_a_calendar_past_the_year_9999_is_refused(tmp_path: Path) -> None:
    raw = minimal()
    raw["calendar"] = {"start": "9999-12-01", "step_days": 7}
    found = by_path(problems_of(write(tmp_path, raw)))
    assert "9999-12-31" in found["horizon"].message
    assert found["horizon"].line is not None


# --------------------------------------------------------------------------- the name


@pytest.mark.parametrize(
    "name",
    [
        "../../../ESCAPED",
        "/tmp/ABS_ESCAPE",
        ".",
        "..",
        ".hidden",
        "a/b",
        "a\\b",
        "a b",
        "runs\n",
        "x" * 101,
        "ümlaut",
    ],
)
def test_a_name_must_be_one_plain_path_component(tmp_path: Path, name: str) -> None:
    raw = minimal()
    raw["name"] = name
    file = write(tmp_path, raw)
    found = by_path(problems_of(file))
    assert "not a plain name" in found["name"].message
    assert found["name"].line == 1


@pytest.mark.parametrize("name", ["baseline", "us-iran_2025.v2", "A", "7", "a..b", "-x"])
def test_plain_names_are_accepted(name: str) -> None:
    raw = minimal()
    raw["name"] = name
    assert load_scenario(raw).scenario.name == name


def test_every_shipped_scenario_has_a_plain_name() -> None:
    files = sorted((ROOT / "scenarios").glob("*.yaml"))
    assert len(files) >= 10
    for file in files:
        name = load_scenario(file).scenario.name
        assert Path(name).name == name and not name.startswith("."), file


# --------------------------------------------------------------------------- extends, overrides


def test_extends_merges_and_applies_overrides_in_order(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path, MINIMAL, "base.yaml")
    child = write(
        tmp_path,
        "extends: base.yaml\n"
        "name: child\n"
        "horizon: 20\n"
        "actors:\n"
        "  us:\n"
        "    quota: 0.7\n"
        "overrides:\n"
        "  horizon: 12\n"
        "  actors.us.quota: 0.6\n"
        "  issues.enrichment.status_quo: 50\n",
        "child.yaml",
    )
    with caplog.at_level(logging.INFO, logger="sim.scenario"):
        loaded = load_scenario(child)
    s = loaded.scenario
    assert s.name == "child"  # own key beats the parent
    assert s.horizon == 12  # an override beats an own key
    assert s.actors["us"].quota == 0.6
    assert s.actors["us"].ratifier == "us_president"  # mappings merge key by key
    assert s.issues["enrichment"].status_quo == 50
    assert s.issues["enrichment"].hi == 60
    messages = [r.getMessage() for r in caplog.records if r.name == "sim.scenario"]
    assert messages == loaded.overrides
    assert len(messages) == 3
    for path, old, new in [
        ("horizon", "20", "12"),
        ("actors.us.quota", "0.7", "0.6"),
        ("issues.enrichment.status_quo", "60", "50"),
    ]:
        assert any(f"override {path}: {old} -> {new}" in m for m in messages), messages
    assert all(str(child) in m for m in messages)


def test_extends_keeps_the_parent_file_and_line_of_its_problems(tmp_path: Path) -> None:
    base = write(tmp_path, MINIMAL.replace("horizon: 10", "horizon: ten"), "base.yaml")
    child = write(tmp_path, "extends: base.yaml\nname: child\n", "child.yaml")
    (problem,) = problems_of(child)
    assert (problem.file, problem.path, problem.line) == (str(base), "horizon", 4)


def test_a_bad_override_path_names_the_child_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, MINIMAL, "base.yaml")
    child = write(
        tmp_path,
        "extends: base.yaml\noverrides:\n  horizon: 12\n  actors.usa.quota: 0.6\n",
        "child.yaml",
    )
    (problem,) = problems_of(child)
    assert problem.file == str(child)
    assert problem.line == 4
    assert "actors.usa.quota" in problem.path
    assert "no such path" in problem.message


def test_an_override_value_is_validated(tmp_path: Path) -> None:
    write(tmp_path, MINIMAL, "base.yaml")
    child = write(
        tmp_path, "extends: base.yaml\noverrides:\n  actors.us.discount: 2\n", "child.yaml"
    )
    found = by_path(problems_of(child))
    assert found["actors.us.discount"].file == str(child)
    assert found["actors.us.discount"].line == 3


def test_extends_a_missing_file_names_the_extends_line(tmp_path: Path) -> None:
    child = write(tmp_path, "name: x\nextends: nothere.yaml\n", "child.yaml")
    (problem,) = problems_of(child)
    assert (problem.file, problem.path, problem.line) == (str(child), "extends", 2)
    assert "nothere.yaml" in problem.message


@pytest.mark.parametrize("value", ["5", "''", "[base.yaml]"])
def test_extends_must_name_a_file(tmp_path: Path, value: str) -> None:
    write(tmp_path, MINIMAL, "base.yaml")
    (problem,) = problems_of(write(tmp_path, f"extends: {value}\n", "child.yaml"))
    assert problem.path == "extends"


def test_circular_extends_is_an_error(tmp_path: Path) -> None:
    a = write(tmp_path, "extends: b.yaml\nname: a\n", "a.yaml")
    write(tmp_path, "extends: c.yaml\nname: b\n", "b.yaml")
    c = write(tmp_path, "extends: a.yaml\nname: c\n", "c.yaml")
    (problem,) = problems_of(a)
    assert "circular extends" in problem.message
    assert (problem.file, problem.path, problem.line) == (str(c), "extends", 1)


def test_a_file_extending_itself_is_an_error(tmp_path: Path) -> None:
    me = write(tmp_path, "extends: ./me.yaml\n", "me.yaml")
    (problem,) = problems_of(me)
    assert "circular extends" in problem.message


def test_loader_keys_are_refused_in_a_mapping() -> None:
    raw = minimal()
    raw["extends"] = "base.yaml"
    (problem,) = problems_of(raw)
    assert problem.path == "extends"


def test_load_scenario_overrides_argument(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="sim.scenario"):
        loaded = load_scenario(minimal(), {"actors.us.quota": 0.55, "horizon": 7})
    assert loaded.scenario.actors["us"].quota == 0.55
    assert loaded.scenario.horizon == 7
    assert loaded.overrides == [
        "override actors.us.quota: (not set) -> 0.55",
        "override horizon: 10 -> 7",
    ]
    assert [r.getMessage() for r in caplog.records] == loaded.overrides
    (problem,) = problems_of(minimal(), overrides={"actors.nobody.quota": 0.5})
    assert problem.path == "actors.nobody.quota"


def test_an_override_cannot_sneak_in_an_unknown_field() -> None:
    found = by_path(problems_of(minimal(), overrides={"actors.us.quorum": 0.5}))
    problem = found["actors.us.quorum"]
    assert problem.message.startswith("no such parameter")
    assert str(problem).startswith("overrides actors.us.quorum: no such parameter")


def test_a_command_line_typo_gets_the_closest_paths_and_the_blame() -> None:
    (problem,) = problems_of(
        minimal(), overrides={"actors.us.quotaa": 0.5, "horizon": 7}, origin="--set"
    )
    assert str(problem).startswith("--set actors.us.quotaa: no such parameter")
    (problem,) = problems_of(minimal(), overrides={"actorz.us.quota": 0.5}, origin="--set")
    assert str(problem).startswith(
        "--set actorz.us.quota: no such parameter; did you mean actors.us.quota, "
    )
    # A value that does not fit a real field is the command line's too, not the file's.
    (problem,) = problems_of(minimal(), overrides={"horizon": "ten"}, origin="--set")
    assert str(problem).startswith("--set horizon: ")


@given(st.sampled_from(["horizon", "actors.us.quota", "issues.enrichment.status_quo"]))
def test_property_a_one_letter_typo_suggests_the_path(path: str) -> None:
    raw = minimal()  # actors.us.quota is not written: a field the schema gives
    typo = path[:-2] + path[-1]  # one letter dropped
    message = no_such_parameter(typo, raw)
    assert f"did you mean {path}" in message


# --------------------------------------------------------------------------- include_shocks

HAWK_SHOCK = """\
description: the hawks gain ground
trigger:
  at: 3
effects:
  - op: add
    path: actors.us.quota
    value: 0.1
"""


def test_include_shocks_pulls_library_files(tmp_path: Path) -> None:
    write(tmp_path, HAWK_SHOCK, "shocks/hawk.yaml")
    file = write(tmp_path, MINIMAL + "include_shocks: [hawk]\n")
    shock = load_scenario(file).scenario.shocks["hawk"]
    assert shock.description == "the hawks gain ground"
    assert shock.trigger.at == 3


def test_own_shock_keys_beat_the_library(tmp_path: Path) -> None:
    write(tmp_path, HAWK_SHOCK, "shocks/hawk.yaml")
    file = write(
        tmp_path,
        MINIMAL + "include_shocks: [hawk]\nshocks:\n  hawk:\n    trigger: {at: 5}\n",
    )
    shock = load_scenario(file).scenario.shocks["hawk"]
    assert shock.trigger.at == 5
    assert shock.description == "the hawks gain ground"


def test_a_missing_library_shock_is_reported(tmp_path: Path) -> None:
    file = write(tmp_path, MINIMAL + "include_shocks:\n  - nope\n")
    (problem,) = problems_of(file)
    assert (problem.path, problem.line) == ("include_shocks.0", MINIMAL.count("\n") + 2)
    assert "nope" in problem.message


def test_a_missing_library_shock_names_every_folder_searched(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    write(library, MINIMAL, "base.yaml")
    user = tmp_path / "mine"
    user.mkdir()
    variant = user / "v.yaml"
    variant.write_text(
        f"extends: {library / 'base.yaml'}\ninclude_shocks: [nope]\n"
        "overrides:\n  shocks.nope.trigger.at: 4\n"  # no knock-on error about this path
    )
    (problem,) = problems_of(variant)
    assert problem.path == "include_shocks.0"
    assert str(user / "shocks") in problem.message
    assert str(library / "shocks") in problem.message


def test_a_variant_outside_the_library_finds_the_extended_scenarios_shocks(
    tmp_path: Path,
) -> None:
    # A user's folder with a file that extends the shipped baseline and includes a library shock.
    user = tmp_path / "analysis"
    user.mkdir()
    variant = user / "snapback.yaml"
    variant.write_text(f"extends: {BASELINE}\ninclude_shocks: [e3_snapback]\n")
    loaded = load_scenario(variant)
    assert "e3_snapback" in loaded.scenario.shocks
    assert loaded.lines["shocks.e3_snapback.description"][0].endswith("e3_snapback.yaml")


def test_shocks_are_found_up_the_extends_chain_nearest_first(tmp_path: Path) -> None:
    write(tmp_path / "lib", HAWK_SHOCK, "shocks/hawk.yaml")
    write(tmp_path / "lib", MINIMAL, "base.yaml")
    (tmp_path / "mid").mkdir()
    (tmp_path / "mid" / "mid.yaml").write_text("extends: ../lib/base.yaml\n")
    write(tmp_path / "top", HAWK_SHOCK.replace("gain ground", "win"), "shocks/hawk.yaml")
    (tmp_path / "top" / "top.yaml").write_text("extends: ../mid/mid.yaml\ninclude_shocks: [hawk]\n")
    (tmp_path / "mid" / "v.yaml").write_text("extends: mid.yaml\ninclude_shocks: [hawk]\n")
    assert load_scenario(tmp_path / "top" / "top.yaml").scenario.shocks["hawk"].description == (
        "the hawks win"
    )
    far = load_scenario(tmp_path / "mid" / "v.yaml").scenario.shocks["hawk"]
    assert far.description == "the hawks gain ground"


@pytest.mark.parametrize("name", ["../hawk", "sub/hawk", ".hidden"])
def test_a_shock_name_is_not_a_path(tmp_path: Path, name: str) -> None:
    write(tmp_path, HAWK_SHOCK, "shocks/hawk.yaml")
    file = write(tmp_path, MINIMAL + f"include_shocks: ['{name}']\n")
    (problem,) = problems_of(file)
    assert problem.path == "include_shocks.0"


def test_a_bad_library_shock_names_the_shock_file(tmp_path: Path) -> None:
    lib = write(
        tmp_path, HAWK_SHOCK.replace("  at: 3", "  at: 3\n  sometimes: yes"), "shocks/h.yaml"
    )
    file = write(tmp_path, MINIMAL + "include_shocks: [h]\n")
    (problem,) = problems_of(file)
    assert (problem.file, problem.path, problem.line) == (str(lib), "shocks.h.trigger.sometimes", 4)


def test_include_shocks_must_be_a_list(tmp_path: Path) -> None:
    (problem,) = problems_of(write(tmp_path, MINIMAL + "include_shocks: hawk\n"))
    assert problem.path == "include_shocks"


# --------------------------------------------------------------------------- YAML


def test_duplicate_keys_are_an_error(tmp_path: Path) -> None:
    file = write(tmp_path, MINIMAL.replace("    lo: 0\n", "    lo: 0\n    lo: 1\n"))
    (problem,) = problems_of(file)
    assert "duplicate key 'lo'" in problem.message
    assert problem.line == 8


def test_duplicate_top_level_keys_are_an_error(tmp_path: Path) -> None:
    (problem,) = problems_of(write(tmp_path, MINIMAL + "horizon: 12\n"))
    assert "duplicate key 'horizon'" in problem.message
    assert problem.line == MINIMAL.count("\n") + 1


def test_merge_keys_may_override_merged_keys(tmp_path: Path) -> None:
    # YAML's merge key: a key given beside ``<<`` overrides the merged one; not a duplicate.
    text = MINIMAL.replace(
        "    salience: {enrichment: 1}\n", "    salience: &salience {enrichment: 1}\n", 1
    ).replace(
        "    salience: {enrichment: 1}\n",
        "    salience:\n      <<: *salience\n      enrichment: 0.5\n",
    )
    s = load_scenario(write(tmp_path, text)).scenario
    assert s.actors["us_president"].salience == {"enrichment": 1}
    assert s.actors["leader"].salience == {"enrichment": 0.5}


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("name: a\ncalendar:\n  start: [2025\n", 4),
        ("name: a\n  bad: indent\nx: y\n", 2),
        ("name: a\nhorizon: 'unclosed\n", 3),
        ("name: a\n\thorizon: 3\n", 2),
    ],
)
def test_yaml_syntax_errors_give_a_line(tmp_path: Path, text: str, line: int) -> None:
    file = write(tmp_path, text)
    (problem,) = problems_of(file)
    assert problem.message.startswith("YAML error")
    assert (problem.file, problem.line) == (str(file), line)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "empty"),
        (b"# only a comment\n", "empty"),
        (b"name: \xff\xfe\n", "UTF-8"),
        (b"- name: a\n- name: b\n", "mapping"),
        (b"just a string\n", "mapping"),
        (b"? [a, b]\n: 1\n", "key"),
        (b"name: x\nfoo: &a [*a]\n", "recursive"),
    ],
)
def test_unreadable_files_are_scenario_errors(
    tmp_path: Path, content: bytes, fragment: str
) -> None:
    file = tmp_path / "s.yaml"
    file.write_bytes(content)
    (problem,) = problems_of(file)
    assert problem.file == str(file)
    assert fragment in problem.message


def test_a_directory_is_a_scenario_error(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path)
    assert "directory" in problem.message


def test_a_missing_file_is_a_scenario_error(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path / "absent.yaml")
    assert problem.message == "file not found"


@pytest.mark.parametrize(
    "tag",
    ["!!python/object/apply:os.mkdir", "!!python/object/new:os.mkdir", "!!python/name:os.mkdir"],
)
def test_python_object_tags_are_refused(tmp_path: Path, tag: str) -> None:
    target = tmp_path / "pwned"
    file = write(tmp_path, MINIMAL.replace("name: mini", f"name: {tag} [{str(target)!r}]"))
    (problem,) = problems_of(file)
    assert "constructor" in problem.message
    assert problem.line == 1
    assert not target.exists()


def nested_aliases(levels: int) -> str:
    """YAML lines ``a: &a [x, ...]``, ``b: &b [*a, ...]``...: 10**levels leaves once expanded."""
    names = "abcdefghij"[:levels]
    out = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    out += [
        f"{name}: &{name} [{', '.join([f'*{prev}'] * 10)}]"
        for prev, name in itertools.pairwise(names)
    ]
    return "\n".join(out) + "\n"


def test_a_few_nested_aliases_load(tmp_path: Path) -> None:
    file = write(tmp_path, MINIMAL + nested_aliases(4))  # 10,000 leaves
    assert {p.path for p in problems_of(file)} == set("abcd")


def test_an_alias_bomb_is_refused(tmp_path: Path) -> None:
    # 10**8 leaves if every alias were expanded (a "billion laughs" document).
    file = write(tmp_path, MINIMAL + nested_aliases(8))
    (problem,) = problems_of(file)
    assert problem.file == str(file)
    assert "more than 1,000,000 YAML nodes" in problem.message


def test_an_alias_bomb_in_overrides_is_refused(tmp_path: Path) -> None:
    # The override's log line used to serialise the whole expanded value (MemoryError).
    bomb = nested_aliases(8).replace("\n", "\n  ").replace("a: &a", "  name: &a", 1)
    file = write(tmp_path, "extends: base.yaml\noverrides:\n" + bomb)
    write(tmp_path, MINIMAL, "base.yaml")
    (problem,) = problems_of(file)
    assert "more than 1,000,000 YAML nodes" in problem.message


def test_override_log_lines_are_bounded() -> None:
    shared: list[Any] = ["x"] * 10
    for _ in range(9):
        shared = [shared] * 10  # 10**10 leaves, shared
    assert len(_short(shared)) == 60 and _short(shared).endswith("...")
    assert _short({dt.date(2025, 1, 1): [1, None]}) == '{"2025-01-01": [1, null]}'
    assert _short("x" * 10**6) == '"' + "x" * 56 + "..."
    assert _short({"value": 0.4, "range": [0.2, 0.6]}) == '{"value": 0.4, "range": [0.2, 0.6]}'


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("2025-02-30", "day is out of range"),
        ("1" * 5000, "4300 digits"),
    ],
)
def test_unreadable_scalars_are_reported_at_their_line(
    tmp_path: Path, value: str, fragment: str
) -> None:
    file = write(tmp_path, MINIMAL.replace("horizon: 10", f"horizon: {value}"))
    (problem,) = problems_of(file)
    assert fragment in problem.message and "cannot read the value" in problem.message
    assert problem.line == 4


def test_deep_nesting_is_a_yaml_error(tmp_path: Path) -> None:
    file = write(tmp_path, MINIMAL + "deep: " + "[" * 100_000 + "]" * 100_000 + "\n")
    (problem,) = problems_of(file)
    assert "YAML error" in problem.message


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    file = write(tmp_path, MINIMAL + "#" * MAX_FILE_BYTES + "\n")
    (problem,) = problems_of(file)
    assert f"larger than {MAX_FILE_BYTES} bytes" in problem.message
    assert 10 * BASELINE.stat().st_size < MAX_FILE_BYTES


# --------------------------------------------------------------------------- dotted paths


def test_get_path() -> None:
    raw = {"a": {"b": [{"c": 1}, {"c": 2}]}, "d": 3}
    assert get_path(raw, "d") == 3
    assert get_path(raw, "a.b.1.c") == 2
    assert get_path(raw, "a.b") == [{"c": 1}, {"c": 2}]
    for missing in ("x", "a.x", "a.b.2.c", "a.b.-1.c", "d.e", "a.b.c"):
        with pytest.raises(KeyError):
            get_path(raw, missing)


def test_set_path() -> None:
    raw: dict[str, Any] = {"a": {"b": [{"c": 1}, {"c": 2}]}, "d": 3}
    assert set_path(raw, "a.b.0.c", 5) == 1
    assert set_path(raw, "d", 4) == 3
    assert set_path(raw, "a.new", 6) is None  # a new leaf in an existing mapping
    assert set_path(raw, "a.b.1", "x") == {"c": 2}
    assert raw == {"a": {"b": [{"c": 5}, "x"], "new": 6}, "d": 4}
    for missing in ("x.y", "a.b.5", "d.e", "a.b.0.c.d"):
        with pytest.raises(KeyError):
            set_path(raw, missing, 0)
    assert raw == {"a": {"b": [{"c": 5}, "x"], "new": 6}, "d": 4}


def test_parameter_paths_are_the_dotted_paths_of_the_raw_file() -> None:
    loaded = load_scenario(BASELINE)
    paths = parameter_paths(loaded.scenario)
    for path in (
        "actors.israel.strike_resolve",
        "actors.us_president.ideal.enrichment",
        "issues.enrichment.status_quo",
        "protocol.breakdown_risk",
    ):
        assert path in paths
        get_path(loaded.raw, path)  # the same path addresses the value in the file


# --------------------------------------------------------------------------- hashing


def _reversed(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _reversed(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reversed(v) for v in value]
    return value


def test_sha256_is_stable_across_key_order(tmp_path: Path) -> None:
    raw = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    del raw["claims"]  # names a file beside the baseline; claims are not in the hash
    flipped = _reversed(raw)
    assert list(flipped) != list(raw)
    assert scenario_sha256(flipped) == scenario_sha256(raw)
    a = load_scenario(write(tmp_path, raw, "a.yaml"))
    b = load_scenario(write(tmp_path, "# a comment\n" + yaml.safe_dump(flipped), "b.yaml"))
    assert a.sha256 == b.sha256 == load_scenario(BASELINE).sha256


def test_sha256_changes_with_any_value() -> None:
    raw = minimal()
    changed = copy.deepcopy(raw)
    changed["actors"]["us"]["quota"] = 0.51
    assert scenario_sha256(raw) != scenario_sha256(changed)
    assert load_scenario(raw).sha256 != load_scenario(raw, {"horizon": 11}).sha256


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_fifo_or_a_device_is_refused_unread(tmp_path: Path, kind: str) -> None:
    """Reading a FIFO would block and /dev/zero would never end: both are refused at once."""
    import os

    if kind == "fifo":
        target = tmp_path / "pipe.yaml"
        os.mkfifo(target)
    else:
        target = Path("/dev/zero")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(target)
    assert "not a regular file" in str(caught.value.problems[0])
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"extends: {target}\nname: s\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario)
    assert f"no scenario file {target}" in str(caught.value.problems[0])


@pytest.mark.parametrize("field", ["ideal", "salience"])
def test_a_striker_gives_ideal_and_salience_together(field: str) -> None:
    """Israel's fear of a deal it dislikes is its utility of the deal: with an ideal and no
    salience the engine failed with a KeyError (found by the scenario fuzz once refused mutants
    ran). A striker with neither (the oracle games) has no fear of a deal and is valid."""
    raw = baseline_raw()
    raw.pop("include_shocks", None)  # a mapping cannot include library shocks
    del raw["actors"]["israel"][field]
    problems = problems_of(raw)
    assert any(p.path == "actors.israel" and "together" in p.message for p in problems)
