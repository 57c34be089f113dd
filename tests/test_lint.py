"""Lint checks of the code base that ruff cannot make: no unsafe calls, servers on localhost.

Each check walks the syntax tree of every module of the package and the scripts, and is itself
tested on snippets that it must flag and snippets that it must pass.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


# --- no unsafe calls -------------------------------------------------------------------------

# Calls that run code or deserialise objects from data, or run a shell.
UNSAFE_NAMES = {"eval", "exec", "compile", "__import__"}
UNSAFE_MODULES = {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "cloudpickle"}
UNSAFE_ATTRIBUTES = {
    ("os", "system"),
    ("os", "popen"),
    ("yaml", "unsafe_load"),
    ("yaml", "unsafe_load_all"),
    ("yaml", "full_load"),
    ("yaml", "full_load_all"),
    ("yaml", "Loader"),
    ("yaml", "FullLoader"),
    ("yaml", "UnsafeLoader"),
    ("yaml", "CLoader"),
    ("yaml", "CFullLoader"),
    ("yaml", "CUnsafeLoader"),
}
UNSAFE_METHODS = {"read_pickle", "to_pickle"}


def unsafe_uses(source: str, file: str = "<source>") -> list[str]:
    """Each unsafe call or import in Python source, as ``file:line: what``."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source, file)):
        what = _unsafe(node)
        if what:
            found.append(f"{file}:{getattr(node, 'lineno', 0)}: {what}")
    return found


def _unsafe(node: ast.AST) -> str | None:
    """What is unsafe about one AST node, or None."""
    if isinstance(node, ast.Import | ast.ImportFrom):
        names = [a.name for a in node.names] + (
            [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
        )
        bad = [n for n in names if n.split(".")[0] in UNSAFE_MODULES]
        return f"imports {bad[0]}" if bad else None
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        if (node.value.id, node.attr) in UNSAFE_ATTRIBUTES or node.attr in UNSAFE_METHODS:
            return f"uses {node.value.id}.{node.attr}"
        if node.value.id == "os" and node.attr.startswith(("exec", "spawn")):
            return f"uses os.{node.attr}"
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if isinstance(func, ast.Name) and func.id in UNSAFE_NAMES:
        return f"calls {func.id}()"
    keywords = {k.arg: k.value for k in node.keywords}
    shell = keywords.get("shell")
    if shell is not None and not (isinstance(shell, ast.Constant) and shell.value is False):
        return "runs a shell (shell=...)"
    if isinstance(func, ast.Attribute) and func.attr in ("load", "load_all"):
        owner = func.value.id if isinstance(func.value, ast.Name) else ""
        loader = keywords.get("Loader", node.args[1] if len(node.args) > 1 else None)
        if owner == "yaml" and "Safe" not in ast.unparse(loader or ast.Constant(None)):
            return "calls yaml.load without a safe loader"
        if owner == "np" and _is_true(keywords.get("allow_pickle")):
            return "calls np.load(allow_pickle=True)"
    return None


def _is_true(node: ast.AST | None) -> bool:
    return node is not None and not (isinstance(node, ast.Constant) and not node.value)


def python_files() -> list[Path]:
    """Every Python module of the package and the scripts."""
    return sorted([*(ROOT / "sim").rglob("*.py"), *(ROOT / "scripts").rglob("*.py")])


@pytest.mark.parametrize(
    "snippet",
    [
        "eval(text)",
        "exec(code)",
        "import pickle",
        "from pickle import loads",
        "import marshal",
        "os.system('ls')",
        "os.popen('ls')",
        "os.execv('/bin/sh', [])",
        "subprocess.run(cmd, shell=True)",
        "subprocess.Popen(cmd, shell=flag)",
        "yaml.load(text)",
        "yaml.load(text, Loader=yaml.Loader)",
        "yaml.load(text, yaml.FullLoader)",
        "yaml.unsafe_load(text)",
        "yaml.full_load(text)",
        "pd.read_pickle(path)",
        "frame.to_pickle(path)",
        "np.load(path, allow_pickle=True)",
    ],
)
def test_the_unsafe_call_check_finds_each_kind(snippet: str) -> None:
    assert unsafe_uses(snippet), snippet


@pytest.mark.parametrize(
    "snippet",
    [
        "yaml.safe_load(text)",
        "yaml.load(text, Loader=yaml.SafeLoader)",
        "yaml.load(text, Loader=yaml.CSafeLoader)",
        "subprocess.run(['git', 'rev-parse', 'HEAD'], check=False)",
        "subprocess.run(cmd, shell=False)",
        "np.load(path)",
        "json.loads(text)",
    ],
)
def test_the_unsafe_call_check_passes_safe_calls(snippet: str) -> None:
    assert not unsafe_uses(snippet), snippet


def test_no_module_uses_eval_pickle_unsafe_yaml_or_a_shell() -> None:
    files = python_files()
    assert len(files) > 20
    found = [
        hit
        for file in files
        for hit in unsafe_uses(file.read_text(encoding="utf-8"), str(file.relative_to(ROOT)))
    ]
    assert not found, "\n".join(found)


# --- servers listen on this machine only ------------------------------------------------------
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def public_hosts(source: str) -> list[str]:
    """String literals a server is told to listen on that are not local (``host=``, a
    ``--host`` option's default)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        keywords = {k.arg: k.value for k in node.keywords}
        hosts = [keywords.get("host")]
        if node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value == "--host":
            hosts.append(keywords.get("default"))
        found += [
            h.value
            for h in hosts
            if isinstance(h, ast.Constant) and isinstance(h.value, str)
            if h.value not in LOCAL_HOSTS
        ]
    return found


def test_servers_listen_on_127_0_0_1_unless_told_otherwise() -> None:
    assert public_hosts('add_argument("--host", default="0.0.0.0")') == ["0.0.0.0"]
    assert public_hosts('LocalCluster(host="")') == [""]
    assert public_hosts('add_argument("--host", default="127.0.0.1")') == []
    found = {str(f): public_hosts(f.read_text(encoding="utf-8")) for f in python_files()}
    assert not {f: hosts for f, hosts in found.items() if hosts}


def test_docstrings_cite_the_repository_docs_not_the_design_brief():
    """MODEL.md is the design brief outside the repository: cite docs/model.md sections instead."""
    sim_dir = Path(__file__).resolve().parents[1] / "sim"
    citing = [str(p) for p in sorted(sim_dir.rglob("*.py")) if "MODEL.md" in p.read_text("utf-8")]
    assert citing == []
