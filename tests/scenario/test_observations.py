"""Observations files: checked once at the edge, every problem with its file, field and line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.scenario.observations import ObservationsError, load_observations
from sim.scenario.reference import observations_reference_markdown

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "scenarios" / "observations" / "talks_rounds.yaml"


def test_the_example_file_loads_and_its_quotes_are_verbatim() -> None:
    loaded = load_observations(EXAMPLE)
    facts = loaded.observations.facts
    assert len(facts) == 5
    assert all(f.evidence for f in facts)
    assert str(loaded.observations.last_date()) == "2025-05-11"  # the articles' last date


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "obs.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ObservationsError) as err:
        load_observations(path)
    assert err.value.label == "invalid observations"
    return [str(p) for p in err.value.problems]


def test_every_problem_names_the_file_the_field_and_the_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "facts:\n"
        "  - kind: event\n"
        "    event: deal\n"
        "    happened: sometime\n"
        "    date: 2025-01-10\n"
        "    assumption: toy\n"
        "  - kind: offer\n"
        "    side: us\n"
        "    issue: pie\n"
        "    low: 0.6\n"
        "    high: 0.2\n"
        "    error: -1\n"
        "    date: 2025-01-10\n"
        "    assumption: toy\n"
        "  - kind: session\n"
        "    date: 2025-01-10\n"
        "  - kind: parameter\n"
        "    path: a.b\n"
        "    low: 1\n"
        "    high: 2\n"
        "    date: 2025-01-10\n"
        "    colour: red\n"
        "    assumption: toy\n",
    )
    got = problems(path)
    text = "\n".join(got)
    assert f"{path}:4: facts.0.happened:" in text
    assert f"{path}:12: facts.1.error:" in text
    assert f"{path}:15: facts.2:" in text and "evidence" in text
    assert f"{path}:22: facts.3.colour: unknown field" in text
    assert "docs/observations.md" in text


def test_a_quote_not_in_the_seeds_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "facts:\n"
        "  - kind: session\n"
        "    date: 2025-04-12\n"
        "    evidence:\n"
        "      - seed: 002_421a9f04ec3a186c.txt\n"
        "        quote: the talks were held on the moon\n"
        "        reading: invented\n",
    )
    assert any("quote not found verbatim" in p for p in problems(path))


def test_one_exact_value_and_a_reversed_range_are_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "facts:\n"
        "  - {kind: parameter, path: a.b, low: 1, high: 1, date: 2025-01-01, assumption: toy}\n"
        "  - {kind: parameter, path: a.b, low: 2, high: 1, error: 0.1, date: 2025-01-01,"
        " assumption: toy}\n",
    )
    text = "\n".join(problems(path))
    assert "give an error" in text
    assert "needs low <= high" in text


def test_the_observations_reference_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "observations.md").read_text(encoding="utf-8")
    assert committed == observations_reference_markdown(), (
        "run: negsim schema --observations --markdown docs/observations.md"
    )


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True), st.text(max_size=8)
)
fact_keys = st.sampled_from(
    ["kind", "date", "event", "happened", "side", "issue", "low", "high", "error", "path", "x"]
)
kinds = st.sampled_from(["event", "session", "offer", "parameter", "rumour"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.dictionaries(fact_keys, st.one_of(scalars, kinds), max_size=8), max_size=4))
def test_any_list_of_facts_loads_or_is_refused_as_observations(
    tmp_path: Path, facts: list[dict[str, object]]
) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump({"facts": facts}), encoding="utf-8")
    try:
        load_observations(path)
    except ObservationsError as exc:
        assert exc.problems and all(str(p).startswith(str(path)) for p in exc.problems)
