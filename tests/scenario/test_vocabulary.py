"""The one vocabulary: every parameter's name, unit and description come from the schema."""

from __future__ import annotations

import glob
import typing

import pytest
from pydantic import BaseModel

from sim.scenario import load_scenario
from sim.scenario.params import ON_ISSUE_SCALE
from sim.scenario.reference import SECTIONS
from sim.scenario.schema import Scenario, parameter_paths
from sim.scenario.vocabulary import ISSUE_SCALE, ParamName, declared, describe
from sim.scenario.walk import _is_param_annotation
from tests.builders import BASELINE, ROOT

SCENARIOS = sorted(glob.glob(str(ROOT / "scenarios" / "*.yaml")))


@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario(BASELINE).scenario


def test_every_parameter_of_the_baseline_has_a_name_and_a_unit(baseline: Scenario) -> None:
    paths = parameter_paths(baseline)
    assert len(paths) > 100
    for path in paths:
        found = describe(path, baseline)
        assert found.name and found.unit and found.description, path
        assert "{" not in found.name and found.unit != ON_ISSUE_SCALE, path


@pytest.mark.parametrize("scenario_file", SCENARIOS)
def test_every_parameter_of_every_scenario_has_a_name_and_a_unit(scenario_file: str) -> None:
    scenario = load_scenario(scenario_file).scenario
    for path in parameter_paths(scenario):
        found = describe(path, scenario)
        assert found.name and found.unit and "{" not in found.name, path


def test_every_parameter_field_of_the_schema_declares_a_name_and_a_unit() -> None:
    """A new numeric field without a name would be described by its identifier: refuse it."""
    undeclared = [
        f"{model.__name__}.{name}"
        for _, models in SECTIONS
        for model in models
        for name, info in model.model_fields.items()
        if _numeric(info.annotation) and declared(info) is None
    ]
    assert undeclared == ["SetParam.value"]  # named by its op: SetParam.NAMES


def _numeric(annotation: object) -> bool:
    if typing.get_origin(annotation) is dict:
        return _is_param_annotation(typing.get_args(annotation)[1])
    return _is_param_annotation(annotation)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            "actors.us.strike_hazard",
            ParamName(
                "United States' strike hazard per step",
                "probability per step",
                "Per-step probability of striking, at full hawk clout and credibility, once "
                "talks fail.",
            ),
        ),
        (
            "actors.us_president.no_deal_shift",
            ParamName(
                "Trump's value of no deal relative to the status quo",
                "utility",
                "Utility of no deal relative to the status-quo package (negative: no deal hurts).",
            ),
        ),
        (
            "actors.us_president.ideal.enrichment",
            ParamName(
                "Trump's ideal enrichment",
                "% U-235",
                "Ideal point per issue, on each issue's own scale.",
                "enrichment",
            ),
        ),
    ],
)
def test_known_names(baseline: Scenario, path: str, expected: ParamName) -> None:
    assert describe(path, baseline) == expected


def test_names_follow_the_shape_of_the_path(baseline: Scenario) -> None:
    def name(path: str) -> str:
        return describe(path, baseline).name

    assert name("actors.us.clout") == "United States' weight in a mediator's compromise"
    assert name("actors.us_hawks.clout") == "Rubio and the hardliners' clout"
    assert name("actors.us_hawks.salience.enrichment") == (
        "the salience of enrichment to Rubio and the hardliners"
    )
    assert name("actors.us_president.red_lines.0.max") == "Trump's red-line ceiling on enrichment"
    assert name("issues.sanctions_relief.status_quo") == "the status quo of sanctions relief"
    assert name("programme.growth") == "the growth of Iran's nuclear progress per step"
    assert describe("programme.growth").title == "Growth of Iran's nuclear progress per step"
    assert name("actors.pragmatists.pressure_clout_gain") == (
        "Pezeshkian, Araghchi and the reformists' clout gain from pressure"
    )


def test_shock_parameters_are_named_by_their_shock_and_target() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "us_maximalist.yaml").scenario
    effect = describe("shocks.us_maximalist_turn.effects.0.value", scenario)
    assert effect.name == (
        "the value the shock 'us_maximalist_turn' sets for Trump's ideal enrichment"
    )
    assert (effect.unit, effect.issue) == ("% U-235", "enrichment")
    preempts = load_scenario(ROOT / "scenarios" / "israel_preempts.yaml").scenario
    hazard = describe("shocks.israel_preemptive_strike.trigger.hazard", preempts)
    assert hazard.name == "the hazard per step of the shock 'israel_preemptive_strike'"
    assert hazard.unit == "probability per step"


def test_without_a_scenario_actors_are_named_by_their_ids() -> None:
    assert describe("actors.israel.strike_resolve") == ParamName(
        "Israel's strike resolve",
        "utility units of the strike margin",
        "Additive bias toward striking, in the margin's utility units.",
    )
    assert describe("actors.us_hawks.clout").name == "US hawks' clout"
    assert describe("actors.us.clout").name == "US's weight in a mediator's compromise"
    assert describe("actors.x.ideal.enrichment").unit == ISSUE_SCALE


def test_unknown_paths_fall_back_to_their_last_part(baseline: Scenario) -> None:
    assert describe("actors.x.mystery") == ParamName("X's mystery", "", "")
    assert describe("actors.us.mystery", baseline).name == "United States' mystery"
    assert describe("calendar.step_days").name == "the step days"
    assert describe("actors.us_hawks.ideal", baseline).name == "Rubio and the hardliners' ideal"
    assert describe("shocks.bandar_abbas.effects.9.value", baseline).name == "the value"


def test_the_reference_shows_each_declared_name_and_unit() -> None:
    from sim.scenario.reference import scenario_reference_markdown

    text = scenario_reference_markdown()
    assert "*strike hazard per step* (probability per step). Per-step probability" in text
    assert "*ideal `<issue>`* (the issue's unit)." in text


def test_a_model_field_title_is_never_set_outside_the_vocabulary() -> None:
    """Every field title in the schema is a declared parameter name (term), nothing else."""
    for _, models in SECTIONS:
        for model in models:
            assert issubclass(model, BaseModel)
            for name, info in model.model_fields.items():
                if info.title is not None:
                    assert declared(info) is not None, f"{model.__name__}.{name}"
