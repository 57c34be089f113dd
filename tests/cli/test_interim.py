"""The interim-deal variant runs end to end (``negsim run scenarios/interim_deal.yaml``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.engine.events import INTERIM_EVENTS
from tests.builders import ROOT
from tests.cli.test_cli import negsim, no_traceback, summary_of


def test_the_interim_variant_runs_and_reports_its_interim_deals(tmp_path: Path) -> None:
    out = tmp_path / "run"
    proc = negsim("run", ROOT / "scenarios" / "interim_deal.yaml", "--worlds", 300, "--seed", 1,
                  "--out", out)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    no_traceback(proc)
    assert "Interim deal in force" in proc.stdout
    events = pd.read_parquet(out / "events.parquet")
    at_start = events[(events.event == "interim") & (events.step == 0)]
    assert len(at_start) == 300 and set(at_start.details) == {"in_force_at_start"}
    assert {"interim_renewed", "interim_lapsed"} <= set(events.event)
    summary = summary_of(out)
    assert set(INTERIM_EVENTS) <= set(summary["event_types"])
    horizon = events[events.event == "horizon"]
    assert (horizon.details == "interim_in_force").any()
