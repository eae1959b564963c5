"""The build path runs one way: `kb index` → kb.knowledge → kb.build → kb.catalog → kb.ingest →
kb.store, and no module imports one before it on that path; so does the query path: `kb search` →
kb.search → kb.query → kb.store → kb.ranking → hits (kb.model). Read off the source: every import,
at module level or inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

KB = Path(__file__).resolve().parent.parent / "kb"
BUILD_PATH = ("kb.knowledge", "kb.build", "kb.catalog", "kb.ingest", "kb.store")
# the orchestrator, what a query may stand for, the candidates, their order, the hits
QUERY_PATH = ("kb.search", "kb.query", "kb.store", "kb.ranking", "kb.model")


def _module(path: Path) -> str:
    parts = list(path.relative_to(KB.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, dict[str, bool]]:
    """Each kb module → the kb modules it imports, each with whether at module level."""
    out: dict[str, dict[str, bool]] = {}
    for path in KB.rglob("*.py"):
        name = _module(path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text("utf-8"))
        top = {id(node) for node in tree.body}
        found: dict[str, bool] = {}
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
                target = ".".join(base + ([node.module] if node.module else [])) if node.level else node.module or ""
                targets = [target] + [f"{target}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            for t in targets:
                if t.startswith("kb") and (_exists(t)):
                    found[t] = found.get(t, False) or id(node) in top
        out[name] = found
    return out


def _exists(name: str) -> bool:
    rel = Path(*name.split("."))
    return (KB.parent / rel).with_suffix(".py").is_file() or (KB.parent / rel / "__init__.py").is_file()


def _stage(module: str, path: tuple[str, ...] = BUILD_PATH) -> int | None:
    for i, stage in enumerate(path):
        if module == stage or module.startswith(stage + "."):
            return i
    return None


IMPORTS = _imports()


FRONT_DOOR_CALLERS = {"kb", "kb.web"}  # the package's exports and the web page: they open a KnowledgeBase


def test_no_module_imports_one_before_it_on_the_build_path():
    """A stage imports only the stages after it; any other module only the last, the store
    (what search and answers read), unless it is one of the front door's callers."""
    wrong = []
    for module, targets in sorted(IMPORTS.items()):
        mine = _stage(module)
        for target in targets:
            theirs = _stage(target)
            if theirs is None or theirs == mine:
                continue
            if mine is None and theirs != len(BUILD_PATH) - 1 and module not in FRONT_DOOR_CALLERS:
                wrong.append(f"{module} reaches into the build path ({target})")
            elif mine is not None and mine > theirs:
                wrong.append(f"{module} imports {target}, before it on the build path")
    assert wrong == []


def test_only_the_front_door_and_its_callers_know_the_build():
    importers = lambda m: {k for k, v in IMPORTS.items() if m in v}  # noqa: E731
    assert importers("kb.build") == {"kb.knowledge"}
    assert importers("kb.knowledge") <= {"kb", "kb.web"}
    assert importers("kb.catalog") <= {"kb", "kb.knowledge", "kb.build"}


def test_the_front_door_is_a_front_door():
    """KnowledgeBase delegates (issue 16: at most 200 lines): building, the catalog, search,
    answers and references live in their own modules."""
    import kb.knowledge

    assert len(Path(kb.knowledge.__file__).read_text(encoding="utf-8").splitlines()) <= 200


def test_module_level_imports_have_no_loop():
    graph = {m: {t for t, top in deps.items() if top and t != m} for m, deps in IMPORTS.items()}
    # a package's own __init__ importing its modules is how a package is made, not a loop
    state: dict[str, int] = {}

    def visit(m: str, trail: list[str]) -> None:
        state[m] = 1
        for t in graph.get(m, ()):
            if t.startswith(m + "."):
                continue
            if state.get(t) == 1:
                raise AssertionError("import loop: " + " → ".join(trail + [m, t]))
            if not state.get(t):
                visit(t, trail + [m])
        state[m] = 2

    for m in sorted(graph):
        if not state.get(m):
            visit(m, [])


def _reached(module: str) -> dict[str, list[str]]:
    """The query-path stages a module reaches, directly, through modules of its own stage or
    through modules on no path (kb.plan, kb.analysis, kb.lexicon …), each with the chain of
    imports that gets there."""
    mine = _stage(module, QUERY_PATH)
    out: dict[str, list[str]] = {}
    trail = {module: [module]}
    todo = [module]
    while todo:
        m = todo.pop()
        for t in IMPORTS.get(m, {}):
            if t in trail or t == module:
                continue
            trail[t] = trail[m] + [t]
            stage = _stage(t, QUERY_PATH)
            if stage is not None and stage != mine:
                out.setdefault(QUERY_PATH[stage], trail[t])
            elif t in IMPORTS:
                todo.append(t)
    return out


def test_no_stage_of_the_query_path_reaches_one_before_it():
    """Each stage imports only the stages after it, or modules shared along the way that lead
    back to no earlier stage: ranking reads the plan (kb.plan), not the stage that makes it."""
    wrong = []
    for module in sorted(IMPORTS):
        mine = _stage(module, QUERY_PATH)
        if mine is None:
            continue
        for target, chain in _reached(module).items():
            if _stage(target, QUERY_PATH) < mine:
                wrong.append(" → ".join(chain) + ": before it on the query path")
    assert wrong == []


def test_ranking_reads_the_plan_not_the_query_nor_the_store():
    for stage in ("kb.query", "kb.store", "kb.search"):
        assert stage not in _reached("kb.ranking")
    assert "kb.ranking" not in _reached("kb.query") and "kb.search" not in _reached("kb.query")
    assert "kb.plan" in IMPORTS["kb.ranking"] and "kb.plan" in IMPORTS["kb.query"]


def test_the_plan_is_a_leaf_of_the_query_path():
    assert _reached("kb.plan") == {}
