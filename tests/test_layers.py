"""The layer rules of DESIGN.md ("Dependency direction") as tests, three ways.

1. Static: the import-linter contracts in pyproject.toml ([tool.importlinter]). grimp reads
   every import statement, function-local (lazy) ones included, so a lazy `import textual`
   in a source breaks a contract as a top-level one does; imports under `if TYPE_CHECKING:`
   are left out (they never run).
2. Cycles: no two cockpit modules import each other, directly or through a chain (same graph,
   lazy imports included, TYPE_CHECKING ones not). Known cycles are listed, one by one.
3. Runtime: what importing the journal, the sources and the controller really loads:
   Textual never, Rich only where a dependency loads it on its own (see ALLOWED_LOADERS).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import deque
from itertools import pairwise
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]

# Import cycles that exist today, each as its exact set of modules: a new cycle, or a known
# one that grows by a module, fails; so does an entry here once its cycle is gone.
KNOWN_CYCLES: dict[frozenset[str], str] = {}

# Modules whose import the runtime check makes (every cockpit.sources.* module is added).
NO_UI_MODULES = (
    "cockpit.journal.store",
    "cockpit.journal.export",
    "cockpit.incident",
    "cockpit.actions",
)

# The only modules allowed to import a UI package while the modules above load. httpx's
# __init__ imports its command-line entry point (httpx._main, which uses Rich) whenever Rich
# is installed: a dependency's own doing, not ours, and it never brings Textual.
ALLOWED_LOADERS: dict[str, frozenset[str]] = {
    "rich": frozenset({"httpx._main"}),
    "textual": frozenset(),
}


def _env() -> dict[str, str]:
    """This checkout first on the path, whatever the venv's editable install points at."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


# -- 1. static: import-linter ---------------------------------------------------------------


def test_import_contracts_are_kept() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports_command;"
            " sys.exit(lint_imports_command())",
            "--no-cache",
            "--no-logo",
        ],
        cwd=ROOT,  # it reads [tool.importlinter] from ./pyproject.toml
        env={**_env(), "COLUMNS": "200"},  # one line per contract and per chain link
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, (
        "import contracts broken (pyproject.toml [tool.importlinter], DESIGN.md"
        f" 'Dependency direction'):\n{result.stdout}\n{result.stderr}"
    )


# -- 2. cycles --------------------------------------------------------------------------------


def _strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; components of more than one module only."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work: list[tuple[str, list[str]]] = [(root, sorted(edges[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, todo = work[-1]
            if todo:
                nxt = todo.pop()
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(edges[nxt])))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _shortest_cycle(start: str, members: set[str], edges: dict[str, set[str]]) -> list[str]:
    """start -> ... -> start, inside one component, fewest steps."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in sorted(edges[node] & members):
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [start, *reversed(path[:-1]), start]
            if nxt not in came_from:
                came_from[nxt] = node
                queue.append(nxt)
    raise AssertionError(f"no cycle through {start}")  # pragma: no cover


def _describe(graph: grimp.ImportGraph, cycle: list[str]) -> str:
    lines = []
    for importer, imported in pairwise(cycle):
        details = graph.get_import_details(importer=importer, imported=imported)
        where = "; ".join(f"line {d['line_number']}: {d['line_contents']}" for d in details)
        lines.append(f"  {importer} -> {imported}   [{where}]")
    return "\n".join(lines)


def test_no_import_cycles() -> None:
    graph = grimp.build_graph("cockpit", exclude_type_checking_imports=True)
    edges = {
        module: {m for m in graph.find_modules_directly_imported_by(module) if m in graph.modules}
        for module in graph.modules
    }
    components = {frozenset(c) for c in _strongly_connected(edges)}

    new = sorted(sorted(c) for c in components - KNOWN_CYCLES.keys())
    report = [
        f"import cycle between {len(c)} modules:\n"
        + _describe(graph, _shortest_cycle(c[0], set(c), edges))
        for c in new
    ]
    assert not report, (
        "modules that import each other (a lower module must not import a higher one; move"
        " the shared piece down or pass it in):\n" + "\n".join(report)
    )
    gone = [name for cycle, name in KNOWN_CYCLES.items() if cycle not in components]
    assert not gone, f"known cycles no longer there, drop them from KNOWN_CYCLES: {gone}"


# -- 3. runtime: what an import really loads -----------------------------------------------------

_PROBE = r"""
import builtins, importlib, json, pkgutil, sys

WATCHED = ("rich", "textual")
# (package, importer, import chain innermost first), seen two ways: every import statement
# naming a watched package (even once it is loaded), and its first load however it happens
# (importlib.import_module included)
loads = []
real_import = builtins.__import__


def chain():
    names, frame = [], sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        name = frame.f_globals.get("__name__", "?")
        if name == "__main__":
            name = "(this probe)"
        skip = code in PROBE_CODES or code.co_filename.startswith("<frozen")
        if not skip and (not names or names[-1] != name):
            names.append(name)
        frame = frame.f_back
    return names


def watching_import(name, globals=None, locals=None, fromlist=(), level=0):
    importer = (globals or {}).get("__name__", "?")
    top = name.partition(".")[0]
    if level == 0 and top in WATCHED and importer.partition(".")[0] not in WATCHED:
        loads.append((top, importer, chain()))
    return real_import(name, globals, locals, fromlist, level)


class FirstLoad:
    def find_spec(self, name, path=None, target=None):
        if name in WATCHED:
            names = chain()
            loads.append((name, next((n for n in names if n != "importlib"), "?"), names))
        return None


PROBE_CODES = {chain.__code__, watching_import.__code__, FirstLoad.find_spec.__code__}
builtins.__import__ = watching_import
sys.meta_path.insert(0, FirstLoad())
modules = list(json.loads(sys.argv[1]))
import cockpit.sources
sources = pkgutil.walk_packages(cockpit.sources.__path__, "cockpit.sources.")
modules += sorted(m.name for m in sources)
for module in modules:
    importlib.import_module(module)
builtins.__import__ = real_import
print(json.dumps({
    "imported": modules,
    "cockpit_file": sys.modules["cockpit"].__file__,
    "loaded": sorted(p for p in WATCHED if p in sys.modules),
    "loads": loads,
}))
"""


def test_journal_sources_and_controller_load_no_ui() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(NO_UI_MODULES)],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout)
    assert Path(probe["cockpit_file"]).parent == ROOT / "cockpit"
    assert "cockpit.sources.prometheus" in probe["imported"]

    offending = dict.fromkeys(  # the same load can be seen by both hooks
        f"{package} imported by {importer}; import chain (innermost first):\n    "
        + "\n    ".join(chain)
        for package, importer, chain in probe["loads"]
        if importer not in ALLOWED_LOADERS[package]
    )
    assert not offending, "the journal/sources/controller load a UI package:\n" + "\n".join(
        offending
    )
    assert "textual" not in probe["loaded"], probe["loads"]  # loaded unseen: the probe is wrong
