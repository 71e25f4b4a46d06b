"""The app's modules as rooms: no import cycle, pure rooms without Django, migrations frozen.

Read from the source with ``ast``, so that an import inside a function counts as much as one at
the top: either runs when called, and a cycle through one is a cycle all the same.
"""

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "articles"


def module_name(path: Path, root: Path = APP) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, root: Path = APP) -> set[str]:
    """Every module name an import in this file may load, at module level or inside a function."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)  # from . import x
    return found


def import_graph(root: Path = APP) -> dict[str, set[str]]:
    """Module -> the app's modules it imports.

    Importing ``a.b.c`` runs the package ``a.b`` first unless the importer lives inside it
    (then the package is already being imported), so such an import leads to the package too.
    """
    files = {module_name(path, root): path for path in root.rglob("*.py")}
    graph = {}
    for name, path in files.items():
        targets = set()
        for target in imported(path, root) & files.keys():
            parts = target.split(".")
            for n in range(2, len(parts) + 1):
                ancestor = ".".join(parts[:n])
                if ancestor in files and not (name + ".").startswith(ancestor + "."):
                    targets.add(ancestor)
        graph[name] = targets - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each back edge a depth-first walk meets."""
    found, state, stack = [], {}, []

    def walk(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                found.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                walk(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            walk(node)
    return found


def test_the_import_graph_sees_imports_inside_functions_and_packages(tmp_path):
    """The reader of the graph itself, on a tiny app with a cycle hidden in a function."""
    app = tmp_path / "articles"
    (app / "search").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text("from . import search\n")
    (app / "search" / "__init__.py").write_text("from .query import parse\n")
    (app / "search" / "query.py").write_text("def parse():\n    from ..models import X\n")
    (app / "names.py").write_text("from .search.query import parse\n")
    graph = import_graph(app)
    assert graph["articles.search.query"] == {"articles.models"}
    assert graph["articles.names"] == {"articles.search", "articles.search.query"}
    assert graph["articles.search"] == {"articles.search.query"}
    assert cycles(graph) == [
        ["articles.models", "articles.search", "articles.search.query", "articles.models"]
    ]


def test_the_app_has_no_import_cycle():
    found = cycles(import_graph())
    assert not found, "import cycles: " + "; ".join(" -> ".join(cycle) for cycle in found)


PURE = """
import json, sys
import articles.arabic, articles.names, articles.gazetteer
pure = "django" not in sys.modules  # the analyser, the names' types and the matcher
from articles import names
from articles.gazetteer import Gazetteer
from articles.search.query import parse_query
from django.conf import settings

snapshot = names.build(
    [
        names.PlaceRow(1, ["سوريا", "Syria"], "/1/", "country", False, "sy"),
        names.PlaceRow(2, ["درعا", "Daraa", "Deraa"], "/1/2/", "governorate", False, None),
    ],
    [names.PartyRow(7, ["الجيش الحر"], False)],
    ["country", "governorate"],
)
query = parse_query("بدرعا Deraa", snapshot.searchable)
found = Gazetteer(snapshot).find("قصف على بدرعا", "وقال الجيش الحر إن")
print(json.dumps({
    "pure": pure,
    "configured": settings.configured,
    "must": [[sorted(slot) for phrase in clause for slot in phrase] for clause in query.must],
    "found": [[f.model, f.pk, f.field, f.start, f.end, f.status] for f in found],
}, ensure_ascii=False))
"""


def test_the_analyser_query_parser_and_matcher_work_without_django_settings():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(PURE)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["pure"] is True
    assert result["configured"] is False
    # "بدرعا" is also tried as the known name "درعا"; "Deraa" stands for every name of Daraa.
    assert result["must"] == [[["بدرعا", "درعا"]], [["deraa"], ["درعا"], ["daraa"]]]
    assert result["found"] == [
        ["location", 2, "title", 8, 13, "found"],
        ["party", 7, "body", 5, 15, "found"],
    ]


def test_the_matcher_gives_the_statuses_and_kinds_the_models_know(db):
    from articles import gazetteer
    from articles.models import Location, MentionStatus

    assert (gazetteer.FOUND, gazetteer.PROPOSED) == (MentionStatus.FOUND, MentionStatus.PROPOSED)
    assert gazetteer.COUNTRY == Location.Kind.COUNTRY == Location.Kind.values[0]


def test_migrations_import_no_code_of_the_app():
    """A migration runs as it was written, whatever the app's code becomes.

    Django writes references to the models module's validators into generated migrations
    (0008), which must stay importable; nothing else of the app may be imported, and a
    migration that runs code (RunPython) imports nothing of the app at all.
    """
    for path in sorted((APP / "migrations").glob("0*.py")):
        source = path.read_text("utf-8")
        ours = {name for name in imported(path) if name.split(".")[0] == "articles"}
        assert ours <= {"articles.models"}, f"{path.name} imports {sorted(ours)}"
        if "RunPython" in source:
            assert not ours, f"{path.name} runs code and imports {sorted(ours)}"
