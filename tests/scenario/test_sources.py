"""A scenario's own sources (``sources:``): quoted like the seeds, inside the scenario's folder."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim.scenario import ScenarioError, load_scenario
from tests.builders import BASELINE
from tests.cli.test_cli import negsim, no_traceback

MEMO = "An illustrative memo.\nThe negotiators met   twice in May,\nand agreed on nothing.\n"
OMAN = "actors.oman.give_up_hazard.evidence.0"


def variant(folder: Path, sources: object, quote: str = "met twice in May", seed: str = "") -> Path:
    """A variant of the baseline in ``folder`` quoting ``seed`` (the first source by default)."""
    folder.mkdir(parents=True, exist_ok=True)
    raw = {
        "extends": str(BASELINE),
        "name": "sourced",
        "sources": sources,
        "overrides": {
            OMAN: {"seed": seed or "notes/memo.txt", "quote": quote, "reading": "a reading"}
        },
    }
    path = folder / "variant.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False, default_flow_style=None), "utf-8")
    return path


def with_memo(folder: Path) -> Path:
    (folder / "notes").mkdir(parents=True, exist_ok=True)
    (folder / "notes" / "memo.txt").write_text(MEMO, encoding="utf-8")
    return folder


def messages(path: Path) -> dict[str, str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return {p.path: p.message for p in info.value.problems}


def test_evidence_quotes_a_declared_source_whitespace_normalised(tmp_path: Path) -> None:
    loaded = load_scenario(variant(with_memo(tmp_path), ["notes/memo.txt"]))
    assert loaded.sources == {"notes/memo.txt": tmp_path / "notes" / "memo.txt"}
    assert "sources" not in loaded.raw  # a loader key: not part of the scenario or its hash
    # The source is read again once it changes (the texts are cached by file state).
    (tmp_path / "notes" / "memo.txt").write_text("They never met.\n", encoding="utf-8")
    assert "quote not found" in messages(tmp_path / "variant.yaml")[f"{OMAN}.quote"]


def test_a_quote_not_in_the_source_is_refused_like_a_seeds(tmp_path: Path) -> None:
    found = messages(variant(with_memo(tmp_path), ["notes/memo.txt"], quote="met thrice in May"))
    assert found == {
        f"{OMAN}.quote": "quote not found verbatim in notes/memo.txt: 'met thrice in May'"
    }


def test_an_undeclared_source_is_no_seed_file(tmp_path: Path) -> None:
    found = messages(variant(with_memo(tmp_path), []))
    assert found[f"{OMAN}.seed"].startswith("no seed file 'notes/memo.txt' in ")


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ("../outside.txt", "leaves the scenario's folder ('..')"),
        ("/etc/hostname", "is an absolute path"),
        ("notes/link.txt", "leads out of"),
        ("notes/missing.txt", "no source file"),
        ("notes", "is not a regular file"),
        ("notes/binary.txt", "is not UTF-8 text"),
        (3, "must be a file path relative to the scenario file"),
    ],
)
def test_a_bad_source_names_file_field_and_line(
    tmp_path: Path, entry: object, fragment: str
) -> None:
    folder = with_memo(tmp_path / "scenario")
    (tmp_path / "outside.txt").write_text(MEMO, encoding="utf-8")
    (folder / "notes" / "link.txt").symlink_to(tmp_path / "outside.txt")
    (folder / "notes" / "binary.txt").write_bytes(b"\xff\xfe")
    path = variant(folder, ["notes/memo.txt", entry])
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    [problem] = info.value.problems
    assert (problem.file, problem.path, problem.line) == (str(path), "sources.1", 3)
    assert fragment in problem.message


def test_sources_must_be_a_list_once_each(tmp_path: Path) -> None:
    folder = with_memo(tmp_path)
    assert "must be a list" in messages(variant(folder, "notes/memo.txt"))["sources"]
    twice = messages(variant(folder, ["notes/memo.txt", "notes/memo.txt"]))
    assert twice == {"sources.1": "'notes/memo.txt' is listed twice"}


def test_a_variant_inherits_sources_resolved_beside_their_file(tmp_path: Path) -> None:
    parent = variant(with_memo(tmp_path / "parent"), ["notes/memo.txt"])
    child = tmp_path / "elsewhere" / "child.yaml"
    child.parent.mkdir()
    child.write_text(f"extends: {parent}\nname: child\n", encoding="utf-8")
    assert load_scenario(child).sources == {"notes/memo.txt": parent.parent / "notes" / "memo.txt"}
    # The child may not give the inherited name to a file of its own.
    with_memo(child.parent)
    child.write_text(f"extends: {parent}\nname: child\nsources: [notes/memo.txt]\n", "utf-8")
    assert "already names" in messages(child)["sources.0"]


def test_a_mapping_may_not_declare_sources() -> None:
    with pytest.raises(ScenarioError, match="only scenario files may use this key"):
        load_scenario({"sources": ["memo.txt"]})


def test_validate_reports_a_bad_source_and_exits_2(tmp_path: Path) -> None:
    path = variant(with_memo(tmp_path), ["../secret.txt"])
    proc = negsim("validate", path)
    assert proc.returncode == 2
    no_traceback(proc)
    assert f"{path}:3: sources.0: '../secret.txt' leaves the scenario's folder" in proc.stderr


def test_a_claim_may_quote_the_scenarios_source(tmp_path: Path) -> None:
    path = variant(with_memo(tmp_path), ["notes/memo.txt"])
    claims = tmp_path / "claims.yaml"
    claim = (
        "claims:\n  no_deal:\n    evidence:\n      - seed: notes/memo.txt\n"
        "        quote: {quote}\n        reading: a reading\n"
        '    quantity: "P(deal by 2025-10-18)"\n    band: probably not\n'
    )
    path.write_text(path.read_text("utf-8") + "claims: claims.yaml\n", "utf-8")
    claims.write_text(claim.format(quote="agreed on nothing"), "utf-8")
    assert load_scenario(path).claims is not None
    claims.write_text(claim.format(quote="agreed on everything"), "utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    [problem] = info.value.problems
    assert (problem.file, problem.path) == (str(claims), "claims.no_deal.evidence.0.quote")
    assert problem.message.startswith("quote not found verbatim in notes/memo.txt")


def test_a_problem_under_an_overridden_value_is_at_the_override(tmp_path: Path) -> None:
    path = variant(with_memo(tmp_path), ["notes/memo.txt"], quote="met thrice in May")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    [problem] = info.value.problems
    assert (problem.file, problem.line) == (str(path), 5)  # not the baseline's old evidence


def test_a_loaded_scenarios_mapping_keeps_its_sources(tmp_path: Path) -> None:
    loaded = load_scenario(variant(with_memo(tmp_path), ["notes/memo.txt"]))
    again = load_scenario(loaded.raw, {"horizon": 3}, sources=loaded.sources)  # sweeps, --set
    assert again.sources == loaded.sources and again.scenario.horizon == 3
    unchecked = load_scenario(loaded.raw, sources={"notes/memo.txt": None})  # reproduce
    assert unchecked.sources == {"notes/memo.txt": None}
    with pytest.raises(ScenarioError, match=r"no seed file 'notes/memo\.txt'"):
        load_scenario(loaded.raw)  # a bare mapping cannot see the scenario's folder
