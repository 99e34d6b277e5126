"""The import graph keeps the layers of /work/shared/ARCHITECTURE.md: no cycle among asynclint's
modules, and a module imports only from its own layer or the layers below it.

A small ast-based check rather than import-linter or grimp: it needs no dependency, it counts
imports inside functions (a deferred import still makes a cycle; it only hides it from Python)
and skips `if TYPE_CHECKING:` blocks (annotations only, never run), and it names the import that
breaks a rule by file and line.
"""

import ast
import os

from conftest import ROOT

# Top to bottom; a module may import from its own layer (without a cycle) and any layer below.
# A module belongs to the first layer with a prefix that is the module or one of its packages.
LAYERS = {
    "doors": ("asynclint", "asynclint.__main__", "asynclint.cli", "asynclint.lsp", "asynclint.lsp_server",
              "asynclint.flake8_plugin", "asynclint.docs", "asynclint.library_tables", "asynclint.live", "asynclint.startup_modules",
              "asynclint.pytest_plugin", "asynclint.loopwatch"),
    "pipeline": ("asynclint.runner", "asynclint.noqa", "asynclint.report",
                 "asynclint.runtime_report"),
    "engine": ("asynclint.engine", "asynclint.fix", "asynclint.syntax_version"),
    "rules": ("asynclint.rules",),
    "analysis": ("asynclint.analysis", "asynclint.callgraph", "asynclint.conditions"),
    "data": ("asynclint.source", "asynclint.catalog", "asynclint.model", "asynclint.config", "asynclint.style",
             "asynclint.compat", "asynclint.dependencies", "asynclint.notebook", "asynclint.files", "asynclint.cache",
             "asynclint._version"),
}
# What the facts must never reach for, whatever the layers say (issue 26).
ABOVE_THE_FACTS = ("asynclint.engine", "asynclint.rules", "asynclint.runner", "asynclint.fix", "asynclint.cli",
                   "asynclint.lsp", "asynclint.lsp_server", "asynclint.report")


def package_modules(root: str, package: str) -> dict[str, str]:
    """Dotted module name -> file, for every module of the package under root."""
    modules = {}
    for directory, _, files in os.walk(os.path.join(root, *package.split("."))):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(directory, name)
                parts = os.path.relpath(path, root)[: -len(".py")].split(os.sep)
                if parts[-1] == "__init__":
                    parts.pop()
                modules[".".join(parts)] = path
    return modules


def imports_of(module: str, path: str, known: set[str]) -> list[tuple[str, int]]:
    """(imported module, line) of each import of one of the known modules, wherever it stands
    but in an `if TYPE_CHECKING:` block. `from package import name` imports the submodule when
    there is one, else the package; the packages above an imported module are not counted (their
    __init__ runs first, but holds only what it names itself)."""
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    is_package = path.endswith("__init__.py")
    found = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for statement in child.orelse:
                    visit_statement(statement)
                continue
            visit_statement(child)

    def visit_statement(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")[: len(module.split(".")) - node.level + is_package]
                base = ".".join(anchor + ([node.module] if node.module else []))
            for alias in node.names:
                target = f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                if target in known:
                    found.append((target, node.lineno))
        visit(node)

    visit(tree)
    return found


def import_graph(root: str, package: str) -> dict[str, dict[str, int]]:
    """module -> {module it imports: the line of the first such import}."""
    modules = package_modules(root, package)
    graph = {}
    for module, path in modules.items():
        edges: dict[str, int] = {}
        for target, line in imports_of(module, path, set(modules)):
            if target != module:
                edges.setdefault(target, line)
        graph[module] = edges
    return graph


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """One cycle through each strongly connected group of modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return [_cycle_in(graph, set(group)) for group in groups]


def _cycle_in(graph: dict[str, dict[str, int]], group: set[str]) -> list[str]:
    """A path that leaves the group's first module and comes back to it, within the group."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node]):
                if target == start:
                    return paths[node] + [start]
                if target in group and target not in paths:
                    paths[target] = paths[node] + [target]
                    following.append(target)
        frontier = following
    raise AssertionError(f"no cycle in {sorted(group)}")


def layer_of(module: str) -> str | None:
    for layer, prefixes in LAYERS.items():
        if any(module == p or (p != "asynclint" and module.startswith(p + ".")) for p in prefixes):
            return layer
    return None


GRAPH = import_graph(ROOT, "asynclint")


def test_no_cycle_among_asynclint_modules():
    found = [" -> ".join(cycle) for cycle in cycles(GRAPH)]
    assert found == [], "import cycles:\n" + "\n".join(found)


def test_every_module_has_a_layer():
    assert [m for m in sorted(GRAPH) if layer_of(m) is None] == [], "add them to LAYERS"


def test_no_module_imports_from_a_layer_above_its_own():
    order = list(LAYERS)
    upward = [f"{module} ({layer_of(module)}) imports {target} ({layer_of(target)}), line {line}"
              for module, edges in sorted(GRAPH.items()) for target, line in edges.items()
              if order.index(layer_of(target)) < order.index(layer_of(module))]
    assert upward == []


def test_the_analysis_imports_nothing_above_the_facts():
    """analysis/ and the rest of its layer (the call graph, conditions)."""
    assert "asynclint.analysis.summaries" in GRAPH and layer_of("asynclint.callgraph") == "analysis"
    reaching = [f"{module} imports {target}, line {line}"
                for module, edges in sorted(GRAPH.items()) if layer_of(module) == "analysis"
                for target, line in edges.items()
                if any(target == p or target.startswith(p + ".") for p in ABOVE_THE_FACTS)]
    assert reaching == []


def test_the_check_sees_imports_in_functions_and_skips_type_checking_blocks(tmp_path):
    """The check itself: a cycle hidden in a function is found, one behind TYPE_CHECKING is not."""
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg import b\n")
    (package / "b.py").write_text("def later():\n    from pkg.sub import c\n")
    (package / "sub" / "c.py").write_text("from typing import TYPE_CHECKING\nfrom .. import a\n"
                                          "if TYPE_CHECKING:\n    from pkg import d\n")
    (package / "d.py").write_text("import pkg.sub.c\n")
    graph = import_graph(str(tmp_path), "pkg")
    assert graph["pkg.b"] == {"pkg.sub.c": 2}
    assert graph["pkg.sub.c"] == {"pkg.a": 2}
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.sub.c", "pkg.a"]]
