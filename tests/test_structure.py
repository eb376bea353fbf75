"""The shape of the house: imports run one way, no module is too long to read (docs/development.md)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import mappa_stats

PACKAGE = Path(mappa_stats.__file__).parent
MAX_LINES = 500


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _imports(path: Path, name: str, known: set[str]) -> set[str]:
    """Every module of the package that this one imports, at the top, inside a function or under
    TYPE_CHECKING alike: `from a import b` counts as a.b when a.b is a module, else as a."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names
            ]
        else:
            continue
        found.update(t for t in targets if t in known and t != name)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(path, name, known) for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle, as the modules in order, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycle_counting_imports_inside_functions() -> None:
    # The package root only hands names on (schema, read); it is the one module allowed to import upward.
    graph = {name: edges - {"mappa_stats"} for name, edges in _graph().items() if name != "mappa_stats"}
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle_made_inside_a_function() -> None:
    graph = _graph()
    graph["mappa_stats.errors"] = graph["mappa_stats.errors"] | {"mappa_stats.cli.main"}
    assert _cycle(graph) is not None


def test_the_walker_sees_imports_inside_functions(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from mappa_stats.io import guard\n    import mappa_stats.numbers\n")
    found = _imports(
        source, "mappa_stats.x", {"mappa_stats.io.guard", "mappa_stats.numbers", "mappa_stats.io"}
    )
    assert found == {"mappa_stats.io.guard", "mappa_stats.numbers"}


def test_no_module_is_over_500_lines() -> None:
    long = {
        str(path.relative_to(PACKAGE)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_rounding_is_written_once() -> None:
    """Half up and half to even are numbers.py's alone: a second copy is how one path came to round
    differently from another."""
    elsewhere = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.name != "numbers.py"
        and any(
            word in path.read_text(encoding="utf-8")
            for word in ("ROUND_HALF", "def half_up", "def half_even", "// 100 * 100", "+ 50) //")
        )
    )
    assert not elsewhere, f"rounding written outside numbers.py: {elsewhere}"


def test_an_areas_population_is_looked_up_in_one_place() -> None:
    """validate's claims and compare's took an area's population aged 10+ from a file each their own way;
    rules/rate.py's aged_10_plus is the one lookup now."""
    lookup = re.compile(r"\.get\([^)]*\)\.aged_10_plus")
    elsewhere = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).as_posix() != "rules/rate.py"
        and lookup.search(path.read_text(encoding="utf-8"))
    )
    assert not elsewhere, f"an area's population looked up outside rules/rate.py: {elsewhere}"


def test_the_population_option_is_defined_once() -> None:
    """--population is cli/options.py's population_option alone, used by every command that takes it."""
    written = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if '"--population"' in path.read_text(encoding="utf-8")
    )
    assert written == ["cli/options.py"]
    users = sorted(
        path.stem
        for path in (PACKAGE / "cli" / "commands").glob("*.py")
        if "@population_option(" in path.read_text(encoding="utf-8")
    )
    assert users == ["combine", "compare", "rate", "signoff", "validate"]
