"""What follows a strike: the programme set back, the war's ceasefire hazard.

docs/model.md, "Episodes" (issue 14).
The articles say little about wars: the numbers are the scenario's (``programme.strike_setback``,
``war.*``), each with its evidence or assumption.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def set_back(progress: np.ndarray, setback: np.ndarray, hit: np.ndarray) -> np.ndarray:
    """The programme's progress after a strike in the worlds ``hit``: ``k · (1 − setback)``.

    The strike destroys the share ``setback`` (clipped to [0, 1]) of the progress; elsewhere the
    progress is unchanged. Article B: "The Mossad may well be capable of significantly weakening
    Iran and its allies."
    """
    kept = 1.0 - np.clip(setback, 0.0, 1.0)
    return np.where(hit, progress * kept, progress)


@dataclass(frozen=True)
class CeasefireHazard:
    """The per-step chance that a war ends in a ceasefire, by its parts (N,) each."""

    base: np.ndarray
    """``war.ceasefire_hazard``."""
    us: np.ndarray
    """``war.us_ceasefire_boost`` where the US took part in the strike, else 0."""
    patrons: np.ndarray
    """``war.patron_ceasefire_boost`` times the patrons' summed support for Iran."""
    drag: np.ndarray
    """``war.escalation_drag`` where Iran's retaliation escalated, else 1."""

    def total(self) -> np.ndarray:
        """``clip((base + us + patrons) · drag, 0, 1)``."""
        return np.clip((self.base + self.us + self.patrons) * self.drag, 0.0, 1.0)


def ceasefire_hazard(
    base: np.ndarray,
    us_boost: np.ndarray,
    patron_boost: np.ndarray,
    patron_support: np.ndarray,
    us_involved: np.ndarray,
    drag: np.ndarray,
    escalated: np.ndarray,
) -> CeasefireHazard:
    """The ceasefire hazard of a war: higher with US involvement and the patrons' pressure.

    A war whose per-step hazard is ``h`` lasts a geometric number of steps (mean ``1/h``). Its
    parts are assumptions (docs/model.md, "Episodes"): Washington, once a party, can bring Israel
    to stop; Iran's patrons press for calm; an escalating retaliation makes a ceasefire harder.
    """
    return CeasefireHazard(
        base=base,
        us=np.where(us_involved, us_boost, 0.0),
        patrons=patron_boost * patron_support,
        drag=np.where(escalated, drag, 1.0),
    )
