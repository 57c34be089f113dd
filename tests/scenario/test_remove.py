"""``remove:``: a variant deletes inherited keys; what still names them fails, saying where."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.runs.sweeps.spec import SweepSpecError, load_sweep
from sim.scenario import ScenarioError, load_scenario
from sim.scenario.schema import Principal
from tests.builders import BASELINE
from tests.cli.test_cli import negsim, no_traceback

SAUDI = BASELINE.parent / "saudi_counterweight.yaml"


def variant(tmp_path: Path, body: str, parent: Path = BASELINE) -> Path:
    path = tmp_path / "variant.yaml"
    path.write_text(f"extends: {parent}\nname: variant\n{body}", encoding="utf-8")
    return path


def problems(path: Path) -> list[tuple[str, str, int | None, str]]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return [(p.file, p.path, p.line, p.message) for p in info.value.problems]


def test_an_actor_a_shock_and_a_deadline_are_removed(tmp_path: Path) -> None:
    path = variant(tmp_path, "remove: [actors.gulf, shocks.bandar_abbas, actors.iran.deadline]\n")
    loaded = load_scenario(path)
    scenario = load_scenario(BASELINE).scenario
    assert set(scenario.actors) - set(loaded.scenario.actors) == {"gulf"}
    assert set(scenario.shocks) - set(loaded.scenario.shocks) == {"bandar_abbas"}
    iran = loaded.scenario.actors["iran"]
    assert isinstance(iran, Principal) and iran.deadline is None
    assert isinstance(scenario.actors["iran"], Principal) and scenario.actors["iran"].deadline
    assert not any(key.startswith("actors.gulf") for key in loaded.lines)
    removed = ("actors.gulf", "shocks.bandar_abbas", "actors.iran.deadline")
    assert loaded.removed == dict.fromkeys(removed, f"{path}:3")


def test_a_removed_key_given_anew_replaces_the_parents_whole(tmp_path: Path) -> None:
    body = "remove: [actors.oman]\nactors:\n  oman: {role: third_party, instrument: mediator}\n"
    oman = load_scenario(variant(tmp_path, body)).scenario.actors["oman"]
    assert oman.give_up_hazard == 0.0  # type: ignore[union-attr]  # the default, not merged
    assert load_scenario(variant(tmp_path, body)).removed == {}


@pytest.mark.parametrize(
    ("body", "where", "fragment"),
    [
        ("remove: [actors.nobody]\n", "remove.0", "'actors.nobody' is not in the scenario"),
        ("remove: [actors.supreme_leader.red_lines.0]\n", "remove.0", "is an item of a list"),
        ("remove: [3]\n", "remove.0", "must be a dotted path"),
        ("remove: actors.gulf\n", "remove", "must be a list of dotted paths"),
    ],
)
def test_a_bad_removal_names_file_field_and_line(
    tmp_path: Path, body: str, where: str, fragment: str
) -> None:
    path = variant(tmp_path, body)
    [(file, field, line, message)] = problems(path)
    assert (file, field, line) == (str(path), where, 3)
    assert fragment in message


def test_remove_needs_extends(tmp_path: Path) -> None:
    path = tmp_path / "alone.yaml"
    path.write_text("name: alone\nremove: [actors.gulf]\n", encoding="utf-8")
    assert ("remove", "needs extends: (nothing is inherited)") in [
        (field, message) for _, field, _, message in problems(path)
    ]


def test_a_shock_naming_a_removed_actor_says_where_it_was_removed(tmp_path: Path) -> None:
    path = variant(tmp_path, "remove: [actors.gulf]\n", parent=SAUDI)
    found = problems(path)
    assert [field for _, field, _, _ in found] == [
        "shocks.saudi_counterweight.effects.0.path",
        "shocks.saudi_counterweight.effects.1.path",
    ]
    assert found[0][3] == (
        "'actors.gulf.lobbying_damping' is not a numeric parameter "
        f"(actors.gulf was removed by remove: at {path}:3)"
    )


def test_a_removed_ratifier_says_where_it_was_removed(tmp_path: Path) -> None:
    path = variant(tmp_path, "remove: [actors.us_president]\n")
    [(_, field, _, message)] = problems(path)
    assert field == "actors.us.ratifier"
    assert message.endswith(f"(actors.us_president was removed by remove: at {path}:3)")


def test_a_claim_on_a_removed_shock_says_where_it_was_removed(tmp_path: Path) -> None:
    (tmp_path / "claims.yaml").write_text(
        "claims:\n  recalibrates:\n    evidence:\n      - seed: 000_9494b9ec543078ca.txt\n"
        '        quote: "There are plenty of reasons to be skeptical"\n'
        "        reading: a reading\n"
        '    quantity: "P(shock:irgc_recalibration by 2025-10-18)"\n'
        "    band: probable\n",
        encoding="utf-8",
    )
    path = variant(tmp_path, "claims: claims.yaml\nremove: [shocks.irgc_recalibration]\n")
    [(file, field, _, message)] = problems(path)
    assert (file, field) == (str(tmp_path / "claims.yaml"), "claims.recalibrates.quantity")
    assert "the scenario has no shock 'irgc_recalibration' (shocks.irgc_recalibration was " in (
        message
    )


def test_a_sweep_over_a_removed_actor_says_where_it_was_removed(tmp_path: Path) -> None:
    base = variant(tmp_path, "remove: [actors.gulf]\n")
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(
        f"name: s\nbase: {base.name}\nparameters:\n  actors.gulf.strike_restraint: "
        "{values: [0.1, 0.2]}\ndesign: {kind: grid}\nworlds: 10\nseed: 1\n",
        encoding="utf-8",
    )
    with pytest.raises(SweepSpecError) as info:
        load_sweep(sweep)
    [problem] = info.value.problems
    assert problem.message.endswith(f"(actors.gulf was removed by remove: at {base}:3)")


def test_validate_reports_a_dangling_removal_and_exits_2(tmp_path: Path) -> None:
    path = variant(tmp_path, "remove: [actors.gulf]\n", parent=SAUDI)
    proc = negsim("validate", path)
    assert proc.returncode == 2
    no_traceback(proc)
    assert "(actors.gulf was removed by remove: at " in proc.stderr
