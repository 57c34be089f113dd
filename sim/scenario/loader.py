"""Load scenario files: safe YAML, ``extends:``, library shocks, dotted-path overrides, checks.

Precedence, lowest to highest (each later layer wins; mappings merge key by key, anything else
is replaced whole):

1. the scenario named by ``extends:`` (itself resolved the same way, recursively), less the
   keys the file's ``remove:`` list names (see below);
2. shocks named in ``include_shocks:``, read from ``shocks/NAME.yaml`` beside the file or, if
   it is not there, beside the scenario the file extends (and so on up the ``extends:`` chain:
   a variant in a user's folder finds the library's shocks);
3. the file's own keys;
4. the file's ``overrides:``, a mapping of dotted paths to values, applied in file order.

``remove:`` is a list of dotted paths of inherited keys to delete before the file's own layers
apply: an actor (``actors.gulf``), a shock (``shocks.e3_snapback``), a side's deadline
(``actors.iran.deadline``) or any other key of a mapping, which then takes its default (list
items cannot be removed one by one: give the list anew). A path that is not in the scenario the
file extends is an error, and so is a file without ``extends:``. A removed key may be given anew
by the file's own keys (the parent's value is then replaced whole, not merged). Whatever still
names a removed actor or shock (a shock's effect, a ratifier, a claim's event, a sweep's path)
is an error that says where it was removed: ``'actors.gulf.strike_restraint' is not a numeric
parameter (actors.gulf was removed by remove: at variant.yaml:3)``.

A fifth loader key, ``sources:``, lists text files the scenario's evidence may quote besides
the seed articles (:mod:`sim.scenario.sources`): paths relative to the file, inside its own
folder tree (no absolute path, no ``..``, no symbolic link leading out), each a UTF-8 text file.
An evidence item (or a claim) names one by its path as declared (``seed: notes/memo.txt``), and
its quote is checked verbatim, whitespace-normalised, exactly as a seed's. Sources are inherited
through ``extends:``, each resolved relative to the file that declared it; a file may not give
an inherited source's name to another file. They do not enter the scenario's hash.

A sixth loader key, ``claims:``, names the file of the scenario's claims (the articles' own
likelihoods, :mod:`sim.scenario.claims`), relative to the scenario file. It is checked with the
scenario but is not part of it: it is not inherited through ``extends:`` (a variant is checked
against claims of its own, or none) and does not enter the scenario's hash. A mapping given to
:func:`load_scenario` has no folder to find the file in, so its ``claims`` key is ignored.

Every override applied is logged (logger ``sim.scenario``), naming the path, the old and the new
value. All problems are gathered into one :class:`ScenarioError`, each naming the file, the field
path and, where the YAML gives it, the line.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from sim.scenario.claims import ClaimsFile, reference_problems
from sim.scenario.evidence import find_seeds_dir, quote_problems
from sim.scenario.overrides import ORIGINS, no_such_parameter, readable
from sim.scenario.schema import Patron, Scenario
from sim.scenario.sources import declared_sources, inherit

log = logging.getLogger("sim.scenario")

LOADER_KEYS = ("extends", "overrides", "include_shocks", "sources", "remove")
MAX_FILE_BYTES = 1_000_000
"""Largest scenario (or sweep) file read, in bytes; baseline.yaml is about 60 KB."""
MAX_NODES = 1_000_000
"""Most YAML nodes a file may hold once every alias is expanded (a "billion laughs" guard)."""
SHORT = 60
"""Length at which an override's old and new values are cut in its log line."""


@dataclass(frozen=True)
class Problem:
    """One problem in a scenario file."""

    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        if self.file in ORIGINS:  # an override: the command line (or caller) is to blame
            return f"{self.file} {self.path}: {self.message}"
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path or '(top level)'}: {self.message}"


class ScenarioError(Exception):
    """A scenario could not be loaded; ``problems`` lists every problem found."""

    label: ClassVar[str] = "invalid scenario"
    """How the command line introduces the problems."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Loaded:
    """A validated scenario, with the merged raw mapping it came from and where each key was."""

    scenario: Scenario
    raw: dict[str, Any]
    source: str
    lines: dict[str, tuple[str, int]] = field(default_factory=dict)
    overrides: list[str] = field(default_factory=list)
    """A line per override applied, the file's and the caller's (``override PATH: old -> new``)."""
    settings: list[str] = field(default_factory=list)
    """The caller's overrides (``--set``) as ``PATH=VALUE``, in order: they label the run."""
    claims: ClaimsFile | None = None
    """The claims the scenario file names (``claims:``), checked; None if it names none."""
    claims_file: Path | None = None
    """The file they were read from."""
    removed: dict[str, str] = field(default_factory=dict)
    """Paths ``remove:`` deleted along the ``extends:`` chain (and not given anew): where each
    was removed (``FILE:LINE``)."""
    sources: dict[str, Path | None] = field(default_factory=dict)
    """The scenario's own sources (``sources:``, inherited ones included): name as declared ->
    file (None: declared, its file not at hand and its quotes not checked again). Its evidence
    and claims may quote them as they quote the seeds."""

    @property
    def sha256(self) -> str:
        """Hash of the merged, canonical scenario (independent of file layout and comments)."""
        return scenario_sha256(self.raw)


def scenario_sha256(raw: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON form of a merged scenario mapping."""
    text = json.dumps(raw, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml if built


class _NoDuplicatesLoader(_SafeBase):  # type: ignore[valid-type,misc]
    """Safe loader that refuses duplicate keys (a silent overwrite is a typo waiting to happen)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    # Check the mapping's own keys before merge keys (``<<: *base``) are flattened in: a key
    # that overrides a merged one is YAML's documented use of merge keys, not a duplicate.
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node)
        try:
            duplicate = key in seen
        except TypeError:  # a list or mapping used as a key
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain name, not a list or mapping", key_node.start_mark
            ) from None
        if duplicate:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    loader.flatten_mapping(node)
    return loader.construct_mapping(node)


NoDuplicatesLoader = _NoDuplicatesLoader
"""The loader of scenario and sweep files, for other YAML text read the same way (``--set``):
safe, duplicate keys refused, an impossible date or a 5,000-digit integer a YAML error."""

_NoDuplicatesLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def _checked(construct: Any) -> Any:
    """A scalar constructor that reports a bad value as a YAML error at its line.

    ``2025-02-30`` or a 5,000-digit integer raise ValueError in PyYAML's constructors: a crash.
    """

    def wrapper(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"cannot read the value {str(node.value)[:40]!r}: {_reason(exc)}",
                node.start_mark,
            ) from None

    return wrapper


def _reason(exc: Exception) -> str:
    """An exception's message without Python's advice on raising its limits."""
    return str(exc).split("; use sys.set_int_max_str_digits", 1)[0]


for _tag in ("int", "float", "timestamp"):
    _full = f"tag:yaml.org,2002:{_tag}"
    _NoDuplicatesLoader.add_constructor(
        _full, _checked(_NoDuplicatesLoader.yaml_constructors[_full])
    )


def _children(node: yaml.Node) -> list[yaml.Node]:
    """The nodes directly under a node (a mapping's keys and values, a sequence's items)."""
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _expanded_size(root: yaml.Node) -> int:
    """Nodes of the tree with every alias expanded, capped at ``MAX_NODES + 1``.

    Computed without expanding anything (each node's size is memoised), without recursion, in
    time linear in the file. A recursive alias (``&a [*a]``) counts once here; the line map
    refuses it, naming its path.
    """
    size: dict[int, int] = {}
    open_nodes: set[int] = set()  # started, not finished: exactly the current node's ancestors
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            total = 1 + sum(size.get(id(child), 1) for child in _children(node))
            size[key] = min(total, MAX_NODES + 1)
            continue
        if key in size or key in open_nodes:
            continue
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(_children(node)))
    return size[id(root)]


def _line_map(
    node: yaml.Node,
    file: str,
    prefix: str = "",
    seen: set[int] | None = None,
    ancestors: tuple[int, ...] = (),
) -> dict[str, tuple[str, int]]:
    """Dotted path -> (file, 1-based line) for every key and item in a composed YAML tree.

    A node reached again through an alias is not walked again: that keeps nested aliases
    ("billion laughs") linear. A recursive alias (``&a [*a]``) is refused.
    """
    seen = set() if seen is None else seen
    seen.add(id(node))
    ancestors = (*ancestors, id(node))
    if isinstance(node, yaml.MappingNode):
        children = [(f"{prefix}{k.value}", k, v) for k, v in node.value]
    elif isinstance(node, yaml.SequenceNode):
        children = [(f"{prefix}{k}", item, item) for k, item in enumerate(node.value)]
    else:
        return {}
    out: dict[str, tuple[str, int]] = {}
    for path, key_node, value_node in children:
        line = key_node.start_mark.line + 1
        out[path] = (file, line)
        if id(value_node) in ancestors:
            raise ScenarioError([Problem(file, path, "recursive YAML alias", line)])
        if id(value_node) not in seen:
            out.update(_line_map(value_node, file, f"{path}.", seen, ancestors))
    return out


def read_limited(path: Path, limit: int, what: str) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (ScenarioError naming it if not).

    A FIFO would block and ``/dev/zero`` never ends, so anything but a regular file is refused
    unread; at most ``limit + 1`` bytes are ever read. ``what`` names what the file should be
    (``a scenario file``) in the messages.
    """
    file = str(path)
    try:
        if path.is_dir():
            raise ScenarioError([Problem(file, "", f"is a directory, not {what}")])
        if path.exists() and not path.is_file():
            message = f"is not a regular file (a FIFO, a socket or a device): not {what}"
            raise ScenarioError([Problem(file, "", message)])
        with path.open("rb") as stream:
            data = stream.read(limit + 1)  # enough to know it is too large
    except FileNotFoundError:
        raise ScenarioError([Problem(file, "", "file not found")]) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        reason = getattr(exc, "strerror", None) or exc
        raise ScenarioError([Problem(file, "", f"cannot read: {reason}")]) from None
    if len(data) > limit:
        raise ScenarioError([Problem(file, "", f"file larger than {limit} bytes: not {what}")])
    return data


def read_yaml(path: Path) -> tuple[dict[str, Any], dict[str, tuple[str, int]]]:
    """Read a YAML mapping safely, with its line map; raise ScenarioError on any problem."""
    file = str(path)
    data = read_limited(path, MAX_FILE_BYTES, "a scenario file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError([Problem(file, "", f"not UTF-8 text ({exc.reason})")]) from None
    loader = _NoDuplicatesLoader(text)
    try:
        node = loader.get_single_node()  # parse once: the node tree gives values and lines
        if node is not None and _expanded_size(node) > MAX_NODES:
            message = (
                f"more than {MAX_NODES:,} YAML nodes once aliases are expanded: "
                "refused (nested aliases multiply; a scenario needs a few thousand)"
            )
            raise ScenarioError([Problem(file, "", message)])
        raw = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError([Problem(file, "", f"YAML error: {problem}", line)]) from None
    except RecursionError:
        raise ScenarioError([Problem(file, "", "YAML error: nested too deeply")]) from None
    finally:
        loader.dispose()
    if raw is None:
        raise ScenarioError([Problem(file, "", "the file is empty")])
    if not isinstance(raw, dict):
        raise ScenarioError([Problem(file, "", "the top level must be a mapping of keys")])
    return raw, _line_map(node, file) if node is not None else {}


def deep_merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``top`` into a copy of ``base``: mappings merge key by key, other values replace."""
    out = copy.deepcopy(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def get_path(raw: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of a raw scenario mapping (KeyError if absent)."""
    node: Any = raw
    for part in path.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            raise KeyError(path)
    return node


def set_path(raw: dict[str, Any], path: str, value: Any) -> Any:
    """Set the value at a dotted path (its parent must exist); return the previous value or None."""
    parts = path.split(".")
    parent = get_path(raw, ".".join(parts[:-1])) if len(parts) > 1 else raw
    last = parts[-1]
    if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        old, parent[int(last)] = parent[int(last)], value
        return old
    if isinstance(parent, dict):
        old = parent.get(last)
        parent[last] = value
        return old
    raise KeyError(path)


@dataclass
class _Resolved:
    """One file's layers merged.

    The raw mapping, its line map, the overrides applied, the shock folders searched,
    nearest first (``shocks/`` beside the file, then up its ``extends:`` chain), the
    sources declared along the chain and the paths ``remove:`` deleted (``FILE:LINE`` each).
    """

    raw: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, tuple[str, int]] = field(default_factory=dict)
    applied: list[str] = field(default_factory=list)
    shock_dirs: tuple[Path, ...] = ()
    sources: dict[str, Path | None] = field(default_factory=dict)
    removed: dict[str, str] = field(default_factory=dict)


def _resolve(path: Path, chain: tuple[Path, ...]) -> _Resolved:
    """Resolve one file's layers (see the module docstring) into a merged raw mapping."""
    raw, lines = read_yaml(path)
    file = str(path)
    raw.pop("claims", None)  # never inherited: load_scenario reads the top file's own
    base = _parent(path, raw.pop("extends", None), chain, lines)
    merged, merged_lines, applied = base.raw, base.lines, base.applied
    shock_dirs = _unique((path.parent / "shocks", *base.shock_dirs))
    own, bad = declared_sources(path.parent, raw.pop("sources", None))
    sources, clashes = inherit(base.sources, own)
    problems = [problem_at(file, where, message, lines) for where, message in bad + clashes]
    removed = dict(base.removed)
    if "remove" in raw:
        gone, problems_removing = _remove(file, raw.pop("remove"), base, lines)
        removed.update(gone)
        problems.extend(problems_removing)

    includes = raw.pop("include_shocks", None) or []
    if not isinstance(includes, list) or not all(isinstance(n, str) for n in includes):
        raise ScenarioError(
            [problem_at(file, "include_shocks", "must be a list of shock names", lines)]
        )
    merged, missing = _include_shocks(file, includes, shock_dirs, lines, merged, merged_lines)
    problems.extend(missing.values())

    overrides = raw.pop("overrides", None) or {}
    if not isinstance(overrides, dict):
        raise ScenarioError(
            [problem_at(file, "overrides", "must map dotted paths to values", lines)]
        )
    merged = deep_merge(merged, raw)
    merged_lines.update(lines)
    for key, value in overrides.items():
        try:
            old = set_path(merged, str(key), copy.deepcopy(value))
        except KeyError:
            if str(key).split(".")[:2] not in (["shocks", m] for m in missing):  # knock-on
                message = f"no such path '{key}'"
                problems.append(problem_at(file, f"overrides.{key}", message, lines))
            continue
        for stale in [p for p in merged_lines if p.startswith(f"{key}.")]:
            del merged_lines[stale]  # the replaced value's lines are the override's now
        merged_lines[str(key)] = lines.get(f"overrides.{key}", (file, 0))
        note = f"{file}: override {key}: {_told(old)} -> {_told(value)}"
        log.info(note)
        applied.append(note)
    if problems:
        raise ScenarioError(problems)
    return _Resolved(merged, merged_lines, applied, shock_dirs, sources, removed)


def _parent(
    path: Path, parent: Any, chain: tuple[Path, ...], lines: Mapping[str, tuple[str, int]]
) -> _Resolved:
    """The scenario a file extends, resolved (an empty one if it extends none)."""
    if parent is None:
        return _Resolved()
    file, real = str(path), path.resolve()
    if not isinstance(parent, str) or not parent:
        raise ScenarioError([problem_at(file, "extends", "must be a file name", lines)])
    target = path.parent / parent
    if target.resolve() in (*chain, real):
        cycle = " -> ".join(str(p) for p in (*chain, real, target.resolve()))
        raise ScenarioError([problem_at(file, "extends", f"circular extends: {cycle}", lines)])
    if not target.is_file():
        raise ScenarioError([problem_at(file, "extends", f"no scenario file {target}", lines)])
    return _resolve(target, (*chain, real))


def _remove(
    file: str,
    entries: Any,
    base: _Resolved,
    lines: Mapping[str, tuple[str, int]],
) -> tuple[dict[str, str], list[Problem]]:
    """Delete the inherited keys a file's ``remove:`` names from ``base`` (its raw and lines).

    Returns where each path was removed (``FILE:LINE``, for the messages of what still names
    it) and a problem for each entry that names nothing inherited.
    """
    if not base.raw:
        return {}, [problem_at(file, "remove", "needs extends: (nothing is inherited)", lines)]
    if not isinstance(entries, list):
        message = "must be a list of dotted paths (actors.ID, shocks.NAME, actors.ID.deadline)"
        return {}, [problem_at(file, "remove", message, lines)]
    gone: dict[str, str] = {}
    problems = []
    for k, entry in enumerate(entries):
        where, line = lines.get(f"remove.{k}", (file, 0))
        reason = _removal_problem(base.raw, entry)
        if reason is not None:
            problems.append(problem_at(file, f"remove.{k}", reason, lines))
            continue
        *parent, last = str(entry).split(".")
        del (get_path(base.raw, ".".join(parent)) if parent else base.raw)[last]
        for key in [p for p in base.lines if p == entry or p.startswith(f"{entry}.")]:
            del base.lines[key]
        gone[str(entry)] = f"{where}:{line}" if line else where
    return gone, problems


def _removal_problem(raw: Mapping[str, Any], entry: Any) -> str | None:
    """Why ``remove:`` cannot delete ``entry`` from the inherited mapping ``raw``, or None."""
    if not isinstance(entry, str) or not entry:
        return "must be a dotted path such as actors.ID, shocks.NAME or actors.ID.deadline"
    *parent, last = entry.split(".")
    try:
        holder = get_path(raw, ".".join(parent)) if parent else raw
    except KeyError:
        holder = None
    if isinstance(holder, list):
        return f"'{entry}' is an item of a list: give the whole list anew instead of removing it"
    if not isinstance(holder, dict) or last not in holder:
        return f"'{entry}' is not in the scenario this file extends: nothing to remove"
    return None


def _include_shocks(
    file: str,
    includes: list[str],
    shock_dirs: tuple[Path, ...],
    lines: Mapping[str, tuple[str, int]],
    merged: dict[str, Any],
    merged_lines: dict[str, tuple[str, int]],
) -> tuple[dict[str, Any], dict[str, Problem]]:
    """Merge the library shocks named by ``include_shocks:`` (updating ``merged_lines``).

    Returns the merged mapping and, by name, a problem for each shock found in no folder.
    """
    missing: dict[str, Problem] = {}
    for k, name in enumerate(includes):
        lib = find_shock(name, shock_dirs)
        if lib is None:
            searched = ", ".join(f"{d}/" for d in shock_dirs)
            message = f"no shock file {name}.yaml in {searched}"
            missing[name] = problem_at(file, f"include_shocks.{k}", message, lines)
            continue
        shock, shock_lines = read_yaml(lib)
        merged = deep_merge(merged, {"shocks": {name: shock}})
        merged_lines.update({f"shocks.{name}.{p}": fl for p, fl in shock_lines.items()})
    return merged, missing


def find_shock(name: str, folders: tuple[Path, ...]) -> Path | None:
    """The first ``FOLDER/NAME.yaml`` that is a file, in the order of ``folders``, or None.

    A name holding a path separator, or ``..``, is not a library shock's name: None.
    """
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    return next((d / f"{name}.yaml" for d in folders if (d / f"{name}.yaml").is_file()), None)


def _unique(folders: tuple[Path, ...]) -> tuple[Path, ...]:
    """The folders without repeats (the same folder reached twice up a chain), in order."""
    seen: set[Path] = set()
    out = []
    for d in folders:
        key = d.resolve()
        if key not in seen:
            seen.add(key)
            out.append(d)
    return tuple(out)


def _told(value: Any) -> str:
    """An override's value in a log line (:func:`sim.scenario.overrides.readable`)."""
    return readable(value, _short)


def _short(value: Any, limit: int = SHORT) -> str:
    """``value`` as JSON, cut to ``limit`` characters ("..." at the end when cut).

    Only as much of the value is walked as the cut shows: a value built of nested YAML aliases
    (a billion laughs) costs no more than a small one.
    """
    parts: list[str] = []
    length = 0
    for piece in _json_pieces(value, limit):
        parts.append(piece)
        length += len(piece)
        if length > limit:
            break
    text = "".join(parts)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _json_pieces(value: Any, limit: int) -> Iterator[str]:
    """The JSON text of ``value`` (as ``json.dumps`` writes it) in pieces, lazily."""
    if isinstance(value, Mapping):
        yield "{"
        for k, (key, item) in enumerate(value.items()):
            yield (", " if k else "") + json.dumps(str(key)[:limit]) + ": "
            yield from _json_pieces(item, limit)
        yield "}"
    elif isinstance(value, list | tuple):
        yield "["
        for k, item in enumerate(value):
            if k:
                yield ", "
            yield from _json_pieces(item, limit)
        yield "]"
    elif isinstance(value, str):
        yield json.dumps(value[: limit + 1])
    elif value is None or isinstance(value, bool | int | float):
        yield json.dumps(value)
    else:  # dates and anything else YAML may give
        yield json.dumps(str(value)[: limit + 1])


def problem_at(file: str, path: str, message: str, lines: Mapping[str, tuple[str, int]]) -> Problem:
    """A problem at ``path``, at its line or else its nearest ancestor's (a missing field)."""
    parts = path.split(".")
    where = next(
        (lines[p] for p in (".".join(parts[:k]) for k in range(len(parts), 0, -1)) if p in lines),
        None,
    )
    return Problem(where[0] if where else file, path, message, where[1] if where else None)


def load_scenario(
    source: str | Path | Mapping[str, Any],
    overrides: Mapping[str, Any] | None = None,
    *,
    origin: str = "overrides",
    sources: Mapping[str, Path | None] | None = None,
) -> Loaded:
    """Load and validate a scenario from a file path or a mapping, applying extra overrides.

    A mapping taken from a loaded scenario (its ``raw``) has no ``sources:`` of its own: give
    the loaded scenario's ``sources`` (a name mapped to None is declared but not checked again,
    as when a run is reproduced from its summary alone). A file's own ``sources:`` are used.

    A problem at or under an override's path is the override's, said to come from ``origin``
    (``--set`` on the command line), not from the line of the file it replaced; a path that
    names no field gets the closest paths the scenario has.

    Raises:
        ScenarioError: with every problem found, each naming the file, field path and line.
    """
    resolved = _Resolved()
    if isinstance(source, Mapping):
        resolved.raw, file = copy.deepcopy(dict(source)), "<mapping>"
        resolved.sources = dict(sources or {})
        if resolved.raw.pop("claims", None) is not None:  # a file name; a mapping has no folder
            log.info("<mapping>: claims: ignored (claims are read from scenario files only)")
        for key in LOADER_KEYS:
            if key in resolved.raw:
                raise ScenarioError([Problem(file, key, "only scenario files may use this key")])
    else:
        resolved, file = _resolve(Path(source), ()), str(source)
    raw, lines = resolved.raw, resolved.lines
    before = copy.deepcopy(raw) if overrides else raw
    settings = _apply_overrides(raw, lines, overrides or {}, origin, resolved.applied)
    removed = {p: at for p, at in resolved.removed.items() if not _present(raw, p)}
    try:
        loaded = _validated(source, resolved, file, before)
    except ScenarioError as exc:
        raise ScenarioError([with_removal(p, removed) for p in exc.problems]) from None
    loaded.settings, loaded.removed = settings, removed
    return loaded


def _validated(
    source: str | Path | Mapping[str, Any], resolved: _Resolved, file: str, before: Any
) -> Loaded:
    """Validate a resolved scenario: its schema, its quotes and its claims file, if it names one.

    ``before`` is the raw mapping before the caller's overrides (for their messages).
    """
    raw, lines, sources = resolved.raw, resolved.lines, resolved.sources
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        problems = validation_problems(exc, raw, file, lines)
        raise ScenarioError([_unknown_override(p, before) for p in problems]) from None
    seeds = find_seeds_dir(None if isinstance(source, Mapping) else Path(source))
    bad = quote_problems(scenario, seeds, sources)
    if bad:
        raise ScenarioError([problem_at(file, path, message, lines) for path, message in bad])
    loaded = Loaded(scenario, raw, file, lines, resolved.applied, sources=sources)
    if not isinstance(source, Mapping):
        loaded.claims_file = claims_path(Path(source))
        if loaded.claims_file is not None:
            loaded.claims = load_claims(loaded.claims_file, scenario, sources)
    return loaded


def _present(raw: Mapping[str, Any], path: str) -> bool:
    """Whether a dotted path holds a value (a path ``remove:`` deleted may be given anew)."""
    try:
        get_path(raw, path)
    except KeyError:
        return False
    return True


def with_removal(problem: Problem, removed: Mapping[str, str]) -> Problem:
    """A problem that names what ``remove:`` deleted, saying where it was removed.

    The message names it by its path (``'actors.saudi_arabia.lobbying_damping'``) or, for an
    actor or a shock, by its id in quotes (``the scenario has no shock 'e3_snapback'``).
    """
    for path, where in removed.items():
        parts = path.split(".")
        named = f"'{path}'" in problem.message or f"'{path}." in problem.message
        if named or (len(parts) == 2 and f"'{parts[1]}'" in problem.message):
            note = f" ({path} was removed by remove: at {where})"
            return replace(problem, message=problem.message + note)
    return problem


def claims_path(path: Path) -> Path | None:
    """The claims file a scenario file names with ``claims:`` (its own key only), or None."""
    raw, lines = read_yaml(path)
    name = raw.get("claims")
    if name is None:
        return None
    if not isinstance(name, str) or not name:
        raise ScenarioError([problem_at(str(path), "claims", "must be a file name", lines)])
    target = path.parent / name
    if not target.is_file():
        raise ScenarioError([problem_at(str(path), "claims", f"no claims file {target}", lines)])
    return target


def load_claims(
    path: Path, scenario: Scenario, sources: Mapping[str, Path | None] | None = None
) -> ClaimsFile:
    """Read and check a claims file (:mod:`sim.scenario.claims`) for ``scenario``.

    Checks the schema, every quote verbatim in the seeds or the scenario's ``sources`` (as
    evidence is checked), that each
    variant file exists and that each ``shock:NAME`` event names a shock of the scenario (each
    ``mediation:``/``distance:NAME`` a patron).

    Raises:
        ScenarioError: every problem, each naming the claims file, the field and the line.
    """
    raw, lines = read_yaml(path)
    file = str(path)
    try:
        claims = ClaimsFile.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(validation_problems(exc, raw, file, lines)) from None
    found: list[tuple[str, str]] = []
    found += quote_problems(claims, find_seeds_dir(path), sources)
    shocks = tuple(f"shock:{name}" for name in scenario.shocks)
    patrons = [aid for aid, a in scenario.actors.items() if isinstance(a, Patron)]
    shocks += tuple(f"{kind}:{aid}" for aid in patrons for kind in ("mediation", "distance"))
    found += reference_problems(claims, path.parent, shocks, tuple(scenario.issues))
    if found:
        raise ScenarioError([problem_at(file, p, m, lines) for p, m in found])
    return claims


def _apply_overrides(
    raw: dict[str, Any],
    lines: dict[str, tuple[str, int]],
    overrides: Mapping[str, Any],
    origin: str,
    applied: list[str],
) -> list[str]:
    """Set each override in ``raw`` (its problems filed under ``origin``); ``PATH=VALUE`` each."""
    settings = []
    for key, value in overrides.items():
        try:
            old = set_path(raw, key, copy.deepcopy(value))
        except KeyError:
            raise ScenarioError([Problem(origin, key, no_such_parameter(key, raw))]) from None
        lines[key] = (origin, 0)
        note = f"override {key}: {_told(old)} -> {_told(value)}"
        log.info(note)
        applied.append(note)
        settings.append(f"{key}={_told(value)}")
    return settings


def _unknown_override(problem: Problem, raw: Mapping[str, Any]) -> Problem:
    """An override's unknown field said as ``no such parameter; did you mean ...?``."""
    if problem.file in ORIGINS and problem.message.startswith("unknown field"):
        return Problem(problem.file, problem.path, no_such_parameter(problem.path, raw))
    return problem


def validation_problems(
    exc: ValidationError,
    raw: Mapping[str, Any],
    file: str,
    lines: Mapping[str, tuple[str, int]],
    *,
    nested: str = "references",
    docs: str = "docs/scenario.md",
    reword: Callable[[ErrorDetails, str, str], str] | None = None,
) -> list[Problem]:
    """Every problem of a pydantic validation error, each at its field's line, without repeats.

    An error of type ``nested`` carries a list of ``"path: message"`` problems of its own (the
    cross-references a model validator checks); an unknown field points to ``docs``;
    ``reword(error, path, message)``, if given, may rephrase any other message.
    """
    out: list[Problem] = []
    for err in exc.errors(include_url=False):
        if err["type"] == nested:
            for text in err["ctx"]["problems"]:
                path, _, message = text.partition(": ")
                out.append(problem_at(file, path, message, lines))
            continue
        path = data_path(raw, err["loc"], err["type"])
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = f"unknown field (check the spelling; see {docs})"
        elif reword is not None:
            message = reword(err, path, message)
        out.append(problem_at(file, path, message, lines))
    return dedupe(out)


def dedupe(problems: list[Problem]) -> list[Problem]:
    """The problems without repeats, in order."""
    seen: set[str] = set()
    return [p for p in problems if not (str(p) in seen or seen.add(str(p)))]  # type: ignore[func-returns-value]


def data_path(raw: Any, loc: tuple[Any, ...], kind: str) -> str:
    """Keep the parts of a pydantic error location that are keys of the data (drop union tags)."""
    parts: list[str] = []
    node = raw
    for k, item in enumerate(loc):
        if (isinstance(node, Mapping) and item in node) or (
            isinstance(node, list) and isinstance(item, int) and item < len(node)
        ):
            node = node[item]
            parts.append(str(item))
        elif k == len(loc) - 1 and kind in ("missing", "extra_forbidden"):
            parts.append(str(item))
    return ".".join(parts)
