"""One vocabulary: a parameter's human name, unit and description, read from the schema.

Each numeric field of :mod:`sim.scenario.schema` declares its name and unit once
(:func:`sim.scenario.params.term`: the field's ``title`` and ``unit``), and its docstring is its
description. :func:`describe` composes them for a dotted parameter path, naming the actor, the
issue or the shock the path goes through: ``actors.us.strike_hazard`` is "United States' strike
hazard per step" (in a probability per step). Explanations, figures, the dashboard and
``docs/scenario.md`` all read parameter names here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.scenario.params import ON_ISSUE_SCALE
from sim.scenario.schema import (
    PRINCIPALS,
    Counterweight,
    DeadlineDecision,
    Faction,
    Interim,
    Issue,
    Mediator,
    Patron,
    Principal,
    Programme,
    Protocol,
    RedLine,
    Scenario,
    SetParam,
    Snapback,
    State,
    StateCondition,
    Striker,
    Trigger,
    War,
)

ACTOR_KINDS: tuple[type[BaseModel], ...] = (
    Faction,
    Principal,
    Striker,
    Patron,
    Snapback,
    Mediator,
    Counterweight,
)
"""Where a field of an actor of unknown kind is looked up (no scenario given), in this order; an
actor whose id is a principal's (``us``, ``iran``) is a :class:`Principal`."""

ISSUE_SCALE = "on the issue's own scale"
"""The unit of a point on an issue's scale when the issue's unit is not known."""

_PROPER = {
    "us": "US",
    "e3": "E3",
    "irgc": "IRGC",
    "un": "UN",
    "jcpoa": "JCPOA",
    "israel": "Israel",
    "iran": "Iran",
    "russia": "Russia",
    "china": "China",
    "saudi": "Saudi",
    "oman": "Oman",
    "trump": "Trump",
}
"""Words an identifier spells in lower case that a title capitalises."""


@dataclass(frozen=True)
class ParamName:
    """What a parameter is called, in what unit, and what it means.

    Attributes:
        name: its name inside a sentence: "Trump's value of no deal relative to the status
            quo", "the growth of Iran's nuclear progress per step".
        unit: the unit of its values ("probability per step", "% U-235").
        description: the schema field's docstring.
        issue: the issue on whose scale its values lie (ideal points, status quos, red lines
            and shocks that set or shift them), else ``None``.
    """

    name: str
    unit: str
    description: str
    issue: str | None = None

    @property
    def title(self) -> str:
        """The name as a label: capitalised, without a leading "the"."""
        text = self.name.removeprefix("the ")
        return text[0].upper() + text[1:] if text else text


def describe(path: str, scenario: Scenario | None = None) -> ParamName:
    """The name, unit and description of the parameter at a dotted path.

    With a scenario, actors are named by their display names and issues' units are theirs;
    without one, by their ids in words (``us_hawks``: "US hawks"). A path the schema does not
    know is named by its last part, with no unit.

    Args:
        path: a dotted parameter path (:func:`sim.scenario.schema.parameter_paths`).
        scenario: the scenario the path belongs to, if known.
    """
    parts = path.split(".")
    found: ParamName | None = None
    if parts[0] == "actors" and len(parts) >= 3:
        found = _actor_parameter(parts, scenario)
    elif parts[0] == "issues" and parts[2:] == ["status_quo"]:
        found = _named(_field(Issue, "status_quo"), issue=parts[1], scenario=scenario)
    elif parts[0] == "shocks" and len(parts) >= 4:
        found = _shock_parameter(parts, scenario)
    elif parts[0] in ("protocol", "programme", "state", "war", "interim") and len(parts) == 2:
        models: dict[str, type[BaseModel]] = {
            "protocol": Protocol,
            "programme": Programme,
            "state": State,
            "war": War,
            "interim": Interim,
        }
        model = models[parts[0]]
        found = _named(_field(model, parts[1]), scenario=scenario)
    elif parts[:2] == ["protocol", "deadline_decision"] and len(parts) == 3:
        found = _named(_field(DeadlineDecision, parts[2]), scenario=scenario)
    return found or _unknown(parts, scenario)


def possessive(noun: str) -> str:
    """``Trump's``, ``Rubio and the hardliners'``."""
    return f"{noun}'" if noun.endswith("s") else f"{noun}'s"


def plain_words(token: str) -> str:
    """An identifier as words: ``us_hawks`` -> ``US hawks``, ``israel`` -> ``Israel``."""
    words = [_PROPER.get(w, w) for w in token.split("_")]
    text = " ".join(words)
    return text[0].upper() + text[1:] if text and text[0].islower() else text


class SideNames(dict[str, str]):
    """The names prose gives the negotiating sides, by their principals' ids.

    The baseline's sides are named by their capitals; any other side by its id in words
    (``SIDE_NAMES["north_korea"]`` is ``North korea``).
    """

    def __missing__(self, key: str) -> str:
        return plain_words(key)


SIDE_NAMES = SideNames(us="Washington", iran="Tehran")
"""How explanations, figures and the dashboard name a side, by its principal's id."""


def actor_name(actor_id: str, scenario: Scenario | None = None) -> str:
    """An actor's display name, else its id in words."""
    actor = scenario.actors.get(actor_id) if scenario is not None else None
    if actor is None:
        return plain_words(actor_id)
    return actor.name or actor_id


# ------------------------------------------------------------------------------- paths


def _actor_parameter(parts: list[str], scenario: Scenario | None) -> ParamName | None:
    """``actors.<id>.<field>``, ``.ideal.<issue>``, ``.red_lines.<k>.min``."""
    actor_id, field = parts[1], parts[2]
    model = _actor_kind(actor_id, field, scenario)
    owner = actor_name(actor_id, scenario)
    if field in ("ideal", "salience") and len(parts) == 4:
        return _named(_field(model, field), owner, parts[3], scenario=scenario)
    if field == "red_lines" and len(parts) == 5:
        actor = scenario.actors.get(actor_id) if scenario is not None else None
        lines = actor.red_lines if isinstance(actor, Faction) else ()
        k = int(parts[3]) if parts[3].isdigit() else len(lines)
        issue = lines[k].issue if k < len(lines) else None
        return _named(_field(RedLine, parts[4]), owner, issue, scenario=scenario)
    if len(parts) == 3 and field not in ("ideal", "salience", "red_lines"):
        return _named(_field(model, field), owner, scenario=scenario)
    return None


def _shock_parameter(parts: list[str], scenario: Scenario | None) -> ParamName | None:
    """``shocks.<name>.trigger.hazard`` and ``shocks.<name>.effects.<k>.value``."""
    shock_id = parts[1]
    if parts[2:] == ["trigger", "hazard"]:
        return _named(_field(Trigger, "hazard"), shock=shock_id, scenario=scenario)
    if parts[2:4] == ["trigger", "when"] and len(parts) == 5:
        return _named(_field(StateCondition, parts[4]), shock=shock_id, scenario=scenario)
    shock = scenario.shocks.get(shock_id) if scenario is not None else None
    if shock is None or parts[2] != "effects" or parts[4:] != ["value"]:
        return None
    k = int(parts[3]) if parts[3].isdigit() else len(shock.effects)
    effect = shock.effects[k] if k < len(shock.effects) else None
    if not isinstance(effect, SetParam):
        return None
    target = describe(effect.path, scenario)
    name, unit = SetParam.NAMES[effect.op]
    return ParamName(
        name.format(shock=shock_id, target=target.name),
        target.unit if unit is None else unit,  # a factor is no value on the target's scale
        SetParam.model_fields["value"].description or "",
        target.issue if unit is None else None,
    )


def _actor_kind(actor_id: str, field: str, scenario: Scenario | None) -> type[BaseModel]:
    """An actor's model: its kind, else Principal for ``us``, ``iran``, else the first with it."""
    actor = scenario.actors.get(actor_id) if scenario is not None else None
    if actor is not None:
        return type(actor)
    if actor_id in PRINCIPALS:
        return Principal
    return next((m for m in ACTOR_KINDS if field in m.model_fields), Faction)


def _field(model: type[BaseModel], name: str) -> FieldInfo | None:
    """A field that declares a name and a unit (:func:`sim.scenario.params.term`)."""
    info = model.model_fields.get(name)
    return info if info is not None and declared(info) is not None else None


def declared(info: FieldInfo) -> tuple[str, str] | None:
    """The name and unit a schema field declares, if it declares them."""
    extra: Any = info.json_schema_extra
    if info.title is None or not isinstance(extra, dict) or "unit" not in extra:
        return None
    return info.title, str(extra["unit"])


def _named(
    info: FieldInfo | None,
    owner: str | None = None,
    issue: str | None = None,
    *,
    shock: str | None = None,
    scenario: Scenario | None,
) -> ParamName | None:
    """A field's declared name and unit, filled in for one path.

    ``{actor}``, ``{issue}`` and ``{shock}`` are replaced; an actor's field is prefixed by the
    actor's possessive unless its name places the actor itself.
    """
    terms = declared(info) if info is not None else None
    if info is None or terms is None:
        return None
    template, unit = terms
    words = issue.replace("_", " ") if issue is not None else "its issue"
    name = template.format(actor=owner, issue=words, shock=shock)
    if owner is not None and "{actor}" not in template:
        name = f"{possessive(owner)} {name}"
    on_issue = unit == ON_ISSUE_SCALE
    if on_issue:
        unit = _issue_unit(issue, scenario)
    return ParamName(name, unit, info.description or "", issue if on_issue else None)


def _issue_unit(issue: str | None, scenario: Scenario | None) -> str:
    known = scenario.issues.get(issue) if scenario is not None and issue is not None else None
    return known.unit if known is not None and known.unit else ISSUE_SCALE


def _unknown(parts: list[str], scenario: Scenario | None) -> ParamName:
    """A path the schema does not name: its last part in words, owned by its actor if any."""
    plain = parts[-1].replace("_", " ")
    if parts[0] == "actors" and len(parts) >= 3:
        return ParamName(f"{possessive(actor_name(parts[1], scenario))} {plain}", "", "")
    return ParamName(plain if plain[:1].isupper() else f"the {plain}", "", "")
