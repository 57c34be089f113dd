"""A scenario's own sources: text files beside it that its evidence may quote (``sources:``).

A scenario file may list, under the loader key ``sources:``, paths of UTF-8 text files relative
to its own folder. Evidence (and claims) then quote them as they quote the seed articles: an
evidence item names the source by the path as the file declared it (``seed: notes/memo.txt``),
and its quote must be found verbatim (whitespace-normalised) in that file. A source must lie in
the declaring file's own folder tree: no absolute path, no ``..`` and no symbolic link leading
out of it. A scenario that ``extends:`` another inherits the other's sources, each resolved
relative to the file that declared it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import Any

MAX_SOURCE_BYTES = 5_000_000
"""Largest source file read, in bytes (a seed article is about 12 KB)."""


Declared = list[tuple[int, str, Path]]
"""A file's sources: ``(index in its list, name as declared, file)`` each."""


def declared_sources(folder: Path, value: Any) -> tuple[Declared, list[tuple[str, str]]]:
    """The sources one file declares and the ``(field path, message)`` of each bad entry.

    Args:
        folder: the folder of the declaring scenario file; every source must lie inside it.
        value: the file's ``sources:`` value, as read (a list of relative paths).
    """
    if value is None:
        return [], []
    if not isinstance(value, list):
        return [], [("sources", "must be a list of file paths relative to the scenario file")]
    found: Declared = []
    problems: list[tuple[str, str]] = []
    for k, name in enumerate(value):
        target, problem = source_file(folder, name)
        if problem is not None:
            problems.append((f"sources.{k}", problem))
        elif any(name == seen for _, seen, _ in found):
            problems.append((f"sources.{k}", f"'{name}' is listed twice"))
        else:
            assert target is not None
            found.append((k, str(name), target))
    return found, problems


def source_file(folder: Path, name: Any) -> tuple[Path | None, str | None]:
    """The file a ``sources:`` entry names, or the reason it cannot be a source."""
    if not isinstance(name, str) or not name.strip():
        return None, "must be a file path relative to the scenario file"
    if "\0" in name:
        return None, "a file path may not hold a NUL character"
    parts = PurePath(name)
    if parts.is_absolute():
        return None, f"'{name}' is an absolute path: give a path relative to {folder}"
    if ".." in parts.parts:
        return None, f"'{name}' leaves the scenario's folder ('..'): sources lie inside {folder}"
    target = folder / name
    home = folder.resolve()
    if not target.resolve().is_relative_to(home):
        return None, f"'{name}' leads out of {folder} through a symbolic link"
    return target, _unreadable(target)


def _unreadable(target: Path) -> str | None:
    """Why ``target`` is not a readable UTF-8 text file of at most MAX_SOURCE_BYTES, or None."""
    if not target.exists():
        return f"no source file {target}"
    if not target.is_file():
        return f"{target} is not a regular file"
    try:
        size = target.stat().st_size
        if size > MAX_SOURCE_BYTES:
            return f"{target} is larger than {MAX_SOURCE_BYTES} bytes"
        target.read_bytes().decode("utf-8")
    except OSError as exc:
        return f"cannot read {target}: {exc.strerror or exc}"
    except UnicodeDecodeError as exc:
        return f"{target} is not UTF-8 text ({exc.reason})"
    return None


def inherit(
    base: Mapping[str, Path | None], own: Declared
) -> tuple[dict[str, Path | None], list[tuple[str, str]]]:
    """The inherited sources with a file's own added; a name given to two files is a problem."""
    merged = dict(base)
    problems = []
    for k, name, target in own:
        known = merged.get(name)
        if name in merged and (known is None or known.resolve() != target.resolve()):
            problems.append(
                (
                    f"sources.{k}",
                    f"'{name}' already names {merged[name]}, a source of the scenario this file "
                    "extends: give this one another path",
                )
            )
        merged[name] = target
    return merged, problems
