"""Scenario builders for the tests: small textbook configurations of the engine."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from sim.engine.model import NegotiationModel
from sim.mechanisms.rng import block_seed
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def baseline_raw() -> dict[str, Any]:
    """The baseline scenario as a raw mapping (to mutate in tests), without its ``claims`` key.

    ``claims`` names a file beside the baseline: a copy written elsewhere could not find it.
    """
    raw = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    raw.pop("claims", None)
    return raw


def faction(principal: str, ideal: float, **extra: Any) -> dict[str, Any]:
    """A one-issue faction (issue ``pie``) with salience 1 and clout 1."""
    out = {
        "role": "faction",
        "principal": principal,
        "ideal": {"pie": ideal},
        "salience": {"pie": 1.0},
        "clout": 1.0,
    }
    out.update(extra)
    return out


def pie_scenario(
    *,
    rule: str,
    horizon: int = 1,
    us: dict[str, Any] | None = None,
    iran: dict[str, Any] | None = None,
    us_faction: dict[str, Any] | None = None,
    iran_faction: dict[str, Any] | None = None,
    protocol: dict[str, Any] | None = None,
    extra_actors: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Two principals dividing a pie x in [0, 1]: the US gets x, Iran gets 1 − x.

    Each principal has one faction (its ratifier); the status quo is x = 0 and the factions'
    no-deal values are 0 (Iran's shift of −1 offsets its utility 1 of the status quo), so the
    breakdown point is (0, 0) unless a test changes it.
    """
    scenario = {
        "name": "pie",
        "calendar": {"start": "2025-01-04", "step_days": 7},
        "horizon": horizon,
        "issues": {"pie": {"lo": 0.0, "hi": 1.0, "status_quo": 0.0}},
        "actors": {
            "us": {"role": "principal", "ratifier": "us_lead", **(us or {})},
            "iran": {"role": "principal", "ratifier": "iran_lead", **(iran or {})},
            "us_lead": faction("us", 1.0, **(us_faction or {})),
            "iran_lead": faction("iran", 0.0, **{"no_deal_shift": -1.0, **(iran_faction or {})}),
            **copy.deepcopy(extra_actors or {}),
        },
        "protocol": {"proposal_rule": rule, "first_mover": "us", **(protocol or {})},
    }
    return scenario


def model_of(raw: dict[str, Any], worlds: int = 1, seed: int = 0) -> NegotiationModel:
    """A model of ``worlds`` worlds of a raw scenario mapping (block 0 of root ``seed``)."""
    spec = load_scenario(raw).scenario
    return NegotiationModel(spec, block_seed(seed, 0), np.arange(worlds))
